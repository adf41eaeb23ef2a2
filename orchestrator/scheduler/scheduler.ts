// The scheduler: watches pending pods (no nodeName, schedulerName default-scheduler) and nodes,
// and for each pod runs a scheduling cycle: PreFilter, Filter over the nodes (starting where
// the last cycle stopped, and stopping once percentageOfNodesToScore of them fit, as upstream's
// adaptive default: 50% minus 1 point per 125 nodes, at least 5% and at least 100 nodes),
// Score, then the best node (ties broken at random). The pod is assumed onto that node in the
// cache and bound through pods/binding without waiting, so the next cycle starts at once.
// A pod that fits nowhere gets a FailedScheduling event ("0/3 nodes are available: ...") and
// the condition PodScheduled=False (reason Unschedulable) through pods/status, and is retried
// with back-off when nodes or pods change. It only ever binds: running the pod is the kubelet's.
// Mirrors pkg/scheduler (scheduler.go, schedule_one.go, eventhandlers.go).
// Simplifies: one profile; no preemption, no extenders.

import { ApiError } from '../api/errors.js'
import { nowTimestamp } from '../api/meta.js'
import { lookupResource } from '../api/resources.js'
import type { Node, Pod } from '../api/types.js'
import { refFor, type ApiClient } from '../client/client.js'
import { ApiEventRecorder, type EventRecorder } from '../client/events.js'
import { Informer } from '../client/informer.js'
import type { Runnable } from '../client/runnable.js'
import { SchedulerCache } from './cache.js'
import { Code, CycleState, Status } from './framework/interface.js'
import { PodInfo, type NodeInfo } from './framework/nodeinfo.js'
import { Framework, fitErrorMessage, type ProfileConfig, type Registry } from './framework/runtime.js'
import { DEFAULT_PROFILE, IN_TREE_REGISTRY } from './plugins/registry.js'
import { DEFAULT_QUEUE_TIMINGS, SchedulingQueue, type QueuedPodInfo, type QueueTimings } from './queue.js'

const PODS = lookupResource('', 'pods')!
const NODES = lookupResource('', 'nodes')!

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods'
/** Upstream minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
const MIN_FEASIBLE_NODES = 100
const MIN_FEASIBLE_PERCENTAGE = 5

export interface SchedulerConfig {
  /** Percentage of nodes to find feasible before scoring; 0 or absent: adaptive (upstream default). */
  percentageOfNodesToScore?: number
  timings?: Partial<QueueTimings>
  /** Bindings in flight at once; the cycle waits for a slot beyond that. */
  bindConcurrency?: number
  profile?: ProfileConfig
  registry?: Registry
}

