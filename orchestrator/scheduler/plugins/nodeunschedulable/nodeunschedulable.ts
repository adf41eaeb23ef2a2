// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless a pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
// Mirrors pkg/scheduler/framework/plugins/nodeunschedulable.

import { Status, type CycleState, type FilterPlugin } from '../../framework/interface.js'
import type { NodeInfo, PodInfo } from '../../framework/nodeinfo.js'
import { tolerated } from '../tainttoleration/tainttoleration.js'

export const NAME = 'NodeUnschedulable'
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable'

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.unschedulable) return Status.SUCCESS
    if (tolerated(pod.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return Status.SUCCESS
    return Status.unresolvable(ERR_REASON_UNSCHEDULABLE)
  }
}
