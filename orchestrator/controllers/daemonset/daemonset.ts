// The DaemonSet controller: one daemon pod on every node the DaemonSet's template fits (node
// name, node selector, required node affinity, taints against its tolerations and the ones
// every daemon pod gets). A node that appears, or that becomes eligible again (a taint gone, a
// label added), gets its pod; a pod on a node that no longer tolerates it (an untolerated
// NoExecute taint, a label gone) is deleted. Pods are created unbound with the node affinity
// `metadata.name In [<node>]`, so the default scheduler binds them. Each template is recorded as
// a ControllerRevision (rollout history, `kubectl rollout undo`) and its hash labels the pods
// (`controller-revision-hash`); RollingUpdate replaces old pods within maxUnavailable (or starts
// new ones beside them within maxSurge), OnDelete waits for old pods to be deleted by hand.
// Status: desired / current / ready / available / updated / misscheduled, observedGeneration.
// Mirrors pkg/controller/daemon (daemon_controller.go, update.go). Events: SuccessfulCreate,
// FailedCreate, SuccessfulDelete, FailedDelete (component daemonset-controller).
// Simplifies: no slow-start batches and no failed-pod back-off; decisions live in placement.ts.

import { ApiError } from '../../api/errors.js'
import { objectKey, type KObject } from '../../api/meta.js'
import { controllerOf, newControllerRef } from '../../api/pods.js'
import { lookupResource } from '../../api/resources.js'
import { fromLabelSelector } from '../../api/selectors.js'
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { claim } from '../claim.js'
import { Controller, type ControllerContext, type ReconcileResult, type Reconciler } from '../controller.js'
import { Expectations } from '../expectations.js'
import { CONTROLLER_REVISIONS, ensureRevision, hashOf, ownedRevisions, REVISION_HASH_LABEL, templatePatch, truncateHistory } from '../history.js'
import { calculateStatus, planNodes, planRollingUpdate, podFor, targetNode, type NodePlan } from './placement.js'

const PODS = lookupResource('', 'pods')!
const NODES = lookupResource('', 'nodes')!
const DAEMONSETS = lookupResource('apps', 'daemonsets')!

type DaemonSetStatus = NonNullable<DaemonSet['status']>

