// The ReplicaSet controller: keeps the number of active pods a ReplicaSet's selector matches
// equal to spec.replicas. It adopts matching orphans and releases pods that stopped matching,
// creates missing pods from the template (in slow-start batches 1, 2, 4, ... so a failing
// create does not turn into hundreds of failed requests), deletes surplus pods starting with
// the least valuable (unscheduled, pending, not ready, restarting, newest), and reports
// replicas / fullyLabeledReplicas / readyReplicas / availableReplicas / observedGeneration.
// Expectations stop it from acting twice on a cache that has not caught up with its own writes.
// Mirrors pkg/controller/replicaset/replica_set.go. Events: SuccessfulCreate, FailedCreate,
// SuccessfulDelete, FailedDelete (component replicaset-controller).
// The same controller runs ReplicationControllers (a `ReplicatedKind` says which kind it manages
// and how the kind reads as a ReplicaSet), as upstream's replication manager is this controller
// over converted informers (pkg/controller/replication).
// Simplifies: no pod-deletion-cost annotation, no terminatingReplicas.

import { ApiError } from '../../api/errors.js'
import { objectKey, type KObject } from '../../api/meta.js'
import { controllerOf, isPodActive, isPodAvailable, isPodReady, newControllerRef, podCondition } from '../../api/pods.js'
import { lookupResource, type ResourceInfo } from '../../api/resources.js'
import { fromLabelSelector } from '../../api/selectors.js'
import type { Pod, ReplicaSet } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { claim } from '../claim.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'
import { Expectations } from '../expectations.js'
import type { ControllerContext } from '../controller.js'
import type { ControllerManagerConfig } from '../config.js'

const PODS = lookupResource('', 'pods')!
const REPLICASETS = lookupResource('apps', 'replicasets')!

/** Upstream burstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500

type ReplicaSetStatus = NonNullable<ReplicaSet['status']>

/**
 * A kind this controller keeps the replicas of: ReplicaSets, or ReplicationControllers read as
 * ReplicaSets. Status is written to the object as its kind has it (the status fields are the same).
 */
export interface ReplicatedKind {
  /** The controller's name, and the component its Events carry. */
  name: string
  resource: ResourceInfo
  /** The apiVersion and kind of the controller references on the pods. */
  apiVersion: string
  kind: string
  /** The object as a ReplicaSet (a view: never written back). */
  asReplicaSet(o: KObject): ReplicaSet
  /** How many objects are synced at once (--concurrent-replicaset-syncs, --concurrent-rc-syncs). */
  workers(config: ControllerManagerConfig): number
}

export const REPLICA_SETS: ReplicatedKind = {
  name: 'replicaset-controller',
  resource: REPLICASETS,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  asReplicaSet: (o) => o as ReplicaSet,
  workers: (config) => config.concurrentReplicaSetSyncs ?? 5,
}

export class ReplicaSetController implements Reconciler {
  readonly name: string
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly rsInformer: Informer<KObject>
  private readonly podInformer: Informer<Pod>
  private readonly controller: Controller
  readonly expectations = new Expectations()

