// The arithmetic of a PodDisruptionBudget's status, as pure functions (table-tested): how many
// pods it expects and needs healthy (minAvailable as a number counts the pods it selects;
// a percentage, or maxUnavailable, counts the replicas of their controllers), which of them are
// healthy (Ready, not being deleted, not just evicted), which recent evictions still count,
// and how many disruptions that leaves.
// Mirrors pkg/controller/disruption/disruption.go (getExpectedPodCount, countHealthyPods,
// buildDisruptedPodMap, updatePdbStatus) with its DeletionTimeout of 2 minutes.

import { isPodReady } from '../../api/pods.js'
import { withDisruptionAllowedCondition, type PdbStatus, type PodDisruptionBudget } from '../../api/pdb.js'
import type { Pod } from '../../api/types.js'
import { scaledValue } from '../../api/intstr.js'

/** How long an eviction the API server allowed counts before the pod must have gone. */
export const DELETION_TIMEOUT_MS = 2 * 60_000

/** A pod's controller and how many replicas it wants, or undefined when it has none the controller knows. */
export type ScaleOf = (pod: Pod) => { uid: string; replicas: number } | undefined

export interface Expected {
  expectedCount: number
  desiredHealthy: number
  /** Pods without a controller (they make percentages and maxUnavailable unreliable). */
  unmanaged: string[]
}

/** Upstream getExpectedPodCount; throws when a selected pod's controller cannot be found. */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf): Expected {
  const spec = pdb.spec ?? {}
  const unmanaged: string[] = []
  const scale = (): number => {
    const byController = new Map<string, number>()
    for (const p of pods) {
      if (!p.metadata?.ownerReferences?.some((r) => r.controller)) {
        unmanaged.push(p.metadata?.name ?? '')
        continue
      }
      const s = scaleOf(p)
      if (!s) throw new Error(`found no controllers for pod "${p.metadata?.name}"`)
      byController.set(s.uid, s.replicas)
    }
    return [...byController.values()].reduce((a, b) => a + b, 0)
  }
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expectedCount = scale()
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true, '0')
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanaged }
  }
  if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanaged }
  if (typeof spec.minAvailable === 'string') {
    const expectedCount = scale()
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true, '0'), unmanaged }
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanaged }
}

/**
 * Upstream buildDisruptedPodMap: evictions that still count (the pod is there, not being
 * deleted, and was evicted less than DeletionTimeout ago), the ones that timed out, and when
 * to look again.
 */
export function disruptedPods(
  pods: readonly Pod[],
  recorded: Record<string, string> | undefined,
  now: number,
): { map: Record<string, string>; expired: string[]; recheckAt?: number } {
  const map: Record<string, string> = {}
  const expired: string[] = []
  let recheckAt: number | undefined
  if (!recorded) return { map, expired }
  for (const p of pods) {
    const name = p.metadata?.name ?? ''
    if (p.metadata?.deletionTimestamp || !(name in recorded)) continue
    const at = Date.parse(recorded[name]!)
    const due = at + DELETION_TIMEOUT_MS
    if (due < now) {
      expired.push(name)
      continue
    }
    map[name] = recorded[name]!
    recheckAt = recheckAt === undefined ? due : Math.min(recheckAt, due)
  }
  return { map, expired, recheckAt }
}

/** Upstream countHealthyPods: Ready, not being deleted, not just evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>, now: number): number {
  let n = 0
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue
    const at = disrupted[p.metadata?.name ?? '']
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue
    if (isPodReady(p)) n++
  }
  return n
}

/** The status a budget should have (upstream updatePdbStatus), with its DisruptionAllowed condition. */
export function budgetStatus(
  pdb: PodDisruptionBudget,
  e: { expectedCount: number; desiredHealthy: number; currentHealthy: number; disrupted: Record<string, string> },
  now?: string,
): PdbStatus {
  let allowed = e.currentHealthy - e.desiredHealthy
  if (e.expectedCount <= 0 || allowed <= 0) allowed = 0
  const status: PdbStatus = {
    ...(pdb.status ?? {}),
    observedGeneration: pdb.metadata?.generation ?? 1,
    currentHealthy: e.currentHealthy,
    desiredHealthy: e.desiredHealthy,
    expectedPods: e.expectedCount,
    disruptionsAllowed: allowed,
  }
  if (Object.keys(e.disrupted).length) status.disruptedPods = e.disrupted
  else delete status.disruptedPods
  return withDisruptionAllowedCondition(status, now)
}
