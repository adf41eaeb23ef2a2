// A store whose acknowledgements can be made slow, and that notes when each write was
// acknowledged: it wraps the Store an API server is given (the memory store, or its etcd client)
// and, while a fault is on, holds every successful write's answer back for a stated time
// before handing it to the API server (a slow network between the API server and etcd: the
// write is applied at once), or holds the write itself back (a slow commit, as when etcd's
// disk or leader is slow: the write is neither visible to watchers nor acknowledged before). For every successful write it keeps when the write reached the store and when the
// answer left for the API server, measured here, on the store's side of the call, so the
// harness can compare them with when a client got its answer (the built-in target's store door).
// The fault door of the built-in cluster switches it.
// Simplifies: reads, watches and failed writes pass through untouched and are not noted; a
// slow commit holds each write back on its own (writes are not queued behind each other).

import type { KeyValue, RangeOptions, RangeResult, Store, StoreWatch, WatchHandlers } from './store.js'

/** When one successful write reached the store and when its answer left (wall-clock ms, sub-ms precision). */
export interface WriteAcknowledgement {
  revision: number
  key: string
  op: 'create' | 'update' | 'delete'
  receivedAt: number
  acknowledgedAt: number
}

/** Wall-clock milliseconds with the monotonic clock's precision (comparable across one process). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now()
}

export class FaultInjectingStore implements Store {
  private ackDelayMs = 0
  private commitDelayMs = 0
  private acks: WriteAcknowledgement[] = []

  constructor(
    readonly inner: Store,
    /** Acknowledgements kept; older ones are dropped. */
    private readonly capacity = 100_000,
  ) {}

  /** From now on every write is acknowledged `ms` late; 0 ends the fault. */
  delayAcknowledgements(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`an acknowledgement delay is a duration >= 0, not ${ms}`)
    this.ackDelayMs = ms
  }

  /** From now on every write is committed (applied, visible, acknowledged) `ms` late; 0 ends the fault. */
  delayCommits(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`a commit delay is a duration >= 0, not ${ms}`)
    this.commitDelayMs = ms
  }

  get acknowledgementDelayMs(): number {
    return this.ackDelayMs
  }

  /** Acknowledgements of writes at revisions above `revision`, oldest first. */
  acknowledgementsSince(revision: number): WriteAcknowledgement[] {
    return this.acks.filter((a) => a.revision > revision)
  }

  private async write<T>(op: WriteAcknowledgement['op'], key: string, run: () => Promise<T>, revisionOf: (r: T) => number): Promise<T> {
    const receivedAt = wallClockMs()
    const commitDelay = this.commitDelayMs
    if (commitDelay > 0) await new Promise((resolve) => setTimeout(resolve, commitDelay))
    const result = await run()
    const delay = this.ackDelayMs
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    this.acks.push({ revision: revisionOf(result), key, op, receivedAt, acknowledgedAt: wallClockMs() })
    if (this.acks.length > this.capacity + (this.capacity >> 3)) this.acks = this.acks.slice(this.acks.length - this.capacity)
    return result
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write(
      'create',
      key,
      () => this.inner.create(key, value),
      (kv) => kv.modRevision,
    )
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write(
      'update',
      key,
      () => this.inner.update(key, value, expectedModRevision),
      (kv) => kv.modRevision,
    )
  }

  delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    return this.write(
      'delete',
      key,
      () => this.inner.delete(key, expectedModRevision),
      (r) => r.revision,
    )
  }

  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    return this.inner.get(key, opts)
  }

  range(prefix: string, opts?: RangeOptions): Promise<RangeResult> {
    return this.inner.range(prefix, opts)
  }

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    return this.inner.watch(prefix, fromRevision, handlers)
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision()
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision)
  }

  snapshot(): Promise<Uint8Array> {
    return this.inner.snapshot()
  }

  restore(snapshot: Uint8Array): Promise<void> {
    return this.inner.restore(snapshot)
  }

  describe(): string {
    return this.inner.describe()
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
