// TaintToleration: a node's NoSchedule / NoExecute taints keep away every pod that does not
// tolerate them (Filter), and PreferNoSchedule taints make a node less attractive (Score,
// fewer untolerated soft taints is better). Mirrors pkg/scheduler/framework/plugins/
// tainttoleration and v1helper.TolerationsTolerateTaint (one taint: api/taints.ts).

import { toleratesTaint } from '../../../api/taints.js'
import type { Taint, Toleration } from '../../../api/types.js'
import { MAX_NODE_SCORE, Status, defaultNormalizeScore, type CycleState, type FilterPlugin, type ScorePlugin } from '../../framework/interface.js'
import type { NodeInfo, PodInfo } from '../../framework/nodeinfo.js'

export const NAME = 'TaintToleration'

export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint))
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = NAME

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    for (const taint of node.taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue
      if (!tolerated(pod.tolerations, taint)) return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`)
    }
    return Status.SUCCESS
  }

  scoreNodes(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < nodes.length; i++) out[i] = nodes[i]!.taints.length ? this.score(s, pod, nodes[i]!) : 0
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (!node.taints.length) return 0
    let n = 0
    for (const taint of node.taints) {
      if (taint.effect !== 'PreferNoSchedule') continue
      if (!pod.tolerations.some((t) => (!t.effect || t.effect === 'PreferNoSchedule') && toleratesTaint(t, taint))) n++
    }
    return n
  }

  normalizeScore(_s: CycleState, _pod: PodInfo, scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores)
  }
}
