// The scheduling queue: pending pods wait in activeQ (highest priority first, then oldest);
// a pod that did not fit waits in unschedulablePods until something that could make it fit
// happens (a node added or changed, a bound pod deleted or changed), then moves to backoffQ
// until its back-off (1s doubling per attempt, at most 10s) has passed, then back to activeQ.
// Pods that sat unschedulable longer than podMaxInUnschedulablePodsDuration are retried anyway.
// Mirrors pkg/scheduler/backend/queue/scheduling_queue.go (PriorityQueue), with upstream's
// defaults. Simplifies: events move every pod whose rejecting plugins could care, without
// per-plugin queueing hints.

import type { Pod } from '../api/types.js'
import { PodInfo } from './framework/nodeinfo.js'

export interface QueueTimings {
  podInitialBackoffMs: number
  podMaxBackoffMs: number
  podMaxInUnschedulablePodsDurationMs: number
}

export const DEFAULT_QUEUE_TIMINGS: QueueTimings = {
  podInitialBackoffMs: 1_000,
  podMaxBackoffMs: 10_000,
  podMaxInUnschedulablePodsDurationMs: 5 * 60_000,
}

export interface QueuedPodInfo {
  pi: PodInfo
  /** Scheduling attempts so far. */
  attempts: number
  /** When it was last queued (activeQ order) and first queued (latency). */
  timestamp: number
  initialAttemptTimestamp: number
  /** Plugins that rejected it last time (empty: an error, retried on any event). */
  unschedulablePlugins: Set<string>
}

/** Cluster events that may make an unschedulable pod fit, and the plugins they matter to. */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete'

const EVENT_PLUGINS: Record<ClusterEvent, Set<string> | 'all'> = {
  NodeAdd: 'all',
  NodeUpdate: 'all',
  AssignedPodAdd: new Set(['InterPodAffinity']),
  AssignedPodUpdate: new Set(['InterPodAffinity']),
  AssignedPodDelete: new Set(['NodeResourcesFit', 'NodePorts', 'InterPodAffinity']),
}

class Heap<T> {
  private items: T[] = []
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length
  }
  peek(): T | undefined {
    return this.items[0]
  }
  push(x: T): void {
    const a = this.items
    a.push(x)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(a[i]!, a[p]!)) break
      ;[a[i], a[p]] = [a[p]!, a[i]!]
      i = p
    }
  }
  pop(): T | undefined {
    const a = this.items
    if (!a.length) return undefined
    const top = a[0]
    const last = a.pop()!
    if (a.length) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m]!, a[i]!]
        i = m
      }
    }
    return top
  }
}

type Where = 'active' | 'backoff' | 'unschedulable'

export class SchedulingQueue {
  /** Entries are current only while `where` maps their uid to them (stale heap entries are skipped). */
  private readonly where = new Map<string, { q: QueuedPodInfo; at: Where; expiry: number }>()
  private readonly active = new Heap<QueuedPodInfo>((a, b) => priority(b) < priority(a) || (priority(a) === priority(b) && a.timestamp < b.timestamp))
  private readonly backoff = new Heap<{ q: QueuedPodInfo; expiry: number }>((a, b) => a.expiry < b.expiry)
  private readonly waiters: ((q: QueuedPodInfo | undefined) => void)[] = []
  private schedulingCycle = 0
  private moveRequestCycle = -1
  private closed = false
  private readonly timers: NodeJS.Timeout[] = []

