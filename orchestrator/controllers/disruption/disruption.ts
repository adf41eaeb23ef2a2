// The disruption controller: keeps every PodDisruptionBudget's status current (expectedPods,
// desiredHealthy, currentHealthy, disruptionsAllowed, disruptedPods, observedGeneration and the
// DisruptionAllowed condition), so the Eviction API can say yes or no at once. It recomputes a
// budget when its pods, their controllers' scale or the budget itself change, and drops
// evictions from disruptedPods once the pod is seen going (or after 2 minutes).
// Mirrors pkg/controller/disruption/disruption.go (trySync, failSafe; events NoPods,
// UnmanagedPods, CalculateExpectedPodCountFailed, NotDeleted; component controllermanager).
// Simplifies: the controllers whose scale counts are ReplicaSets and the Deployments that own
// them (the only workload controllers this cluster has); no stale DisruptionTarget cleanup.

import { ApiError } from '../../api/errors.js'
import { objectKey } from '../../api/meta.js'
import { pdbSelects, SYNC_FAILED, withPdbCondition, type PdbStatus, type PodDisruptionBudget } from '../../api/pdb.js'
import { controllerOf } from '../../api/pods.js'
import { lookupResource } from '../../api/resources.js'
import type { Deployment, Pod, ReplicaSet } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'
import { budgetStatus, countHealthy, disruptedPods, expectedPodCount, type ScaleOf } from './budget.js'

const PDBS = lookupResource('policy', 'poddisruptionbudgets')!
const PODS = lookupResource('', 'pods')!
const REPLICASETS = lookupResource('apps', 'replicasets')!
const DEPLOYMENTS = lookupResource('apps', 'deployments')!

/** Status fields compared to decide whether a write is needed (condition times aside). */
function comparable(s: PdbStatus | undefined): string {
  return JSON.stringify({ ...(s ?? {}), conditions: (s?.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c) })
}

export class DisruptionController implements Reconciler {
  readonly name = 'disruption-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly pdbs: Informer<PodDisruptionBudget>
  private readonly pods: Informer<Pod>
  private readonly replicaSets: Informer<ReplicaSet>
  private readonly deployments: Informer<Deployment>
  private readonly queue: Controller

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('controllermanager')
    this.pdbs = ctx.informers.informer<PodDisruptionBudget>(PDBS).addIndexer('namespace', byNamespace)
    this.pods = ctx.informers.informer<Pod>(PODS).addIndexer('namespace', byNamespace)
    this.replicaSets = ctx.informers.informer<ReplicaSet>(REPLICASETS)
    this.deployments = ctx.informers.informer<Deployment>(DEPLOYMENTS)
    this.queue = new Controller(this, { workers: 2 })
    this.pdbs.on({ add: (p) => this.queue.enqueue(objectKey(p)), update: (_o, p) => this.queue.enqueue(objectKey(p)) })
    this.pods.on({
      add: (p) => this.enqueueFor(p),
      update: (o, p) => {
        this.enqueueFor(p)
        if (JSON.stringify(o.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})) this.enqueueFor(o)
      },
      delete: (p) => this.enqueueFor(p),
    })
    const scaleChanged = (
      o: { spec?: { replicas?: number }; metadata?: { namespace?: string } },
      n: { spec?: { replicas?: number }; metadata?: { namespace?: string } },
    ): void => {
      if (o.spec?.replicas !== n.spec?.replicas) this.enqueueNamespace(n.metadata?.namespace ?? '')
    }
    this.replicaSets.on({ update: scaleChanged })
    this.deployments.on({ update: scaleChanged })
  }

  async start(): Promise<void> {
    this.queue.start()
  }

  async stop(): Promise<void> {
    await this.queue.stop()
  }

  private enqueueFor(p: Pod): void {
    for (const pdb of this.pdbs.byIndex('namespace', p.metadata?.namespace ?? '')) if (pdbSelects(pdb, p.metadata?.labels)) this.queue.enqueue(objectKey(pdb))
  }

  private enqueueNamespace(ns: string): void {
    for (const pdb of this.pdbs.byIndex('namespace', ns)) this.queue.enqueue(objectKey(pdb))
  }

  /** A pod's controller and its replicas: a ReplicaSet, or the Deployment that owns it. */
  private readonly scaleOf: ScaleOf = (pod) => {
    const ref = controllerOf(pod)
    if (!ref || ref.kind !== 'ReplicaSet') return undefined
    const rs = this.replicaSets.get(`${pod.metadata?.namespace}/${ref.name}`)
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined
    const owner = controllerOf(rs)
    if (owner?.kind === 'Deployment') {
      const d = this.deployments.get(`${pod.metadata?.namespace}/${owner.name}`)
      if (d && d.metadata?.uid === owner.uid) return { uid: d.metadata.uid!, replicas: d.spec?.replicas ?? 1 }
    }
    return { uid: rs.metadata!.uid!, replicas: rs.spec?.replicas ?? 1 }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const pdb = this.pdbs.get(key)
    if (!pdb) return
    const ns = pdb.metadata?.namespace ?? ''
    const pods = this.pods.byIndex('namespace', ns).filter((p) => pdbSelects(pdb, p.metadata?.labels))
    if (!pods.length) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found')
    let expected: ReturnType<typeof expectedPodCount>
    try {
      expected = expectedPodCount(pdb, pods, this.scaleOf)
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e)
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${why}`)
      await this.write(
        pdb,
        withPdbCondition({ ...(pdb.status ?? {}), disruptionsAllowed: 0 }, { type: 'DisruptionAllowed', status: 'False', reason: SYNC_FAILED, message: why }),
      )
      return { requeueAfterMs: 5_000 }
    }
    if (expected.unmanaged.length) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? {})}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      )
    }
    const now = Date.now()
    const disrupted = disruptedPods(pods, pdb.status?.disruptedPods, now)
    for (const name of disrupted.expired) {
      const pod = pods.find((p) => p.metadata?.name === name)
      if (pod) this.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${pdb.metadata?.name} to be deleted but it wasn't`)
    }
    const status = budgetStatus(pdb, { ...expected, currentHealthy: countHealthy(pods, disrupted.map, now), disrupted: disrupted.map })
    await this.write(pdb, status)
    if (disrupted.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, disrupted.recheckAt - now) + 10 }
  }

  /** Writes the status when it changed; a conflict is retried through the queue. */
  private async write(pdb: PodDisruptionBudget, status: PdbStatus): Promise<void> {
    if (comparable(status) === comparable(pdb.status)) return
    try {
      await this.client.update(refFor(PDBS, pdb.metadata?.namespace, pdb.metadata?.name, 'status'), { ...pdb, status })
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return
      throw e
    }
  }
}