export class DaemonSetController implements Reconciler {
  readonly name = 'daemonset-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly dsInformer: Informer<DaemonSet>
  private readonly podInformer: Informer<Pod>
  private readonly nodeInformer: Informer<Node>
  private readonly revInformer: Informer<ControllerRevision>
  private readonly controller: Controller
  readonly expectations = new Expectations()

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('daemonset-controller')
    this.dsInformer = ctx.informers.informer<DaemonSet>(DAEMONSETS)
    this.podInformer = ctx.informers.informer<Pod>(PODS)
    this.nodeInformer = ctx.informers.informer<Node>(NODES)
    this.revInformer = ctx.informers.informer<ControllerRevision>(CONTROLLER_REVISIONS)
    this.dsInformer.addIndexer('namespace', byNamespace)
    this.podInformer.addIndexer('namespace', byNamespace)
    this.revInformer.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: ctx.config.concurrentDaemonSetSyncs ?? 2 })
    this.dsInformer.on({
      add: (ds) => this.controller.enqueue(objectKey(ds)),
      update: (_old, ds) => this.controller.enqueue(objectKey(ds)),
      delete: (ds) => this.expectations.delete(objectKey(ds)),
    })
    this.podInformer.on({
      add: (p) => this.podEvent(p, 'add'),
      update: (old, p) => {
        if (p.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) this.podEvent(p, 'delete')
        else this.podEvent(p)
      },
      delete: (p) => this.podEvent(p, 'delete'),
    })
    this.nodeInformer.on({
      add: () => this.enqueueAll(),
      update: (old, n) => {
        if (nodeEligibilityChanged(old, n)) this.enqueueAll()
      },
      delete: () => this.enqueueAll(),
    })
    this.revInformer.on({ delete: (r) => this.enqueueOwner(r) })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  private enqueueAll(): void {
    for (const ds of this.dsInformer.list()) this.controller.enqueue(objectKey(ds))
  }

  private ownerKey(o: KObject): string | undefined {
    const ref = controllerOf(o)
    if (!ref || ref.kind !== 'DaemonSet') return undefined
    const key = `${o.metadata?.namespace}/${ref.name}`
    return this.dsInformer.get(key)?.metadata?.uid === ref.uid ? key : undefined
  }

  private enqueueOwner(o: KObject): void {
    const key = this.ownerKey(o)
    if (key) this.controller.enqueue(key)
  }

  private podEvent(p: Pod, what?: 'add' | 'delete'): void {
    const key = this.ownerKey(p)
    if (key) {
      if (what === 'add') this.expectations.creationObserved(key)
      if (what === 'delete') this.expectations.deletionObserved(key, objectKey(p))
      this.controller.enqueue(key)
      return
    }
    // an orphan one of our selectors matches may be adopted
    if (!controllerOf(p))
      for (const ds of this.dsInformer.byIndex('namespace', p.metadata?.namespace ?? '')) {
        if (fromLabelSelector(ds.spec?.selector).matches(p.metadata?.labels)) this.controller.enqueue(objectKey(ds))
      }
  }

  // -------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const ds = this.dsInformer.get(key)
    if (!ds) {
      this.expectations.delete(key)
      return
    }
    if (ds.metadata?.deletionTimestamp) return
    const nodes = this.nodeInformer.list()
    const ns = ds.metadata?.namespace ?? ''
    // history: the current template's revision, the newest
    const hash = hashOf(ds.spec?.template, ds.status?.collisionCount)
    const revisions = ownedRevisions(ds, this.revInformer.byIndex('namespace', ns))
    const current = await ensureRevision(
      this.client,
      {
        owner: ds,
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        data: templatePatch(ds.spec?.template),
        hash,
      },
      revisions,
    )
    const pods = await claim(
      this.client,
      {
        owner: ds,
        ownerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'),
        selector: fromLabelSelector(ds.spec?.selector),
        refOf: (o) => refFor(PODS, o.metadata?.namespace, o.metadata?.name),
        fresh: () => this.client.get(refFor(DAEMONSETS, ns, ds.metadata?.name)).catch(() => undefined),
      },
      this.podInformer.byIndex('namespace', ns),
    )
    const byNode = groupByNode(pods)
    if (this.expectations.satisfied(key)) {
      await this.apply(key, ds, planNodes(ds, nodes, byNode, hash), hash)
      if (ds.spec?.updateStrategy?.type !== 'OnDelete' && this.expectations.satisfied(key)) {
        await this.apply(key, ds, planRollingUpdate(ds, nodes, byNode, hash), hash)
      }
      const live = new Set([current.metadata?.name ?? '', ...pods.map((p) => `${ds.metadata?.name}-${p.metadata?.labels?.[REVISION_HASH_LABEL] ?? ''}`)])
      await truncateHistory(this.client, [...revisions, current], live, ds.spec?.revisionHistoryLimit ?? 10)
    }
    const status = calculateStatus(ds, nodes, byNode, hash)
    await this.updateStatus(ds, status)
    const minReady = ds.spec?.minReadySeconds ?? 0
    if (minReady > 0 && status.numberReady !== status.numberAvailable) return { requeueAfterMs: minReady * 1000 }
  }

  /** Creates the pods of `plan.create` and deletes those of `plan.delete`, with expectations. */
  private async apply(key: string, ds: DaemonSet, plan: NodePlan, hash: string): Promise<void> {
    const ns = ds.metadata?.namespace
    const errors: Error[] = []
    if (plan.create.length) {
      this.expectations.expectCreations(key, plan.create.length)
      await Promise.all(
        plan.create.map(async (node) => {
          const pod = podFor(ds, node, hash)
          pod.metadata!.ownerReferences = [newControllerRef(ds, 'apps/v1', 'DaemonSet')]
          try {
            const created = await this.client.create(refFor(PODS, ns), pod)
            this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`)
          } catch (e) {
            this.expectations.creationObserved(key)
            this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`)
            errors.push(e instanceof Error ? e : new Error(String(e)))
          }
        }),
      )
    }
    if (plan.delete.length) {
      this.expectations.expectDeletions(
        key,
        plan.delete.map((n) => `${ns}/${n}`),
      )
      await Promise.all(
        plan.delete.map(async (name) => {
          try {
            await this.client.delete(refFor(PODS, ns, name))
            this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`)
          } catch (e) {
            this.expectations.deletionObserved(key, `${ns}/${name}`)
            if (e instanceof ApiError && e.code === 404) return
            this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`)
            errors.push(e instanceof Error ? e : new Error(String(e)))
          }
        }),
      )
    }
    if (errors.length) throw errors[0]!
  }

  private async updateStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    if (sameStatus(ds.status, status)) return
    let current: DaemonSet = ds
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.update(refFor(DAEMONSETS, ds.metadata?.namespace, ds.metadata?.name, 'status'), { ...current, status })
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 1) throw e
        current = await this.client.get<DaemonSet>(refFor(DAEMONSETS, ds.metadata?.namespace, ds.metadata?.name))
      }
    }
  }
}

/** Claimed pods by the node they are for (scheduled or not yet). */
export function groupByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>()
  for (const p of pods) {
    const node = targetNode(p)
    if (!node) continue
    const list = m.get(node) ?? []
    list.push(p)
    m.set(node, list)
  }
  return m
}

/** Whether a node change can change where daemon pods should run (labels, taints, name). */
export function nodeEligibilityChanged(old: Node, n: Node): boolean {
  const pick = (x: Node): string => JSON.stringify([x.metadata?.labels ?? {}, x.spec?.taints ?? [], x.spec?.unschedulable ?? false])
  return pick(old) !== pick(n)
}

function sameStatus(a: DaemonSet['status'], b: DaemonSetStatus): boolean {
  if (!a) return false
  const keys: (keyof DaemonSetStatus)[] = [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
    'observedGeneration',
    'updatedNumberScheduled',
    'numberAvailable',
    'numberUnavailable',
  ]
  return keys.every((k) => (a[k] ?? 0) === (b[k] ?? 0))
}
