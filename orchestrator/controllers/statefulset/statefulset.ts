// The StatefulSet controller: pods with stable identities `<set>-0 .. <set>-(N-1)`, each with
// its hostname and the governing Service as subdomain (so a headless Service gives each an
// address of its own). OrderedReady creates them one at a time, lowest ordinal first, each
// Running and Ready before the next, and removes them highest first; Parallel does both at
// once. Every template is a ControllerRevision; status.updateRevision names the newest,
// status.currentRevision the one the set ran before the rollout finished. RollingUpdate
// replaces pods from the highest ordinal down to the partition, one at a time; OnDelete
// replaces them only once deleted by hand. A pod that is lost (its node gone) is made again
// under the same name only once the old pod object is gone: the controller never runs two
// pods of one identity.
// Mirrors pkg/controller/statefulset (stateful_set.go, stateful_set_control.go,
// stateful_pod_control.go). Events: SuccessfulCreate "create Pod web-0 in StatefulSet web
// successful", SuccessfulDelete, FailedCreate, FailedDelete (component statefulset-controller).
// Simplifies: decisions live in ordinals.ts; no PersistentVolumeClaims.

import { ApiError } from '../../api/errors.js'
import { objectKey, type KObject } from '../../api/meta.js'
import { controllerOf, newControllerRef } from '../../api/pods.js'
import { lookupResource } from '../../api/resources.js'
import { fromLabelSelector } from '../../api/selectors.js'
import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { claim } from '../claim.js'
import { Controller, type ControllerContext, type ReconcileResult, type Reconciler } from '../controller.js'
import { CONTROLLER_REVISIONS, ensureRevision, hashOf, ownedRevisions, templatePatch, truncateHistory } from '../history.js'
import { calculateStatus, planStatefulSet, podFor, revisionOf } from './ordinals.js'

const PODS = lookupResource('', 'pods')!
const STATEFULSETS = lookupResource('apps', 'statefulsets')!

type StatefulSetStatus = NonNullable<StatefulSet['status']>

