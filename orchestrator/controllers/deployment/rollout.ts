// The arithmetic of Deployments, as pure functions (table-tested): the pod-template hash that
// names each ReplicaSet, maxSurge / maxUnavailable resolution (percentages of replicas, surge
// rounded up and unavailability rounded down), how far the new ReplicaSet may scale up and the
// old ones down during a rolling update, proportional scaling of several ReplicaSets when the
// Deployment is scaled mid-rollout, and the Deployment's status and conditions.
// Mirrors pkg/controller/deployment/util/deployment_util.go and pkg/util/hash.

import type { Deployment, DeploymentCondition, PodTemplateSpec, ReplicaSet } from '../../api/types.js'
import { scaledValue } from '../../api/intstr.js'
import { canonicalJson, hashOf } from '../history.js'

export { scaledValue }

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash'
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision'
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas'
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas'

type DeploymentStatus = NonNullable<Deployment['status']>

// ---------------------------------------------------------------------------------------------
// the pod-template hash

// one hash for pod templates and controller revisions (controllers/history.ts), as upstream's
// controller.ComputeHash serves both
export { canonicalJson, fnv32a, safeEncodeString } from '../history.js'

/** The pod-template-hash of a template (upstream controller.ComputeHash). */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  return hashOf(template, collisionCount)
}

/** Templates equal apart from the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): unknown => {
    const copy = structuredClone(t ?? {})
    if (copy.metadata?.labels) {
      delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL]
      if (!Object.keys(copy.metadata.labels).length) delete copy.metadata.labels
    }
    return copy
  }
  return canonicalJson(strip(a)) === canonicalJson(strip(b))
}

// ---------------------------------------------------------------------------------------------
// maxSurge / maxUnavailable

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
}

/** [maxSurge, maxUnavailable] as numbers; both zero becomes unavailability 1 (upstream ResolveFenceposts). */
export function resolveFenceposts(d: Deployment): [number, number] {
  const replicas = d.spec?.replicas ?? 1
  const ru = d.spec?.strategy?.rollingUpdate
  const surge = scaledValue(ru?.maxSurge as number | string | undefined, replicas, true, '25%')
  let unavailable = scaledValue(ru?.maxUnavailable as number | string | undefined, replicas, false, '25%')
  if (surge === 0 && unavailable === 0) unavailable = 1
  return [surge, unavailable]
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d)[0] : 0
}

/** maxUnavailable, never more than replicas (upstream MaxUnavailable). */
export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec?.replicas ?? 1
  if (!isRollingUpdate(d) || replicas === 0) return 0
  return Math.min(resolveFenceposts(d)[1], replicas)
}

export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0

/** Sum of spec.replicas. */
export function replicaCount(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + specReplicas(rs), 0)
}

export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => Boolean(rs) && specReplicas(rs) > 0)
}

/** How many replicas the new ReplicaSet should have now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec?.replicas ?? 1
  if (!isRollingUpdate(d)) return replicas
  const current = replicaCount(all)
  const maxTotal = replicas + maxSurge(d)
  if (current >= maxTotal) return specReplicas(newRS)
  const up = Math.min(maxTotal - current, Math.max(0, replicas - specReplicas(newRS)))
  return specReplicas(newRS) + up
}

// ---------------------------------------------------------------------------------------------
// ordering and annotations

export function revisionOf(rs: ReplicaSet | undefined): number {
  const v = Number(rs?.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0)
  return Number.isFinite(v) ? v : 0
}

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0

/** Oldest first; ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')
}

/** The oldest ReplicaSet whose template equals the Deployment's (upstream FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template))
}

/** Upstream FindActiveOrLatest: the only active ReplicaSet, else the newest, else undefined. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a))
  const active = activeReplicaSets([...olds, newRS])
  if (active.length === 0) return newRS ?? olds[0]
  if (active.length === 1) return active[0]
  return undefined
}

export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false
  const desired = Number(rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION])
  const replicas = d.spec?.replicas ?? 1
  return specReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas
}

/**
 * Replicas to add to (or take from) one ReplicaSet when a Deployment is scaled while several
 * are active (upstream GetProportion / getReplicaSetFraction).
 */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0
  const replicas = d.spec?.replicas ?? 1
  let fraction: number
  if (replicas === 0) fraction = -specReplicas(rs)
  else {
    const deploymentReplicas = replicas + maxSurge(d)
    const annotated = Number(rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION])
    const base = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0)
    fraction = base > 0 ? Math.round((specReplicas(rs) * deploymentReplicas) / base) - specReplicas(rs) : 0
  }
  const allowed = toAdd - added
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed)
}