  constructor(
    ctx: ControllerContext,
    private readonly kind: ReplicatedKind = REPLICA_SETS,
  ) {
    this.name = kind.name
    this.client = ctx.client
    this.recorder = ctx.recorder(kind.name)
    this.rsInformer = ctx.informers.informer<KObject>(kind.resource)
    this.podInformer = ctx.informers.informer<Pod>(PODS)
    this.rsInformer.addIndexer('namespace', byNamespace)
    this.podInformer.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: kind.workers(ctx.config) })
    this.rsInformer.on({
      add: (rs) => this.controller.enqueue(objectKey(rs)),
      update: (_old, rs) => this.controller.enqueue(objectKey(rs)),
      delete: (rs) => {
        this.expectations.delete(objectKey(rs))
        this.controller.enqueue(objectKey(rs))
      },
    })
    this.podInformer.on({ add: (p) => this.podAdded(p), update: (o, p) => this.podUpdated(o, p), delete: (p) => this.podDeleted(p) })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  // -------------------------------------------------------------------------------------------
  // event handlers: map pod events to the ReplicaSet keys to reconcile

  private ownerKey(p: Pod): string | undefined {
    const ref = controllerOf(p)
    if (!ref || ref.kind !== this.kind.kind) return undefined
    const key = `${p.metadata?.namespace}/${ref.name}`
    const rs = this.rsInformer.get(key)
    return rs && rs.metadata?.uid === ref.uid ? key : undefined
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private matching(p: Pod): string[] {
    return this.rsInformer
      .byIndex('namespace', p.metadata?.namespace ?? '')
      .filter((rs) => fromLabelSelector(this.kind.asReplicaSet(rs).spec?.selector).matches(p.metadata?.labels))
      .map(objectKey)
  }

  private podAdded(p: Pod): void {
    if (p.metadata?.deletionTimestamp) return this.podDeleted(p)
    const owner = this.ownerKey(p)
    if (owner) {
      this.expectations.creationObserved(owner)
      this.controller.enqueue(owner)
      return
    }
    if (!controllerOf(p)) for (const k of this.matching(p)) this.controller.enqueue(k)
  }

  private podUpdated(old: Pod, p: Pod): void {
    if (p.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
      const owner = this.ownerKey(p)
      if (owner) this.expectations.deletionObserved(owner, objectKey(p))
    }
    const before = this.ownerKey(old)
    const now = this.ownerKey(p)
    if (before && before !== now) this.controller.enqueue(before)
    if (now) this.controller.enqueue(now)
    else if (!controllerOf(p)) for (const k of this.matching(p)) this.controller.enqueue(k)
    if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})) for (const k of this.matching(old)) this.controller.enqueue(k)
  }

  private podDeleted(p: Pod): void {
    const owner = this.ownerKey(p)
    if (!owner) return
    this.expectations.deletionObserved(owner, objectKey(p))
    this.controller.enqueue(owner)
  }

  // -------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const stored = this.rsInformer.get(key)
    if (!stored) {
      this.expectations.delete(key)
      return
    }
    const rs = this.kind.asReplicaSet(stored)
    const needsSync = this.expectations.satisfied(key)
    const selector = fromLabelSelector(rs.spec?.selector)
    const candidates = this.podInformer.byIndex('namespace', rs.metadata?.namespace ?? '').filter(isPodActive)
    const pods = await claim(
      this.client,
      {
        owner: rs,
        ownerRef: newControllerRef(rs, this.kind.apiVersion, this.kind.kind),
        selector,
        refOf: (o) => refFor(PODS, o.metadata?.namespace, o.metadata?.name),
        fresh: () => this.client.get(refFor(this.kind.resource, rs.metadata?.namespace, rs.metadata?.name)).catch(() => undefined),
      },
      candidates,
    )
    let manageError: ReplicaFailure | undefined
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, pods)
      } catch (e) {
        manageError = e instanceof ReplicaFailure ? e : new ReplicaFailure('FailedCreate', e instanceof Error ? e.message : String(e))
      }
    }
    const status = calculateStatus(rs, pods, manageError)
    await this.updateStatus(stored, status)
    if (manageError) throw manageError
    const minReady = rs.spec?.minReadySeconds ?? 0
    if (minReady > 0 && status.readyReplicas === rs.spec?.replicas && status.availableReplicas !== rs.spec?.replicas) {
      return { requeueAfterMs: minReady * 1000 }
    }
  }

  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<void> {
    const want = rs.spec?.replicas ?? 1
    const diff = pods.length - want
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS)
      this.expectations.expectCreations(key, n)
      const { created, error } = await slowStartBatch(n, 1, () => this.createPod(rs))
      for (let i = created; i < n; i++) this.expectations.creationObserved(key) // never coming
      if (error) throw new ReplicaFailure('FailedCreate', error.message)
    } else if (diff > 0) {
      const victims = podsToDelete(pods, Math.min(diff, BURST_REPLICAS))
      this.expectations.expectDeletions(key, victims.map(objectKey))
      const errors: Error[] = []
      await Promise.all(
        victims.map(async (p) => {
          try {
            await this.client.delete(refFor(PODS, p.metadata?.namespace, p.metadata?.name))
            this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`)
          } catch (e) {
            this.expectations.deletionObserved(key, objectKey(p))
            if (e instanceof ApiError && e.code === 404) return
            this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`)
            errors.push(e instanceof Error ? e : new Error(String(e)))
          }
        }),
      )
      if (errors.length) throw new ReplicaFailure('FailedDelete', errors[0]!.message)
    }
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    const template = rs.spec?.template ?? {}
    const metadata: KObject['metadata'] = {
      generateName: `${rs.metadata?.name}-`,
      namespace: rs.metadata?.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      ownerReferences: [newControllerRef(rs, this.kind.apiVersion, this.kind.kind)],
    }
    if (template.metadata?.annotations) metadata!.annotations = { ...template.metadata.annotations }
    if (template.metadata?.finalizers) metadata!.finalizers = [...template.metadata.finalizers]
    const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec ?? {}) }
    try {
      const created = await this.client.create(refFor(PODS, rs.metadata?.namespace), pod)
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`)
    } catch (e) {
      this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`)
      throw e
    }
  }

  private async updateStatus(rs: KObject, status: ReplicaSetStatus): Promise<void> {
    if (sameStatus(rs.status as ReplicaSet['status'], status)) return
    let current: KObject = rs
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.update(refFor(this.kind.resource, rs.metadata?.namespace, rs.metadata?.name, 'status'), { ...current, status })
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 1) throw e
        current = await this.client.get<KObject>(refFor(this.kind.resource, rs.metadata?.namespace, rs.metadata?.name))
      }
    }
  }
}