/** How many feasible nodes to look for (upstream numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES) return numAllNodes
  let pct = percentage
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.floor(numAllNodes / 125))
  const n = Math.floor((numAllNodes * pct) / 100)
  return Math.min(numAllNodes, Math.max(n, MIN_FEASIBLE_NODES))
}

type ScheduleResult = { node: NodeInfo } | { error: string; rejectedBy: Set<string>; code: Code }

export class Scheduler implements Runnable {
  readonly name = 'kube-scheduler'
  private readonly cache = new SchedulerCache()
  private readonly queue: SchedulingQueue
  private readonly framework: Framework
  private readonly recorder: EventRecorder
  private readonly podInformer: Informer<Pod>
  private readonly nodeInformer: Informer<Node>
  private readonly schedulerName: string
  private readonly bindConcurrency: number
  private readonly inFlight = new Set<string>()
  private bindsInFlight = 0
  private slotWaiters: (() => void)[] = []
  private nextStartNodeIndex = 0
  private loop?: Promise<void>
  private stopped = false

  constructor(
    private readonly client: ApiClient,
    private readonly config: SchedulerConfig = {},
    recorder?: EventRecorder,
  ) {
    const profile = config.profile ?? DEFAULT_PROFILE
    this.schedulerName = profile.schedulerName
    this.framework = new Framework(profile, config.registry ?? IN_TREE_REGISTRY, { handle: this.cache, client })
    this.queue = new SchedulingQueue({ ...DEFAULT_QUEUE_TIMINGS, ...(config.timings ?? {}) })
    this.recorder = recorder ?? new ApiEventRecorder(client, { component: profile.schedulerName })
    this.bindConcurrency = config.bindConcurrency ?? 256
    // finished pods take nothing from their node: leave them out, as upstream does
    this.podInformer = new Informer<Pod>(client, refFor(PODS), { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', pageSize: 5000 })
    this.nodeInformer = new Informer<Node>(client, refFor(NODES), { pageSize: 5000 })
    this.nodeInformer.on({
      add: (n) => {
        this.cache.addNode(n)
        this.queue.moveAllToActiveOrBackoff('NodeAdd')
      },
      update: (old, n) => {
        this.cache.updateNode(n)
        if (nodeSchedulingPropertiesChanged(old, n)) this.queue.moveAllToActiveOrBackoff('NodeUpdate')
      },
      delete: (n) => this.cache.removeNode(n.metadata?.name ?? ''),
    })
    this.podInformer.on({ add: (p) => this.podAdded(p), update: (o, p) => this.podUpdated(o, p), delete: (p) => this.podDeleted(p) })
  }

  async start(): Promise<void> {
    await this.nodeInformer.start()
    await this.podInformer.start()
    this.queue.run()
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.queue.close()
    for (const w of this.slotWaiters.splice(0)) w()
    this.podInformer.stop()
    this.nodeInformer.stop()
    await this.loop
    if (this.recorder instanceof ApiEventRecorder) await this.recorder.stop()
    this.client.close()
  }

  // -------------------------------------------------------------------------------------------
  // event handlers

  private responsibleFor(p: Pod): boolean {
    return (p.spec?.schedulerName ?? 'default-scheduler') === this.schedulerName
  }

  private podAdded(p: Pod): void {
    if (p.spec?.nodeName) {
      this.cache.addPod(p)
      this.queue.moveAllToActiveOrBackoff('AssignedPodAdd')
    } else if (this.responsibleFor(p) && !p.metadata?.deletionTimestamp) {
      if (!this.inFlight.has(p.metadata?.uid ?? '')) this.queue.add(p)
    }
  }

  private podUpdated(old: Pod, p: Pod): void {
    if (p.spec?.nodeName) {
      if (!old.spec?.nodeName) this.queue.delete(p)
      this.cache.updatePod(p)
      if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})) this.queue.moveAllToActiveOrBackoff('AssignedPodUpdate')
      return
    }
    if (!this.responsibleFor(p)) return
    if (p.metadata?.deletionTimestamp) return this.queue.delete(p)
    if (this.inFlight.has(p.metadata?.uid ?? '')) return
    // only a change the scheduler cares about (not its own status write) is worth a new attempt
    if (JSON.stringify(old.spec) !== JSON.stringify(p.spec) || JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {}))
      this.queue.update(p)
  }

  private podDeleted(p: Pod): void {
    if (p.spec?.nodeName || this.cache.isAssumed(p.metadata?.uid ?? '')) {
      this.cache.removePod(p)
      this.queue.moveAllToActiveOrBackoff('AssignedPodDelete')
    }
    this.queue.delete(p)
  }

  // -------------------------------------------------------------------------------------------
  // the scheduling loop

  private async run(): Promise<void> {
    let lastYield = performance.now()
    for (;;) {
      const q = await this.queue.pop()
      if (!q || this.stopped) return
      if (this.bindsInFlight >= this.bindConcurrency) await new Promise<void>((r) => this.slotWaiters.push(r))
      if (this.stopped) return
      try {
        this.scheduleOne(q)
      } catch (e) {
        console.error(`${this.name}: scheduling ${q.pi.key} failed:`, e)
        this.queue.addUnschedulable(q, this.queue.cycle)
      }
      // let watch events and binding answers in (a pop from a full queue never waits), at
      // least every millisecond: often enough for them, rarely enough not to cost much
      if (performance.now() - lastYield >= 1) {
        await new Promise((r) => setImmediate(r))
        lastYield = performance.now()
      }
    }
  }

  private scheduleOne(q: QueuedPodInfo): void {
    const latest = this.podInformer.get(q.pi.key)
    if (!latest || latest.metadata?.uid !== q.pi.uid || latest.spec?.nodeName || latest.metadata?.deletionTimestamp) return
    const cycle = this.queue.cycle
    const state = new CycleState()
    const result = this.schedulePod(state, q.pi)
    if ('error' in result) return this.failed(q, cycle, result)
    const nodeName = result.node.name
    this.cache.assumePod(q.pi.boundTo(nodeName), nodeName)
    this.inFlight.add(q.pi.uid)
    this.bindsInFlight++
    void this.framework
      .runBind(latest, nodeName)
      .then((s) => this.bound(q, latest, nodeName, s, cycle))
      .finally(() => {
        this.inFlight.delete(q.pi.uid)
        this.bindsInFlight--
        this.slotWaiters.shift()?.()
      })
  }

  /** Filter and score; the chosen node, or why there is none. */
  private schedulePod(state: CycleState, pi: PodInfo): ScheduleResult {
    const nodes = this.cache.nodeInfos()
    if (!nodes.length) return { error: NO_NODES_AVAILABLE, rejectedBy: new Set(), code: Code.Unschedulable }
    const pre = this.framework.runPreFilter(state, pi)
    if (!pre.isSuccess()) {
      if (pre.code === Code.Error) return { error: pre.message(), rejectedBy: new Set(), code: Code.Error }
      return { error: fitErrorMessage(nodes.length, [], pre.message()), rejectedBy: new Set([pre.plugin]), code: pre.code }
    }
    const want = numFeasibleNodesToFind(nodes.length, this.config.percentageOfNodesToScore)
    const feasible: NodeInfo[] = []
    const rejections: Status[] = []
    const start = this.nextStartNodeIndex % nodes.length
    let processed = 0
    for (; processed < nodes.length && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % nodes.length]!
      const s = this.framework.runFilter(state, pi, node)
      if (s.isSuccess()) feasible.push(node)
      else if (s.code === Code.Error) return { error: s.message(), rejectedBy: new Set(), code: Code.Error }
      else rejections.push(s)
    }
    this.nextStartNodeIndex = (start + processed) % nodes.length
    if (!feasible.length) {
      return { error: fitErrorMessage(nodes.length, rejections), rejectedBy: new Set(rejections.map((r) => r.plugin)), code: Code.Unschedulable }
    }
    if (feasible.length === 1) return { node: feasible[0]! }
    this.framework.runPreScore(state, pi, feasible)
    const scores = this.framework.runScore(state, pi, feasible)
    return { node: selectHost(feasible, scores) }
  }

  private failed(q: QueuedPodInfo, cycle: number, r: Exclude<ScheduleResult, { node: NodeInfo }>): void {
    q.unschedulablePlugins = r.rejectedBy
    this.queue.addUnschedulable(q, cycle)
    const pod = q.pi.pod
    this.recorder.event(pod, 'Warning', 'FailedScheduling', r.error, { action: 'Scheduling' })
    void this.setUnschedulableCondition(pod, r.error)
  }

  private async bound(q: QueuedPodInfo, pod: Pod, nodeName: string, s: Status, cycle: number): Promise<void> {
    if (s.isSuccess()) {
      const m = pod.metadata ?? {}
      this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${m.namespace}/${m.name} to ${nodeName}`, { action: 'Binding' })
      return
    }
    this.cache.forgetPod(q.pi.uid)
    if (this.stopped) return
    const latest = this.podInformer.get(q.pi.key)
    // deleted, or bound meanwhile (by an earlier attempt, or by someone else): nothing to do
    if (!latest || latest.metadata?.uid !== q.pi.uid || latest.spec?.nodeName || latest.metadata?.deletionTimestamp) return
    if (/already assigned|is being deleted|NotFound/.test(s.message())) return
    q.pi = new PodInfo(latest)
    q.unschedulablePlugins = new Set()
    this.queue.addUnschedulable(q, cycle)
    this.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${s.message()}`, { action: 'Scheduling' })
  }

  /** PodScheduled=False, reason Unschedulable, through pods/status (only when it changes). */
  private async setUnschedulableCondition(pod: Pod, message: string): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return
    try {
      await this.client.patch(
        refFor(PODS, pod.metadata?.namespace, pod.metadata?.name, 'status'),
        {
          status: {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message,
                lastProbeTime: null,
                lastTransitionTime: current?.status === 'False' ? current.lastTransitionTime : nowTimestamp(),
              },
            ],
          },
        },
        'application/strategic-merge-patch+json',
      )
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409)))
        console.error(`${this.name}: updating the condition of ${pod.metadata?.name} failed:`, e instanceof Error ? e.message : e)
    }
  }
}

/** The highest score wins; ties are broken at random (reservoir sampling, as upstream). */
export function selectHost(nodes: readonly NodeInfo[], scores: readonly number[]): NodeInfo {
  let best = 0
  let ties = 1
  for (let i = 1; i < nodes.length; i++) {
    if (scores[i]! > scores[best]!) {
      best = i
      ties = 1
    } else if (scores[i] === scores[best]) {
      ties++
      if (Math.random() * ties < 1) best = i
    }
  }
  return nodes[best]!
}

function nodeSchedulingPropertiesChanged(a: Node, b: Node): boolean {
  return (
    JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {}) ||
    JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? []) ||
    Boolean(a.spec?.unschedulable) !== Boolean(b.spec?.unschedulable) ||
    JSON.stringify(a.status?.allocatable ?? {}) !== JSON.stringify(b.status?.allocatable ?? {})
  )
}
