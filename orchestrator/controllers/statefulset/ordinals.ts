// What the StatefulSet controller decides, as pure functions: the pod of each ordinal (name
// `<set>-<ordinal>`, hostname its name, subdomain the governing Service, the labels
// `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
// `controller-revision-hash`), which revision a recreated pod gets (below the partition: the
// current one), the next step of a sync (create missing ordinals lowest first, delete surplus
// ordinals highest first - one at a time, each waiting for the one before to be Running and
// Ready, under OrderedReady; all at once under Parallel; then the rolling update: the highest
// ordinal not on the update revision, down to the partition, one at a time), and the status.
// A pod is never created while a pod of its name exists, terminating or not: an identity is
// never run twice.
// Mirrors pkg/controller/statefulset: stateful_set_utils.go (newStatefulSetPod,
// newVersionedStatefulSetPod, getOrdinal, isHealthy), stateful_set_control.go
// (updateStatefulSet's monotonic and rolling-update loops, computeReplicaStatus,
// completeRollingUpdate).
// Simplifies: no volumeClaimTemplates (no PVCs), no spec.ordinals.start, no maxUnavailable (the
// alpha MaxUnavailableStatefulSet feature): one pod at a time.

import { isPodAvailable, isPodReady } from '../../api/pods.js'
import type { Pod, PodTemplateSpec, StatefulSet } from '../../api/types.js'
import { REVISION_HASH_LABEL } from '../history.js'

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index'

type StatefulSetStatus = NonNullable<StatefulSet['status']>

/** The ordinal of a pod of `set` (`web-2` is 2), or -1 for a pod not named as one. */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const prefix = `${set.metadata?.name}-`
  const name = pod.metadata?.name ?? ''
  if (!name.startsWith(prefix)) return -1
  const rest = name.slice(prefix.length)
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1
}

/** The pod of `ordinal`, from `template`, on revision `revision` (newStatefulSetPod + setPodRevision). */
export function podFor(set: StatefulSet, template: PodTemplateSpec | undefined, ordinal: number, revision: string): Pod {
  const name = `${set.metadata?.name}-${ordinal}`
  const spec = structuredClone(template?.spec ?? { containers: [] })
  spec.hostname = name
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName
  const metadata: Pod['metadata'] = {
    name,
    namespace: set.metadata?.namespace,
    labels: { ...(template?.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_HASH_LABEL]: revision },
  }
  if (template?.metadata?.annotations) metadata!.annotations = { ...template.metadata.annotations }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec }
}

export function revisionOf(pod: Pod): string {
  return pod.metadata?.labels?.[REVISION_HASH_LABEL] ?? ''
}

function terminating(p: Pod): boolean {
  return Boolean(p.metadata?.deletionTimestamp)
}

function runningAndReady(p: Pod): boolean {
  return p.status?.phase === 'Running' && isPodReady(p)
}

/** Running, Ready (for minReadySeconds) and not terminating (isHealthy). */
export function isHealthy(set: StatefulSet, p: Pod, now = Date.now()): boolean {
  return runningAndReady(p) && !terminating(p) && isPodAvailable(p, set.spec?.minReadySeconds ?? 0, now)
}

/** Whether a recreated `ordinal` takes the current revision (below the partition) or the update one. */
export function takesCurrentRevision(set: StatefulSet, ordinal: number): boolean {
  const strategy = set.spec?.updateStrategy
  if (strategy?.type !== undefined && strategy.type !== 'RollingUpdate') return false
  const partition = strategy?.rollingUpdate?.partition
  if (partition === undefined || partition === null) return ordinal < (set.status?.currentReplicas ?? 0)
  return ordinal < partition
}

export interface SetPlan {
  /** Ordinals to create, and whether each takes the current revision. */
  create: { ordinal: number; current: boolean }[]
  /** Pods to delete (names). */
  delete: string[]
}

/** One sync's steps (updateStatefulSet), from the claimed pods, terminating ones included. */
export function planStatefulSet(set: StatefulSet, pods: readonly Pod[], updateRevision: string, now = Date.now()): SetPlan {
  const replicas = set.spec?.replicas ?? 1
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel'
  const slots: (Pod | undefined)[] = Array.from({ length: replicas }, () => undefined)
  const condemned: Pod[] = []
  for (const p of pods) {
    const ord = ordinalOf(set, p)
    if (ord < 0) continue
    if (ord < replicas) slots[ord] = p
    else condemned.push(p)
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a))
  const plan: SetPlan = { create: [], delete: [] }
  for (let i = 0; i < replicas; i++) {
    const p = slots[i]
    if (!p) {
      plan.create.push({ ordinal: i, current: takesCurrentRevision(set, i) })
      if (monotonic) return plan
      continue
    }
    if (terminating(p)) {
      // the old pod of this identity must be gone before its replacement is made
      if (monotonic) return plan
      continue
    }
    if (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') {
      plan.delete.push(p.metadata!.name!)
      if (monotonic) return plan
      continue
    }
    if (monotonic && !isHealthy(set, p, now)) return plan
  }
  const firstUnhealthy = [...condemned].reverse().find((p) => !isHealthy(set, p, now))
  for (const p of condemned) {
    if (terminating(p)) {
      if (monotonic) return plan
      continue
    }
    if (monotonic && firstUnhealthy && firstUnhealthy !== p) return plan
    plan.delete.push(p.metadata!.name!)
    if (monotonic) return plan
  }
  if (set.spec?.updateStrategy?.type === 'OnDelete') return plan
  if (plan.create.length || plan.delete.length) return plan
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0
  for (let target = replicas - 1; target >= partition; target--) {
    const p = slots[target]
    if (!p) return plan
    if (revisionOf(p) !== updateRevision && !terminating(p)) {
      plan.delete.push(p.metadata!.name!)
      return plan
    }
    if (!isHealthy(set, p, now)) return plan
  }
  return plan
}

/** The status (computeReplicaStatus, then completeRollingUpdate). */
export function calculateStatus(set: StatefulSet, pods: readonly Pod[], currentRevision: string, updateRevision: string, now = Date.now()): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0
  let replicas = 0
  let ready = 0
  let available = 0
  let current = 0
  let updated = 0
  for (const p of pods) {
    if (ordinalOf(set, p) < 0 || !p.status?.phase) continue
    replicas++
    if (runningAndReady(p)) {
      ready++
      if (isPodAvailable(p, minReady, now)) available++
    }
    if (terminating(p)) continue
    if (revisionOf(p) === currentRevision) current++
    if (revisionOf(p) === updateRevision) updated++
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation ?? 0,
    replicas,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
    collisionCount: set.status?.collisionCount ?? 0,
    availableReplicas: available,
  }
  if (set.spec?.updateStrategy?.type !== 'OnDelete' && updated === replicas && ready === replicas) {
    status.currentRevision = updateRevision
    status.currentReplicas = updated
  }
  return status
}
