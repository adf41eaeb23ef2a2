// Recording core/v1 Events through the API, as client-go's event broadcaster + recorder:
// an event names the object it is about (involvedObject), a reason, a message and its source
// component; a repeat of the same event within the cache's reach increments `count` and
// `lastTimestamp` on the existing Event (EventCorrelator's dedup) instead of creating another;
// a per-object token bucket stops event storms (EventSourceObjectSpamFilter: burst 25, one
// more every 5 minutes). Recording never blocks the caller: events wait in a bounded queue and
// are dropped when it is full, exactly like upstream's broadcaster does under load.
// Simplifies: no "combined from similar events" aggregation; no events.k8s.io/v1 series.

import { ApiError } from '../api/errors.js'
import { nowTimestamp, type KObject } from '../api/meta.js'
import type { Writer } from './client.js'

export type EventType = 'Normal' | 'Warning'

export interface EventSource {
  /** `default-scheduler`, `kubelet`, `replicaset-controller`, ... */
  component: string
  /** The node, for kubelet events. */
  host?: string
}

export interface RecorderOptions {
  /** Events waiting to be written; more are dropped (upstream: 1000). */
  maxQueued?: number
  /** Writes in flight at once. */
  concurrency?: number
  /** Events per object allowed at once, and how fast that allowance comes back. */
  burst?: number
  refillMs?: number
}

interface Pending {
  body: KObject
  key: string
}

interface Seen {
  namespace: string
  name: string
  count: number
}

/** Contract: never throws and never waits for the API server. */
export interface EventRecorder {
  event(obj: KObject, type: EventType, reason: string, message: string, extra?: { action?: string; fieldPath?: string }): void
}

export class ApiEventRecorder implements EventRecorder {
  private readonly queue: Pending[] = []
  private inFlight = 0
  private seq = 0
  private readonly seen = new Map<string, Seen>()
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private idleWaiters: (() => void)[] = []
  private stopped = false
  private readonly maxQueued: number
  private readonly concurrency: number
  private readonly burst: number
  private readonly refillMs: number
  dropped = 0

  constructor(
    private readonly client: Writer,
    readonly source: EventSource,
    opts: RecorderOptions = {},
  ) {
    this.maxQueued = opts.maxQueued ?? 1000
    this.concurrency = opts.concurrency ?? 4
    this.burst = opts.burst ?? 25
    this.refillMs = opts.refillMs ?? 300_000
  }

  event(obj: KObject, type: EventType, reason: string, message: string, extra: { action?: string; fieldPath?: string } = {}): void {
    if (this.stopped) return
    const m = obj.metadata ?? {}
    const involvedObject: Record<string, string> = { kind: obj.kind ?? '', name: m.name ?? '', apiVersion: obj.apiVersion ?? '' }
    if (m.namespace) involvedObject.namespace = m.namespace
    if (m.uid) involvedObject.uid = m.uid
    if (m.resourceVersion) involvedObject.resourceVersion = m.resourceVersion
    if (extra.fieldPath) involvedObject.fieldPath = extra.fieldPath
    const objectKey = `${involvedObject.kind}/${m.namespace ?? ''}/${m.name ?? ''}/${m.uid ?? ''}`
    if (!this.allow(objectKey)) return
    if (this.queue.length >= this.maxQueued) {
      this.dropped++
      return
    }
    const now = nowTimestamp()
    const body: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name ?? 'event'}.${this.nextSuffix()}`, namespace: m.namespace || 'default' },
      involvedObject,
      reason,
      message,
      type,
      source: this.source.host ? { component: this.source.component, host: this.source.host } : { component: this.source.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? this.source.component,
    }
    if (extra.action) body.action = extra.action
    const key = [this.source.component, this.source.host ?? '', objectKey, type, reason, message].join('\u0000')
    this.queue.push({ body, key })
    this.pump()
  }

  /** Resolves once every queued event was written (or given up on). */
  async flush(): Promise<void> {
    if (!this.queue.length && !this.inFlight) return
    await new Promise<void>((r) => this.idleWaiters.push(r))
  }

  /** Drops what is still queued and waits for writes in flight. */
  async stop(): Promise<void> {
    this.stopped = true
    this.queue.length = 0
    await this.flush()
  }

  // -------------------------------------------------------------------------------------------

  private allow(objectKey: string): boolean {
    const now = Date.now()
    let b = this.buckets.get(objectKey)
    if (!b) {
      if (this.buckets.size > 10_000) this.buckets.clear()
      b = { tokens: this.burst, at: now }
      this.buckets.set(objectKey, b)
    }
    const refill = Math.floor((now - b.at) / this.refillMs)
    if (refill > 0) {
      b.tokens = Math.min(this.burst, b.tokens + refill)
      b.at += refill * this.refillMs
    }
    if (b.tokens <= 0) return false
    b.tokens--
    return true
  }

  private nextSuffix(): string {
    // upstream: fmt.Sprintf("%v.%x", ref.Name, t.UnixNano())
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)
    return nanos.toString(16)
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length) {
      const p = this.queue.shift()!
      this.inFlight++
      void this.write(p).finally(() => {
        this.inFlight--
        this.pump()
        if (!this.inFlight && !this.queue.length) for (const w of this.idleWaiters.splice(0)) w()
      })
    }
  }

  private async write(p: Pending): Promise<void> {
    const ns = (p.body.metadata?.namespace as string) ?? 'default'
    const ref = { group: '', version: 'v1', resource: 'events', namespace: ns }
    const prior = this.seen.get(p.key)
    try {
      if (prior) {
        prior.count++
        await this.client.patchQuietly(
          { ...ref, namespace: prior.namespace, name: prior.name },
          { count: prior.count, lastTimestamp: p.body.lastTimestamp },
          'application/strategic-merge-patch+json',
        )
        return
      }
      await this.client.createQuietly(ref, p.body)
      this.remember(p.key, { namespace: ns, name: p.body.metadata?.name ?? '', count: 1 })
    } catch (e) {
      if (prior && e instanceof ApiError && e.code === 404) {
        // the event expired or was deleted: start a new series
        this.seen.delete(p.key)
        try {
          await this.client.createQuietly(ref, p.body)
          this.remember(p.key, { namespace: ns, name: p.body.metadata?.name ?? '', count: 1 })
        } catch {
          // best effort, as upstream
        }
      }
      // events are best effort: a failed write is dropped (namespace gone, API server stopping)
    }
  }

  private remember(key: string, s: Seen): void {
    if (this.seen.size >= 4096) this.seen.delete(this.seen.keys().next().value!)
    this.seen.set(key, s)
  }
}

/** A recorder that records nothing (for tests and benchmarks of pure logic). */
export const NO_EVENTS: EventRecorder = { event: () => undefined }
