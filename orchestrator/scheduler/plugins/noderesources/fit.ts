// NodeResourcesFit: a pod fits a node when its requests (cpu, memory, ephemeral storage,
// extended resources) fit into what is left of the node's allocatable, and the node has room
// for one more pod (maxPods) — Filter reasons "Insufficient cpu", "Insufficient memory",
// "Too many pods". Its Score is the LeastAllocated strategy: nodes with more free cpu and memory
// (counting 100m / 200Mi for containers that request nothing) score higher, which spreads pods.
// NodeResourcesBalancedAllocation prefers nodes whose cpu and memory use stay in proportion.
// Mirrors pkg/scheduler/framework/plugins/noderesources (fit.go, least_allocated.go,
// balanced_allocation.go).

import { MAX_NODE_SCORE, Status, type CycleState, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from '../../framework/interface.js'
import type { NodeInfo, PodInfo } from '../../framework/nodeinfo.js'

export const FIT_NAME = 'NodeResourcesFit'
export const BALANCED_NAME = 'NodeResourcesBalancedAllocation'

/** Whether the pod fits (the hot path: no allocation; insufficient() says why when it does not). */
export function fits(pod: PodInfo, node: NodeInfo): boolean {
  if (node.pods.size + 1 > node.allocatable.pods) return false
  const r = pod.requests
  if (r.milliCPU > 0 && r.milliCPU > node.allocatable.milliCPU - node.requested.milliCPU) return false
  if (r.memory > 0 && r.memory > node.allocatable.memory - node.requested.memory) return false
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > node.allocatable.ephemeralStorage - node.requested.ephemeralStorage) return false
  for (const name in r.scalar) {
    const want = r.scalar[name]!
    if (want > 0 && want > (node.allocatable.scalar[name] ?? 0) - (node.requested.scalar[name] ?? 0)) return false
  }
  return true
}

/** Reasons a pod does not fit, as upstream's InsufficientResource list. */
export function insufficient(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = []
  if (node.pods.size + 1 > node.allocatable.pods) out.push('Too many pods')
  const r = pod.requests
  if (r.milliCPU > 0 && r.milliCPU > node.allocatable.milliCPU - node.requested.milliCPU) out.push('Insufficient cpu')
  if (r.memory > 0 && r.memory > node.allocatable.memory - node.requested.memory) out.push('Insufficient memory')
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > node.allocatable.ephemeralStorage - node.requested.ephemeralStorage)
    out.push('Insufficient ephemeral-storage')
  for (const [name, want] of Object.entries(r.scalar)) {
    if (want > 0 && want > (node.allocatable.scalar[name] ?? 0) - (node.requested.scalar[name] ?? 0)) out.push(`Insufficient ${name}`)
  }
  return out
}

/** requested / capacity, at most 1. (Module-level: scoring runs for every node of every pod.) */
function fraction(requested: number, capacity: number): number {
  return capacity === 0 ? 1 : Math.min(1, requested / capacity)
}

/** ((capacity - requested) * 100) / capacity, 0 when over capacity. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity)
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = FIT_NAME

  preFilter(): Status {
    return Status.SUCCESS // PodInfo already carries the pod's requests
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return fits(pod, node) ? Status.SUCCESS : Status.unschedulable(...insufficient(pod, node))
  }

  scoreNodes(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < nodes.length; i++) out[i] = this.score(s, pod, nodes[i]!)
  }

  /** LeastAllocated over cpu and memory, weight 1 each. */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const cpu = leastRequested(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU)
    const mem = leastRequested(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory)
    return Math.floor((cpu + mem) / 2)
  }
}

export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = BALANCED_NAME

  scoreNodes(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < nodes.length; i++) out[i] = this.score(s, pod, nodes[i]!)
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const cpu = fraction(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU)
    const mem = fraction(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory)
    const std = Math.abs(cpu - mem) / 2
    return Math.floor((1 - std) * MAX_NODE_SCORE)
  }
}
