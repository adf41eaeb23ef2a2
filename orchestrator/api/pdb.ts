// PodDisruptionBudgets as the Eviction API and the disruption controller both read them: the
// policy/v1 shape, which pods a budget covers, and its DisruptionAllowed condition.
// Mirrors k8s.io/api/policy/v1 types and k8s.io/component-helpers/apps/poddisruptionbudget
// (UpdateDisruptionAllowedCondition).

import type { KObject, LabelSelector } from './meta.js'
import { nowTimestamp } from './meta.js'
import { fromLabelSelector } from './selectors.js'

export interface PdbCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason: string
  message: string
  observedGeneration?: number
  lastTransitionTime: string
}

export interface PdbStatus {
  observedGeneration?: number
  /** Pods the API server allowed to be evicted and the controller has not seen go yet: name -> when. */
  disruptedPods?: Record<string, string>
  disruptionsAllowed?: number
  currentHealthy?: number
  desiredHealthy?: number
  expectedPods?: number
  conditions?: PdbCondition[]
}

export type PodDisruptionBudget = KObject & {
  spec?: {
    minAvailable?: number | string
    maxUnavailable?: number | string
    selector?: LabelSelector | null
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow'
  }
  status?: PdbStatus
}

export const DISRUPTION_ALLOWED = 'DisruptionAllowed'
export const SUFFICIENT_PODS = 'SufficientPods'
export const INSUFFICIENT_PODS = 'InsufficientPods'
export const SYNC_FAILED = 'SyncFailed'
/** StatusCause type of a refused eviction (policy/v1 DisruptionBudgetCause). */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget'
/** The message of the 429 an eviction gets when a budget does not allow it. */
export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."

/** Whether the budget covers a pod with these labels (policy/v1: a null selector covers nothing, {} everything). */
export function pdbSelects(pdb: PodDisruptionBudget, labels: Record<string, string> | undefined): boolean {
  try {
    return fromLabelSelector(pdb.spec?.selector).matches(labels)
  } catch {
    return false // an invalid selector matches no pod
  }
}

/**
 * Sets the DisruptionAllowed condition from disruptionsAllowed (upstream
 * UpdateDisruptionAllowedCondition); the transition time moves only when the status changes.
 */
export function withDisruptionAllowedCondition(status: PdbStatus, now = nowTimestamp()): PdbStatus {
  const allowed = (status.disruptionsAllowed ?? 0) > 0
  return withPdbCondition(
    status,
    { type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS, message: '' },
    now,
  )
}

/** Sets one condition (apimeta.SetStatusCondition). */
export function withPdbCondition(status: PdbStatus, c: Omit<PdbCondition, 'lastTransitionTime' | 'observedGeneration'>, now = nowTimestamp()): PdbStatus {
  const conditions = [...(status.conditions ?? [])]
  const i = conditions.findIndex((x) => x.type === c.type)
  const old = i >= 0 ? conditions[i] : undefined
  const next: PdbCondition = {
    ...c,
    observedGeneration: status.observedGeneration,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now,
  }
  if (i >= 0) conditions[i] = next
  else conditions.push(next)
  return { ...status, conditions }
}
