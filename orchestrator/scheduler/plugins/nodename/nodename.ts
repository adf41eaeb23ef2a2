// NodeName: a pod that names its node (spec.nodeName) fits only there.
// Mirrors pkg/scheduler/framework/plugins/nodename.

import { Status, type CycleState, type FilterPlugin, type PreFilterPlugin } from '../../framework/interface.js'
import type { NodeInfo, PodInfo } from '../../framework/nodeinfo.js'

export const NAME = 'NodeName'
export const ERR_REASON = "node(s) didn't match the requested node name"

export class NodeName implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME

  /** Most pods name no node: then there is nothing to filter. */
  preFilter(_s: CycleState, pod: PodInfo): Status {
    return pod.pod.spec?.nodeName ? Status.SUCCESS : Status.SKIP
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const want = pod.pod.spec?.nodeName
    if (!want || want === node.name) return Status.SUCCESS
    return Status.unresolvable(ERR_REASON)
  }
}
