// NodePorts: two pods cannot use the same hostPort (and protocol) on one node, unless they bind
// different host IPs; 0.0.0.0 conflicts with every address. Pods without hostPorts skip it.
// Mirrors pkg/scheduler/framework/plugins/nodeports.

import { Status, type CycleState, type FilterPlugin, type PreFilterPlugin } from '../../framework/interface.js'
import type { NodeInfo, PodInfo } from '../../framework/nodeinfo.js'

export const NAME = 'NodePorts'
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports"

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME

  preFilter(_s: CycleState, pod: PodInfo): Status {
    return pod.hostPorts.length ? Status.SUCCESS : Status.SKIP
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    for (const p of pod.hostPorts) if (!node.portFree(p)) return Status.unschedulable(ERR_REASON)
    return Status.SUCCESS
  }
}
