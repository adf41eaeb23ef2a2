// Batch mode of an audit backend (--audit-webhook-mode=batch, the default): events are put in a
// bounded buffer and sent in batches, so a receiver that is down or slow never blocks or fails a
// request. Mirrors k8s.io/apiserver/plugin/pkg/audit/buffered: a buffer of
// --audit-webhook-batch-buffer-size events (10000; a full buffer drops the event with
// "audit buffer queue blocked"), a batch sent when it holds --audit-webhook-batch-max-size
// events (400) or --audit-webhook-batch-max-wait (30 s) after the last one, at most
// --audit-webhook-batch-throttle-qps batches a second (10, bursts of 15) when throttling is on,
// each batch handed to the delegate without waiting for it (AsyncDelegate), and on shutdown what
// is left is sent and the sends in flight are waited for.
// Simplifies: the wait is timed from the first event after a batch instead of a free-running
// timer; shutdown waits at most a grace period (5 s) for sends in flight, then cuts their
// retries short (they are dropped with a log line), where upstream waits for every retry.

import { setTimeout as delay } from 'node:timers/promises'
import { pluginErrorLine, type AuditEvent } from './auditevent.js'

export interface AuditBatchOptions {
  /** Events held before new ones are dropped (--audit-webhook-batch-buffer-size, 10000). */
  bufferSize?: number
  /** Events per batch at most (--audit-webhook-batch-max-size, 400). */
  maxBatchSize?: number
  /** Longest an event waits for its batch (--audit-webhook-batch-max-wait, 30 s). */
  maxBatchWaitMs?: number
  /** Batches a second at most; 0 turns throttling off (--audit-webhook-batch-throttle-qps, 10). */
  throttleQps?: number
  /** Batches sent at once when the rate was not used (--audit-webhook-batch-throttle-burst, 15). */
  throttleBurst?: number
  /** Longest shutdown waits for batches still being sent before cutting their retries (5 s). */
  shutdownGraceMs?: number
}

/** Upstream's defaults for the webhook backend (buffered.NewDefaultBatchConfig). */
export const BATCH_DEFAULTS: Required<AuditBatchOptions> = {
  bufferSize: 10_000,
  maxBatchSize: 400,
  maxBatchWaitMs: 30_000,
  throttleQps: 10,
  throttleBurst: 15,
  shutdownGraceMs: 5_000,
}

/** Checks batch options as upstream's validateBackendBatchOptions; returns the problems, worded as its. */
export function batchOptionErrors(plugin: string, o: AuditBatchOptions): string[] {
  const errors: string[] = []
  const positive = (v: number | undefined, what: string): void => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) errors.push(`invalid audit ${plugin} ${what} ${v}, must be a positive number`)
  }
  positive(o.bufferSize, 'batch buffer size')
  positive(o.maxBatchSize, 'batch max size')
  if (o.maxBatchWaitMs !== undefined && !(o.maxBatchWaitMs > 0))
    errors.push(`invalid audit ${plugin} batch max wait ${o.maxBatchWaitMs}ms, must be a positive duration`)
  if (o.throttleQps !== undefined && !(o.throttleQps >= 0)) errors.push(`invalid audit ${plugin} batch throttle QPS ${o.throttleQps}, must not be negative`)
  if (o.throttleQps && o.throttleBurst !== undefined) positive(o.throttleBurst, 'batch throttle burst')
  const buffer = o.bufferSize ?? BATCH_DEFAULTS.bufferSize
  const max = o.maxBatchSize ?? BATCH_DEFAULTS.maxBatchSize
  if (max > buffer) errors.push(`invalid audit ${plugin} batch max size ${max}, must not be greater than the buffer size ${buffer}`)
  return errors
}

/** What a batch is handed to; it reports its own failures and resolves when done with the batch. */
export interface BatchDelegate {
  processEvents(events: readonly AuditEvent[], signal: AbortSignal): Promise<unknown>
}