/** Why creating or deleting pods failed; shown as the ReplicaFailure condition. */
export class ReplicaFailure extends Error {
  constructor(
    readonly reason: 'FailedCreate' | 'FailedDelete',
    message: string,
  ) {
    super(message)
  }
}

/**
 * Runs `n` calls in batches of 1, 2, 4, ...; stops after the first batch with a failure
 * (upstream slowStartBatch). Returns how many succeeded and the first error.
 */
export async function slowStartBatch(n: number, initial: number, fn: () => Promise<void>): Promise<{ created: number; error?: Error }> {
  let done = 0
  for (let batch = Math.min(initial, n); done < n; batch = Math.min(2 * batch, n - done)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn))
    const ok = results.filter((r) => r.status === 'fulfilled').length
    done += ok
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) return { created: done, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) }
  }
  return { created: done }
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }

/** Orders pods so the ones to delete first come first (upstream controller.ActivePods). */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assignedA = a.spec?.nodeName ? 1 : 0
  const assignedB = b.spec?.nodeName ? 1 : 0
  if (assignedA !== assignedB) return assignedA - assignedB
  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0
  if (phaseA !== phaseB) return phaseA - phaseB
  const readyA = isPodReady(a) ? 1 : 0
  const readyB = isPodReady(b) ? 1 : 0
  if (readyA !== readyB) return readyA - readyB
  if (readyA && readyB) {
    // ready for less time first
    const ta = Date.parse(podCondition(a, 'Ready')?.lastTransitionTime ?? '') || 0
    const tb = Date.parse(podCondition(b, 'Ready')?.lastTransitionTime ?? '') || 0
    if (ta !== tb) return tb - ta
  }
  const restarts = (p: Pod): number => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0))
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a)
  const ca = Date.parse(a.metadata?.creationTimestamp ?? '') || 0
  const cb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0
  return cb - ca
}

export function podsToDelete(pods: readonly Pod[], n: number): Pod[] {
  return [...pods].sort(compareForDeletion).slice(0, n)
}

export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError?: ReplicaFailure): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {}
  const minReady = rs.spec?.minReadySeconds ?? 0
  const now = Date.now()
  let fullyLabeled = 0
  let ready = 0
  let available = 0
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {}
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++
    if (isPodReady(p)) {
      ready++
      if (isPodAvailable(p, minReady, now)) available++
    }
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata?.generation ?? 0,
  }
  const prior = (rs.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure')
  if (manageError) {
    status.conditions = [
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: manageError.reason,
        message: manageError.message,
        lastTransitionTime: prior?.lastTransitionTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ]
  }
  return status
}

function sameStatus(a: ReplicaSet['status'], b: ReplicaSetStatus): boolean {
  if (!a) return false
  const pick = (s: ReplicaSetStatus): string =>
    JSON.stringify([
      s.replicas ?? 0,
      s.fullyLabeledReplicas ?? 0,
      s.readyReplicas ?? 0,
      s.availableReplicas ?? 0,
      s.observedGeneration ?? 0,
      (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]),
    ])
  return pick(a) === pick(b)
}
