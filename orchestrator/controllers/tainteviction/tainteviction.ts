// The taint eviction controller (the "taint manager"): a pod on a node with NoExecute taints
// is deleted at once if it does not tolerate one of them, or when the shortest tolerationSeconds
// of the tolerations it uses runs out (DefaultTolerationSeconds gives every pod 300 s for
// not-ready and unreachable); a deletion waiting for its time is cancelled when the taints go,
// the pod goes, or its tolerations allow it to stay forever. Before deleting, the pod gets the
// DisruptionTarget condition (DeletionByTaintManager); Events: TaintManagerEviction "Marking for
// deletion Pod <ns>/<name>" and "Cancelling deletion of Pod <ns>/<name>". The pods' controllers
// then replace them on nodes that can take them.
// Mirrors pkg/controller/tainteviction/taint_eviction.go (processPodOnNode, getMinTolerationTime,
// addConditionAndDeletePod; the toleration counts from when the controller saw the taint).
// Simplifies: one timer per waiting pod instead of sharded workers; pods already being deleted
// are left alone.

import { ApiError } from '../../api/errors.js'
import { nowTimestamp, objectKey } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import { matchingTolerations, minTolerationMs } from '../../api/taints.js'
import type { Node, Pod, Taint } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import type { Informer } from '../../client/informer.js'
import type { Runnable } from '../../client/runnable.js'
import type { ControllerContext } from '../controller.js'

const NODES = lookupResource('', 'nodes')!
const PODS = lookupResource('', 'pods')!
const RETRIES = 5

interface Scheduled {
  /** When the deletion was first scheduled (the toleration counts from here). */
  createdAt: number
  fireAt: number
  timer: NodeJS.Timeout
}

function noExecute(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute')
}

export class TaintEvictionController implements Runnable {
  readonly name = 'taint-eviction-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly nodes: Informer<Node>
  private readonly pods: Informer<Pod>
  private readonly tainted = new Map<string, Taint[]>()
  private readonly scheduled = new Map<string, Scheduled>()
  private readonly inFlight = new Set<Promise<void>>()
  private started = false

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('taint-eviction-controller')
    this.nodes = ctx.informers.informer<Node>(NODES)
    this.pods = ctx.informers.informer<Pod>(PODS).addIndexer('nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []))
    this.nodes.on({
      add: (n) => this.nodeUpdated(undefined, n),
      update: (o, n) => this.nodeUpdated(o, n),
      delete: (n) => this.nodeUpdated(n, undefined),
    })
    this.pods.on({
      add: (p) => this.podUpdated(undefined, p),
      update: (o, p) => this.podUpdated(o, p),
      delete: (p) => this.cancel(objectKey(p), true),
    })
  }

  async start(): Promise<void> {
    this.started = true
    for (const n of this.nodes.list()) this.handleNode(n.metadata?.name ?? '')
  }

  async stop(): Promise<void> {
    this.started = false
    for (const s of this.scheduled.values()) clearTimeout(s.timer)
    this.scheduled.clear()
    await Promise.allSettled([...this.inFlight])
  }

  private nodeUpdated(old: Node | undefined, node: Node | undefined): void {
    if (old && node && JSON.stringify(noExecute(old.spec?.taints)) === JSON.stringify(noExecute(node.spec?.taints))) return
    if (this.started) this.handleNode((node ?? old)?.metadata?.name ?? '')
  }

  private podUpdated(old: Pod | undefined, pod: Pod): void {
    if (
      old &&
      old.spec?.nodeName === pod.spec?.nodeName &&
      JSON.stringify(old.spec?.tolerations ?? []) === JSON.stringify(pod.spec?.tolerations ?? []) &&
      Boolean(old.metadata?.deletionTimestamp) === Boolean(pod.metadata?.deletionTimestamp)
    )
      return
    if (!this.started) return
    const node = pod.spec?.nodeName
    if (!node) return
    const taints = this.tainted.get(node)
    if (!taints) return
    this.processPod(pod, taints, Date.now())
  }

  private handleNode(name: string): void {
    const node = this.nodes.get(name)
    const taints = noExecute(node?.spec?.taints)
    if (!node || !taints.length) {
      this.tainted.delete(name)
      for (const p of this.pods.byIndex('nodeName', name)) this.cancel(objectKey(p), true)
      return
    }
    this.tainted.set(name, taints)
    const now = Date.now()
    for (const p of this.pods.byIndex('nodeName', name)) this.processPod(p, taints, now)
  }

  /** Upstream processPodOnNode. */
  private processPod(pod: Pod, taints: readonly Taint[], now: number): void {
    const key = objectKey(pod)
    if (pod.metadata?.deletionTimestamp) return this.cancel(key, false)
    if (!taints.length) return this.cancel(key, true)
    const { allTolerated, used } = matchingTolerations(taints, pod.spec?.tolerations ?? [])
    if (!allTolerated) {
      this.cancel(key, true)
      return this.schedule(pod, now, now)
    }
    const min = minTolerationMs(used)
    if (min < 0) return this.cancel(key, true)
    const existing = this.scheduled.get(key)
    if (existing) {
      if (existing.createdAt + min < now + min) return
      this.cancel(key, true)
    }
    this.schedule(pod, existing?.createdAt ?? now, now + min)
  }

  private schedule(pod: Pod, createdAt: number, fireAt: number): void {
    const key = objectKey(pod)
    const timer = setTimeout(
      () => {
        this.scheduled.delete(key)
        const p = this.evict(pod).finally(() => this.inFlight.delete(p))
        this.inFlight.add(p)
      },
      Math.max(0, fireAt - Date.now()),
    )
    timer.unref()
    this.scheduled.set(key, { createdAt, fireAt, timer })
  }

  private cancel(key: string, withEvent: boolean): void {
    const s = this.scheduled.get(key)
    if (!s) return
    clearTimeout(s.timer)
    this.scheduled.delete(key)
    if (!withEvent) return
    const [namespace, name] = key.split('/')
    this.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } }, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`)
  }

  /** Upstream deletePodHandler + addConditionAndDeletePod. */
  private async evict(pod: Pod): Promise<void> {
    if (!this.started) return
    const key = objectKey(pod)
    const m = pod.metadata ?? {}
    this.recorder.event(
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: m.namespace, name: m.name } },
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${key}`,
    )
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      try {
        await this.client.patch(
          refFor(PODS, m.namespace, m.name, 'status'),
          {
            status: {
              conditions: [
                {
                  type: 'DisruptionTarget',
                  status: 'True',
                  reason: 'DeletionByTaintManager',
                  message: 'Taint manager: deleting due to NoExecute taint',
                  lastTransitionTime: nowTimestamp(),
                },
              ],
            },
          },
          'application/strategic-merge-patch+json',
        )
        await this.client.delete(refFor(PODS, m.namespace, m.name))
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return
        if (attempt === RETRIES - 1 || !this.started) {
          console.error(`${this.name}: deleting pod ${key} failed:`, e instanceof Error ? e.message : e)
          return
        }
        await new Promise((r) => setTimeout(r, 10))
      }
    }
  }
}