export class BufferedBackend {
  private readonly o: Required<AuditBatchOptions>
  private readonly queue: AuditEvent[] = []
  private readonly inflight = new Set<Promise<void>>()
  private readonly abort = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private waited = false
  private pumping: Promise<void> | undefined
  private stopped = false
  private tokens: number
  private refilledAt = performance.now()

  constructor(
    private readonly delegate: BatchDelegate,
    opts: AuditBatchOptions = {},
    private readonly log: (line: string) => void = (line) => console.error(line),
    private readonly plugin = 'webhook',
  ) {
    this.o = { ...BATCH_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) }
    this.tokens = this.o.throttleBurst
  }

  /** Batches being sent now (for tests and diagnostics). */
  get sending(): number {
    return this.inflight.size
  }

  /** Events waiting for their batch. */
  get buffered(): number {
    return this.queue.length
  }

  /** Takes one event; never waits and never throws: a full buffer, or a stopped backend, drops it with a log line. */
  processEvents(e: AuditEvent): void {
    if (this.stopped) return this.log(pluginErrorLine('buffered', 'the audit backend is shut down', [e]))
    if (this.queue.length >= this.o.bufferSize) return this.log(pluginErrorLine('buffered', 'audit buffer queue blocked', [e]))
    this.queue.push(e)
    if (this.queue.length >= this.o.maxBatchSize) this.pump()
    else this.arm()
  }

  /** Sends what is buffered, waits up to the grace period for sends in flight, then cuts their retries short. Idempotent. */
  async shutdown(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true
      clearTimeout(this.timer)
      this.timer = undefined
      this.pump()
    }
    await this.pumping
    if (!this.inflight.size) return
    const all = Promise.allSettled([...this.inflight])
    const grace = new AbortController()
    await Promise.race([all, delay(this.o.shutdownGraceMs, undefined, { signal: grace.signal }).catch(() => undefined)])
    grace.abort()
    this.abort.abort()
    await all
  }

  private arm(): void {
    if (this.timer || this.waited || this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.waited = true
      this.pump()
    }, this.o.maxBatchWaitMs)
    this.timer.unref()
  }

  private ready(): boolean {
    return this.queue.length >= this.o.maxBatchSize || (this.queue.length > 0 && (this.waited || this.stopped))
  }

  /** Sends every batch that is due, one at a time through the throttle (one pump at a time). */
  private pump(): void {
    if (this.pumping) return
    this.pumping = (async () => {
      while (this.ready()) {
        await this.throttle()
        const batch = this.queue.splice(0, this.o.maxBatchSize)
        // the wait starts again after each batch, as upstream's timer is reset for each collection
        this.waited = false
        clearTimeout(this.timer)
        this.timer = undefined
        this.send(batch)
      }
    })().finally(() => {
      this.pumping = undefined
      if (this.ready()) this.pump()
      else if (this.queue.length) this.arm()
    })
  }

  private send(batch: AuditEvent[]): void {
    const p: Promise<void> = Promise.resolve()
      .then(() => this.delegate.processEvents(batch, this.abort.signal))
      .then(
        () => undefined,
        (e: unknown) => this.log(pluginErrorLine(this.plugin, e instanceof Error ? e.message : String(e), batch)),
      )
      .finally(() => this.inflight.delete(p))
    this.inflight.add(p)
  }

  /** A token bucket of throttleQps a second, throttleBurst deep (flowcontrol.NewTokenBucketRateLimiter). */
  private async throttle(): Promise<void> {
    if (!this.o.throttleQps) return
    for (;;) {
      const now = performance.now()
      this.tokens = Math.min(this.o.throttleBurst, this.tokens + ((now - this.refilledAt) * this.o.throttleQps) / 1000)
      this.refilledAt = now
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await delay(((1 - this.tokens) * 1000) / this.o.throttleQps, undefined, { ref: false })
    }
  }
}