/** New sizes for proportional scaling of the active ReplicaSets (upstream scale(), rolling case). */
export function proportionalSizes(d: Deployment, active: readonly ReplicaSet[]): Map<string, number> {
  const replicas = d.spec?.replicas ?? 1
  const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0
  const toAdd = allowedSize - replicaCount(active)
  const sorted = [...active].sort((a, b) => {
    const bySize = specReplicas(b) - specReplicas(a)
    if (bySize !== 0) return bySize
    return toAdd > 0 ? byCreation(b, a) : byCreation(a, b)
  })
  const sizes = new Map<string, number>()
  let added = 0
  for (const rs of sorted) {
    const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0
    sizes.set(rs.metadata?.name ?? '', specReplicas(rs) + p)
    added += p
  }
  if (toAdd !== 0 && sorted.length) {
    const first = sorted[0]!.metadata?.name ?? ''
    sizes.set(first, Math.max(0, sizes.get(first)! + (toAdd - added)))
  }
  return sizes
}

// ---------------------------------------------------------------------------------------------
// rolling update steps

/** How many old replicas may go now without dropping below minAvailable (upstream reconcileOldReplicaSets' budget). */
export function maxScaledDown(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const replicas = d.spec?.replicas ?? 1
  const minAvailable = replicas - maxUnavailable(d)
  const newUnavailable = specReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0)
  return replicaCount(all) - minAvailable - newUnavailable
}

/** Old replicas that may be scaled down because enough are available (upstream scaleDownOldReplicaSetsForRollingUpdate's budget). */
export function availableScaleDown(d: Deployment, all: readonly ReplicaSet[]): number {
  const minAvailable = (d.spec?.replicas ?? 1) - maxUnavailable(d)
  const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0)
  return Math.max(0, available - minAvailable)
}

// ---------------------------------------------------------------------------------------------
// status

export function condition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type)
}

/** Sets a condition, keeping lastTransitionTime when the status did not change (upstream SetDeploymentCondition). */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const list = status.conditions ?? []
  const old = list.find((x) => x.type === c.type)
  if (old && old.status === c.status && old.reason === c.reason) return
  const next = { ...c }
  if (old && old.status === c.status) next.lastTransitionTime = old.lastTransitionTime
  status.conditions = [...list.filter((x) => x.type !== c.type), next]
}

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message }
}

/** Replicas, ready, available, updated, unavailable and the Available condition (upstream calculateStatus). */
export function calculateStatus(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: string): DeploymentStatus {
  const sum = (f: (rs: ReplicaSet) => number | undefined): number => all.reduce((n, rs) => n + (f(rs) ?? 0), 0)
  const replicas = d.spec?.replicas ?? 1
  const available = sum((rs) => rs.status?.availableReplicas)
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum((rs) => rs.spec?.replicas) - available),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  }
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount
  if (available >= replicas - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now))
  } else {
    setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now))
  }
  return status
}

/** Every replica updated and available, and the latest generation observed (upstream DeploymentComplete). */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1
  return (
    s.updatedReplicas === replicas &&
    s.replicas === replicas &&
    s.availableReplicas === replicas &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  )
}

/** Whether the new ReplicaSet moved since the last status (upstream DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {}
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0)
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  )
}