/** The template a revision restores (its data without the `$patch` directive). */
export function templateOf(r: ControllerRevision | undefined): PodTemplateSpec | undefined {
  const t = (r?.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template
  if (!t) return undefined
  const { $patch: _drop, ...template } = t
  return template as PodTemplateSpec
}

export class StatefulSetController implements Reconciler {
  readonly name = 'statefulset-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly setInformer: Informer<StatefulSet>
  private readonly podInformer: Informer<Pod>
  private readonly revInformer: Informer<ControllerRevision>
  private readonly controller: Controller

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('statefulset-controller')
    this.setInformer = ctx.informers.informer<StatefulSet>(STATEFULSETS)
    this.podInformer = ctx.informers.informer<Pod>(PODS)
    this.revInformer = ctx.informers.informer<ControllerRevision>(CONTROLLER_REVISIONS)
    this.setInformer.addIndexer('namespace', byNamespace)
    this.podInformer.addIndexer('namespace', byNamespace)
    this.revInformer.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: ctx.config.concurrentStatefulSetSyncs ?? 5 })
    this.setInformer.on({
      add: (s) => this.controller.enqueue(objectKey(s)),
      update: (_old, s) => this.controller.enqueue(objectKey(s)),
    })
    this.podInformer.on({ add: (p) => this.podEvent(p), update: (o, p) => this.podEvent(p, o), delete: (p) => this.podEvent(p) })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  private ownerKey(o: KObject): string | undefined {
    const ref = controllerOf(o)
    if (!ref || ref.kind !== 'StatefulSet') return undefined
    const key = `${o.metadata?.namespace}/${ref.name}`
    return this.setInformer.get(key)?.metadata?.uid === ref.uid ? key : undefined
  }

  private podEvent(p: Pod, old?: Pod): void {
    for (const pod of old ? [old, p] : [p]) {
      const key = this.ownerKey(pod)
      if (key) this.controller.enqueue(key)
      else if (!controllerOf(pod))
        for (const s of this.setInformer.byIndex('namespace', pod.metadata?.namespace ?? '')) {
          if (fromLabelSelector(s.spec?.selector).matches(pod.metadata?.labels)) this.controller.enqueue(objectKey(s))
        }
    }
  }

  // -------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const set = this.setInformer.get(key)
    if (!set || set.metadata?.deletionTimestamp) return
    const ns = set.metadata?.namespace ?? ''
    const revisions = ownedRevisions(set, this.revInformer.byIndex('namespace', ns))
    const hash = hashOf(templatePatch(set.spec?.template), set.status?.collisionCount ?? 0)
    const update = await ensureRevision(
      this.client,
      {
        owner: set,
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        labels: { ...(set.spec?.template?.metadata?.labels ?? {}) },
        data: templatePatch(set.spec?.template),
        hash,
      },
      revisions,
    )
    const updateRevision = update.metadata?.name ?? ''
    const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update
    const currentRevision = current.metadata?.name ?? updateRevision
    const pods = await claim(
      this.client,
      {
        owner: set,
        ownerRef: newControllerRef(set, 'apps/v1', 'StatefulSet'),
        selector: fromLabelSelector(set.spec?.selector),
        refOf: (o) => refFor(PODS, o.metadata?.namespace, o.metadata?.name),
        fresh: () => this.client.get(refFor(STATEFULSETS, ns, set.metadata?.name)).catch(() => undefined),
      },
      this.podInformer.byIndex('namespace', ns),
    )
    const plan = planStatefulSet(set, pods, updateRevision)
    const errors: Error[] = []
    await Promise.all([
      ...plan.create.map(async ({ ordinal, current: useCurrent }) => {
        const pod = useCurrent
          ? podFor(set, templateOf(current) ?? set.spec?.template, ordinal, currentRevision)
          : podFor(set, set.spec?.template, ordinal, updateRevision)
        pod.metadata!.ownerReferences = [newControllerRef(set, 'apps/v1', 'StatefulSet')]
        await this.createPod(set, pod).catch((e: Error) => errors.push(e))
      }),
      ...plan.delete.map((name) => this.deletePod(set, name).catch((e: Error) => errors.push(e))),
    ])
    const live = new Set([updateRevision, currentRevision, ...pods.map(revisionOf)])
    await truncateHistory(this.client, [...revisions.filter((r) => r.metadata?.name !== updateRevision), update], live, set.spec?.revisionHistoryLimit ?? 10)
    const status = calculateStatus(set, pods, currentRevision, updateRevision)
    await this.updateStatus(set, status)
    if (errors.length) throw errors[0]!
    const minReady = set.spec?.minReadySeconds ?? 0
    if (minReady > 0 && status.readyReplicas !== status.availableReplicas) return { requeueAfterMs: minReady * 1000 }
  }

  private async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    const name = pod.metadata?.name
    try {
      await this.client.create(refFor(PODS, set.metadata?.namespace), pod)
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata?.name} successful`)
    } catch (e) {
      // the pod of this name still exists (the cache is behind): its events bring us back
      if (e instanceof ApiError && e.code === 409) return
      this.recorder.event(
        set,
        'Warning',
        'FailedCreate',
        `create Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${e instanceof Error ? e.message : String(e)}`,
      )
      throw e
    }
  }

  private async deletePod(set: StatefulSet, name: string): Promise<void> {
    try {
      await this.client.delete(refFor(PODS, set.metadata?.namespace, name))
      this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${set.metadata?.name} successful`)
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return
      this.recorder.event(
        set,
        'Warning',
        'FailedDelete',
        `delete Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${e instanceof Error ? e.message : String(e)}`,
      )
      throw e
    }
  }

  private async updateStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    if (sameStatus(set.status, status)) return
    let current: StatefulSet = set
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.update(refFor(STATEFULSETS, set.metadata?.namespace, set.metadata?.name, 'status'), { ...current, status })
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 1) throw e
        current = await this.client.get<StatefulSet>(refFor(STATEFULSETS, set.metadata?.namespace, set.metadata?.name))
      }
    }
  }
}

function sameStatus(a: StatefulSet['status'], b: StatefulSetStatus): boolean {
  if (!a) return false
  const keys: (keyof StatefulSetStatus)[] = [
    'observedGeneration',
    'replicas',
    'readyReplicas',
    'currentReplicas',
    'updatedReplicas',
    'currentRevision',
    'updateRevision',
    'availableReplicas',
  ]
  return keys.every((k) => (a[k] ?? 0) === (b[k] ?? 0))
}