  constructor(
    private readonly timings: QueueTimings = DEFAULT_QUEUE_TIMINGS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the periodic flushes (backoffQ every second, leftover unschedulable pods every 30s). */
  run(): void {
    const a = setInterval(() => this.flushBackoffCompleted(), 1_000)
    const b = setInterval(() => this.flushUnschedulableLeftover(), 30_000)
    a.unref()
    b.unref()
    this.timers.push(a, b)
  }

  close(): void {
    this.closed = true
    for (const t of this.timers) clearInterval(t)
    for (const w of this.waiters.splice(0)) w(undefined)
  }

  get cycle(): number {
    return this.schedulingCycle
  }

  /** Pods waiting anywhere in the queue. */
  get length(): number {
    return this.where.size
  }

  has(uid: string): boolean {
    return this.where.has(uid)
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const pi = new PodInfo(pod)
    if (this.where.has(pi.uid)) return this.update(pod)
    const now = this.now()
    this.toActive({ pi, attempts: 0, timestamp: now, initialAttemptTimestamp: now, unschedulablePlugins: new Set() })
  }

  /** A pending pod changed: keep its place, or retry it if it was unschedulable (it may fit now). */
  update(pod: Pod): void {
    const uid = pod.metadata?.uid ?? ''
    const e = this.where.get(uid)
    if (!e) return this.add(pod)
    e.q.pi = new PodInfo(pod)
    if (e.at === 'unschedulable') this.move(e.q)
  }

  delete(pod: Pod): void {
    this.where.delete(pod.metadata?.uid ?? '')
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    for (;;) {
      const q = this.active.pop()
      if (!q) break
      const e = this.where.get(q.pi.uid)
      if (!e || e.q !== q || e.at !== 'active') continue // stale
      this.where.delete(q.pi.uid)
      q.attempts++
      this.schedulingCycle++
      return Promise.resolve(q)
    }
    if (this.closed) return Promise.resolve(undefined)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /**
   * A pod the cycle could not place. If something changed while it was being scheduled it is
   * retried after its back-off; otherwise it waits for a relevant event.
   */
  addUnschedulable(q: QueuedPodInfo, podSchedulingCycle: number): void {
    if (this.closed || this.where.has(q.pi.uid)) return
    q.timestamp = this.now()
    if (this.moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins.size === 0) {
      this.toBackoff(q)
      return
    }
    this.where.set(q.pi.uid, { q, at: 'unschedulable', expiry: 0 })
  }

  /** Something happened in the cluster: retry the unschedulable pods it could help. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    const plugins = EVENT_PLUGINS[event]
    for (const e of [...this.where.values()]) {
      if (e.at !== 'unschedulable') continue
      if (plugins !== 'all' && ![...e.q.unschedulablePlugins].some((p) => plugins.has(p))) continue
      this.move(e.q)
    }
    this.moveRequestCycle = this.schedulingCycle
  }

  backoffDuration(q: QueuedPodInfo): number {
    let d = this.timings.podInitialBackoffMs
    for (let i = 1; i < q.attempts; i++) {
      d *= 2
      if (d >= this.timings.podMaxBackoffMs) return this.timings.podMaxBackoffMs
    }
    return Math.min(d, this.timings.podMaxBackoffMs)
  }

  flushBackoffCompleted(): void {
    const now = this.now()
    for (;;) {
      const top = this.backoff.peek()
      if (!top || top.expiry > now) return
      this.backoff.pop()
      const e = this.where.get(top.q.pi.uid)
      if (!e || e.q !== top.q || e.at !== 'backoff') continue
      this.toActive(top.q)
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.now()
    for (const e of [...this.where.values()]) {
      if (e.at === 'unschedulable' && now - e.q.timestamp > this.timings.podMaxInUnschedulablePodsDurationMs) this.move(e.q)
    }
  }

  // -------------------------------------------------------------------------------------------

  private move(q: QueuedPodInfo): void {
    const expiry = q.timestamp + this.backoffDuration(q)
    if (q.attempts > 0 && expiry > this.now()) this.toBackoff(q)
    else this.toActive(q)
  }

  private toBackoff(q: QueuedPodInfo): void {
    const expiry = q.timestamp + this.backoffDuration(q)
    this.where.set(q.pi.uid, { q, at: 'backoff', expiry })
    this.backoff.push({ q, expiry })
  }

  private toActive(q: QueuedPodInfo): void {
    const waiter = this.waiters.shift()
    if (waiter) {
      this.where.delete(q.pi.uid)
      q.attempts++
      this.schedulingCycle++
      waiter(q)
      return
    }
    this.where.set(q.pi.uid, { q, at: 'active', expiry: 0 })
    this.active.push(q)
  }
}

function priority(q: QueuedPodInfo): number {
  return q.pi.pod.spec?.priority ?? 0
}
