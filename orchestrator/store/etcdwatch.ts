// One watch of the etcd store: an etcd watch stream from a revision, resumed from the revision
// after the last delivered event whenever the stream breaks (on the next endpoint), events
// delivered in batches, ended with Compacted when etcd says the revision is gone and with
// Unavailable when no endpoint could serve it in time. Mirrors k8s.io/apiserver's
// storage/etcd3/watcher.go over clientv3's watcher (resume on another endpoint); simplified: one
// etcd watch stream per store watch (clientv3 multiplexes watches on one stream per endpoint),
// and no progress notifications.

import type * as grpc from '@grpc/grpc-js'
import type { IWatchResponse } from 'etcd3'
import { classify, enc, prefixEnd, toKv } from './etcdrpc.js'
import { StoreError } from './store.js'
import type { KeyValue, StoreEvent, WatchHandlers } from './store.js'

/** What a watch needs of the store it watches: streams on its preferred endpoint, and failover. */
export interface WatchStreams {
  /** Opens a raw watch stream on the preferred endpoint. */
  openStream(): { stream: grpc.ClientDuplexStream<unknown, IWatchResponse>; endpoint: string }
  /** The watch on `endpoint` failed: prefer the next one. */
  rotate(endpoint: string): void
  /** etcd said it compacted up to `revision`. */
  noteCompaction(revision: number): void
  readonly isClosed: boolean
}

/**
 * One store watch: an etcd watch stream from `next`, resumed from the revision after the last
 * delivered event whenever the stream breaks (on the next endpoint), as clientv3's watcher does.
 * Ends with Compacted when etcd says the revision is gone, and with Unavailable when no endpoint
 * could serve it for `retryMs`.
 */
export class EtcdWatch {
  private next: number
  private stream?: grpc.ClientDuplexStream<unknown, IWatchResponse>
  private cancelled = false
  private pending: StoreEvent[] = []
  private scheduled = false
  private failingSince = 0
  private backoff = 50
  private timer?: NodeJS.Timeout
  onDone?: () => void

  constructor(
    private readonly store: WatchStreams,
    private readonly prefix: string,
    fromRevision: number,
    private readonly handlers: WatchHandlers,
    private readonly retryMs: number,
  ) {
    this.next = fromRevision > 0 ? fromRevision : 0
  }

  open(): void {
    if (this.cancelled) return
    let opened: { stream: grpc.ClientDuplexStream<unknown, IWatchResponse>; endpoint: string }
    try {
      opened = this.store.openStream()
    } catch (e) {
      return this.broken(undefined, e)
    }
    const { stream, endpoint } = opened
    this.stream = stream
    let live = true
    const drop = (e: unknown): void => {
      if (!live) return
      live = false
      stream.removeAllListeners('data')
      try {
        stream.cancel()
      } catch {
        // already gone
      }
      this.broken(endpoint, e)
    }
    stream.on('data', (res: IWatchResponse) => {
      if (!live || this.cancelled) return
      if (res.compact_revision && res.compact_revision !== '0') {
        live = false
        const rev = Number(res.compact_revision)
        this.store.noteCompaction(rev)
        stream.cancel()
        return this.fail(new StoreError('Compacted', `required revision ${this.next} has been compacted`, undefined, rev))
      }
      if (res.canceled) return drop(new Error(res.cancel_reason || 'watch canceled by etcd'))
      if (res.created) {
        if (this.next === 0) this.next = Number(res.header.revision) + 1
        this.failingSince = 0
        this.backoff = 50
      }
      if (res.events?.length) {
        for (const ev of res.events) {
          const kv = toKv(ev.kv)
          if (ev.type === 'Delete') {
            const tomb: KeyValue = Object.freeze({ key: kv.key, value: '', createRevision: 0, modRevision: kv.modRevision, version: 0 })
            this.pending.push({ type: 'delete', kv: tomb, prevKv: toKv(ev.prev_kv ?? ev.kv) })
          } else {
            this.pending.push(ev.prev_kv ? { type: 'put', kv, prevKv: toKv(ev.prev_kv) } : { type: 'put', kv })
          }
          this.next = kv.modRevision + 1
        }
        this.schedule()
      }
    })
    stream.on('error', (e) => drop(e))
    stream.on('end', () => drop(new Error('watch stream ended')))
    stream.write({
      create_request: {
        key: enc(this.prefix),
        range_end: prefixEnd(this.prefix),
        start_revision: this.next > 0 ? String(this.next) : undefined,
        prev_kv: true,
      },
    })
  }

  private broken(endpoint: string | undefined, e: unknown): void {
    if (this.cancelled) return
    if (this.store.isClosed) return this.fail(new StoreError('Unavailable', 'store is closed'))
    if (endpoint) this.store.rotate(endpoint)
    const now = Date.now()
    if (!this.failingSince) this.failingSince = now
    if (now - this.failingSince >= this.retryMs) {
      return this.fail(new StoreError('Unavailable', `etcd watch on ${this.prefix} could not be resumed within ${this.retryMs} ms: ${classify(e).message}`))
    }
    const delay = this.backoff
    this.backoff = Math.min(1000, this.backoff * 2)
    this.timer = setTimeout(() => this.open(), delay)
  }

  private schedule(): void {
    if (this.scheduled || this.cancelled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.cancelled || !this.pending.length) return
      const batch = this.pending
      this.pending = []
      this.handlers.onEvents(batch)
    })
  }

  /** Ends the watch with an error, after delivering what was already received. */
  fail(err: StoreError): void {
    if (this.cancelled) return
    this.stop()
    const batch = this.pending
    this.pending = []
    setImmediate(() => {
      if (batch.length) this.handlers.onEvents(batch)
      this.handlers.onError(err)
    })
  }

  cancel(): void {
    if (this.cancelled) return
    this.stop()
  }

  private stop(): void {
    this.cancelled = true
    clearTimeout(this.timer)
    const s = this.stream
    this.stream = undefined
    if (s) {
      s.removeAllListeners('data')
      s.on('error', () => undefined)
      try {
        s.cancel()
      } catch {
        // already gone
      }
    }
    this.onDone?.()
  }
}
