// Taints and tolerations as several components read them: the well-known node taints the
// control plane manages, whether a toleration tolerates a taint, which tolerations a pod uses
// against a node's NoExecute taints and how long the shortest of them lets it stay.
// Mirrors k8s.io/api/core/v1 well_known_taints.go, v1helper.GetMatchingTolerations and the
// taint eviction controller's getMinTolerationTime; taint-set helpers as pkg/util/taints.

import type { Taint, Toleration } from './types.js'

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable'
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable'
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure'
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure'
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure'
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable'

/** Upstream Toleration.ToleratesTaint (an empty key with Exists tolerates everything). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  switch (t.operator ?? 'Equal') {
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '')
    case 'Exists':
      return true
    default:
      return false
  }
}

/**
 * Upstream GetMatchingTolerations: whether every taint is tolerated, and, for each taint, the
 * first toleration that tolerates it (the ones whose tolerationSeconds count).
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = []
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint))
    if (!t) return { allTolerated: false, used: [] }
    used.push(t)
  }
  return { allTolerated: true, used }
}

/**
 * The shortest time the tolerations allow, in ms: 0 for none (or a non-positive
 * tolerationSeconds), -1 when every one tolerates forever (upstream getMinTolerationTime).
 */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (!used.length) return 0
  let min = Number.POSITIVE_INFINITY
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue
    if (t.tolerationSeconds <= 0) return 0
    min = Math.min(min, t.tolerationSeconds)
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min * 1000
}

/** Same key and effect (upstream Taint.MatchTaint: the value does not count). */
export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect
}

/** `key=value:Effect` (or `key:Effect`), as kubectl prints a taint. */
export function formatTaint(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`
}
