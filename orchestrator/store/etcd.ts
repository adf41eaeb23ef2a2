// The etcd store: the Store contract over a real etcd v3 cluster, through the `etcd3` client's
// gRPC services (one channel per endpoint). resourceVersion is etcd's mod revision; create and
// compare-and-swap are single transactions; calls fail over to the next endpoint when that is
// safe (./etcdrpc.ts classifies errors); watches are etcd watch streams that resume from the
// last delivered revision on another endpoint (./etcdwatch.ts). Mirrors
// k8s.io/apiserver/pkg/storage/etcd3 (store.go) and clientv3's endpoint balancing with
// `WithRequireLeader`.
// Simplifies: no leases/TTL keys, no auth or TLS to etcd (loopback only); restore is an offline
// operation of the etcd cluster (etcdctl snapshot restore into fresh members), not of this client.

import * as grpc from '@grpc/grpc-js'
import { Host } from 'etcd3/lib/connection-pool.js'
import type { IDeleteRangeResponse, IRangeResponse, IResponseHeader, ITxnRequest, ITxnResponse, IStatusResponse, IWatchResponse } from 'etcd3'
import { CHANNEL_OPTIONS, classify, enc, prefixEnd, toKv, type Classified, type ServiceName, type Unary } from './etcdrpc.js'
import { EtcdWatch } from './etcdwatch.js'
import { StoreError } from './store.js'
import type { KeyValue, RangeOptions, RangeResult, Store, StoreWatch, WatchHandlers } from './store.js'

export interface EtcdStoreOptions {
  /** Client URLs (`http://127.0.0.1:2379`). Stacked control planes pass their local member only. */
  endpoints: string[]
  /**
   * Upper bound for one store call, retries on other endpoints included (upstream: the API
   * server's request timeout); keep it below the registry's storeTimeoutMs so the store's own
   * error decides the Status.
   */
  requestTimeoutMs?: number
  /** How long a watch keeps trying to reconnect before it ends with Unavailable. */
  watchRetryMs?: number
}

/** Errors of calls whose outcome is unknown (the request may have been applied). */
const unknownOutcome = new WeakSet<StoreError>()

export class EtcdStore implements Store {
  readonly endpoints: readonly string[]
  private readonly hosts: Host[]
  private readonly requestTimeoutMs: number
  private readonly watchRetryMs: number
  /** The endpoint calls go to first (sticky, as clientv3's pinned endpoint); moves on failures. */
  private preferred = 0
  private closed = false
  private compactedAt = 0
  private readonly watches = new Set<EtcdWatch>()

  constructor(opts: EtcdStoreOptions) {
    if (!opts.endpoints.length) throw new Error('the etcd store needs at least one endpoint')
    this.endpoints = [...opts.endpoints]
    this.hosts = this.endpoints.map((e) => new Host(e, grpc.credentials.createInsecure(), CHANNEL_OPTIONS))
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 8_000
    this.watchRetryMs = opts.watchRetryMs ?? this.requestTimeoutMs
  }

  describe(): string {
    return `etcd ${this.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}`
  }

  // -------------------------------------------------------------------------------------------
  // calls with endpoint failover, bounded by requestTimeoutMs

  /** Metadata on every call: fail fast with "no leader" instead of waiting on a minority member. */
  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata()
    md.set('hasleader', 'true')
    return md
  }

  private unary<T>(index: number, service: ServiceName, method: string, payload: unknown, deadline: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let client: grpc.Client
      try {
        client = this.hosts[index]!.getServiceClient(service)
      } catch (e) {
        return reject(e)
      }
      const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client)
      fn(payload, this.metadata(), { deadline }, (err, res) => (err ? reject(err) : resolve(res as T)))
    })
  }

  /**
   * Runs one etcd call against the preferred endpoint, moving to the next on failures that
   * allow it, until requestTimeoutMs. `retryAmbiguous` says whether a call whose outcome is
   * unknown may be sent again (reads always; writes only when `recover` can recognise their own
   * earlier success).
   */
  private async call<T>(service: ServiceName, method: string, payload: unknown, retryAmbiguous: boolean, deadline?: number): Promise<T> {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed')
    const overall = deadline ?? Date.now() + this.requestTimeoutMs
    const perAttempt = this.hosts.length > 1 ? Math.max(1000, Math.floor(this.requestTimeoutMs / 3)) : this.requestTimeoutMs
    let last: Classified | undefined
    let ambiguous = false
    let pause = 25
    for (let attempt = 0; ; attempt++) {
      const index = this.preferred
      try {
        return await this.unary<T>(index, service, method, payload, Math.min(overall, Date.now() + perAttempt))
      } catch (e) {
        last = classify(e)
        if (this.closed) throw new StoreError('Unavailable', 'store is closed')
        if (last.kind === 'final') throw last.err
        if (last.kind === 'ambiguous') ambiguous = true
        // this endpoint failed: let the next call (and this retry) try another one
        if (this.hosts.length > 1) this.preferred = (index + 1) % this.hosts.length
        if (last.kind === 'not-applied' || last.timeout) this.hosts[index]!.resetAllServices()
        if (last.kind === 'ambiguous' && !retryAmbiguous) break
      }
      if (Date.now() + pause >= overall) break
      await new Promise((r) => setTimeout(r, pause))
      pause = Math.min(500, pause * 2)
    }
    const what = `${service}.${method} on ${this.describe()}`
    // A write that may have been applied is reported as a timeout (its outcome is unknown, as
    // upstream's 504); one that surely was not is reported as storage being unavailable.
    const err =
      ambiguous || last?.timeout
        ? new StoreError('Timeout', `etcd did not confirm ${what} within ${this.requestTimeoutMs} ms: ${last?.message ?? 'no answer'}`)
        : new StoreError('Unavailable', `etcd is unavailable for ${what}: ${last?.message ?? 'no answer'}`)
    if (ambiguous) unknownOutcome.add(err)
    throw err
  }

  /** Maps the errors etcd answers definitively (compaction, future revision) to StoreError. */
  private mapFinal(e: unknown): never {
    if (e instanceof StoreError) throw e
    const msg = e instanceof Error ? e.message : String(e)
    if (/required revision has been compacted/.test(msg))
      throw new StoreError('Compacted', 'etcdserver: mvcc: required revision has been compacted', undefined, this.compactedAt || undefined)
    if (/required revision is a future revision/.test(msg)) throw new StoreError('FutureRevision', 'etcdserver: mvcc: required revision is a future revision')
    throw new StoreError('Unavailable', `etcd: ${msg}`)
  }

  private async kv<T>(method: string, payload: unknown, retryAmbiguous: boolean, deadline?: number): Promise<T> {
    try {
      return await this.call<T>('KV', method, payload, retryAmbiguous, deadline)
    } catch (e) {
      this.mapFinal(e)
    }
  }

  // -------------------------------------------------------------------------------------------
  // reads (linearizable: they need a quorum, as upstream's consistent reads)

  async currentRevision(): Promise<number> {
    const r = await this.kv<IRangeResponse>('range', { key: Buffer.from([0]), limit: 1, keys_only: true }, true)
    return Number(r.header.revision)
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    const r = await this.kv<IRangeResponse>('range', { key: enc(key), revision: opts.revision && opts.revision > 0 ? String(opts.revision) : undefined }, true)
    return r.kvs[0] ? toKv(r.kvs[0]) : undefined
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? Buffer.concat([enc(opts.startAfter), Buffer.from([0])]) : enc(prefix)
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0
    const r = await this.kv<IRangeResponse>(
      'range',
      { key: start, range_end: prefixEnd(prefix), limit: String(limit), revision: opts.revision && opts.revision > 0 ? String(opts.revision) : undefined },
      true,
    )
    const revision = opts.revision && opts.revision > 0 ? opts.revision : Number(r.header.revision)
    return { kvs: r.kvs.map(toKv), revision, more: Boolean(r.more) }
  }

  // -------------------------------------------------------------------------------------------
  // writes: one transaction each, so a failed write changes nothing

  async create(key: string, value: string): Promise<KeyValue> {
    const k = enc(key)
    const txn: ITxnRequest = {
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: '0' }],
      success: [{ request_put: { key: k, value: enc(value) } }],
      failure: [{ request_range: { key: k } }],
    }
    let sent = 0
    const r = await this.retryingWrite((deadline) => {
      sent++
      return this.kv<ITxnResponse>('txn', txn, false, deadline)
    })
    const rev = Number(r.header.revision)
    if (r.succeeded) return Object.freeze({ key, value, createRevision: rev, modRevision: rev, version: 1 })
    const current = firstKv(r)
    // A retried create that finds its own value was the earlier attempt succeeding.
    if (sent > 1 && current && current.value === value && current.version === 1) return current
    throw new StoreError('KeyExists', `key exists: ${key}`, current)
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = enc(key)
    const txn: ITxnRequest = {
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(expectedModRevision) }],
      success: [{ request_put: { key: k, value: enc(value), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    }
    let sent = 0
    const r = await this.retryingWrite((deadline) => {
      sent++
      return this.kv<ITxnResponse>('txn', txn, false, deadline)
    })
    const rev = Number(r.header.revision)
    if (r.succeeded) {
      const prev = r.responses[0]?.response_put?.prev_kv
      return Object.freeze({
        key,
        value,
        createRevision: prev ? Number(prev.create_revision) : rev,
        modRevision: rev,
        version: prev ? Number(prev.version) + 1 : 1,
      })
    }
    const current = firstKv(r)
    if (!current) throw new StoreError('NotFound', `key not found: ${key}`)
    if (sent > 1 && current.value === value && current.modRevision > expectedModRevision) return current
    throw new StoreError('Conflict', `mod revision of ${key} is ${current.modRevision}, not ${expectedModRevision}`, current)
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    const k = enc(key)
    const txn: ITxnRequest = {
      compare:
        expectedModRevision === undefined
          ? [{ key: k, target: 'Create', result: 'Greater', create_revision: '0' }]
          : [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(expectedModRevision) }],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    }
    // A delete whose outcome is unknown is not sent again: a second attempt could not tell its
    // own success from someone else's delete.
    const r = await this.kv<ITxnResponse>('txn', txn, false)
    if (r.succeeded) {
      const del = r.responses[0]?.response_delete_range as IDeleteRangeResponse | undefined
      const prev = del?.prev_kvs?.[0]
      if (!prev) throw new StoreError('NotFound', `key not found: ${key}`)
      return { prev: toKv(prev), revision: Number(r.header.revision) }
    }
    const current = firstKv(r)
    if (!current) throw new StoreError('NotFound', `key not found: ${key}`)
    throw new StoreError('Conflict', `mod revision of ${key} is ${current.modRevision}, not ${expectedModRevision}`, current)
  }

  /**
   * Sends a create/update transaction; if its outcome is unknown (connection lost, server-side
   * timeout) sends it again while time is left. The caller recognises its own earlier success
   * in the failure branch (same value), so a retry never reports a false conflict.
   */
  private async retryingWrite(send: (deadline: number) => Promise<ITxnResponse>): Promise<ITxnResponse> {
    const overall = Date.now() + this.requestTimeoutMs
    for (;;) {
      try {
        return await send(overall)
      } catch (e) {
        if (!(e instanceof StoreError) || !unknownOutcome.has(e) || Date.now() >= overall || this.closed) throw e
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // watch

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    const w = new EtcdWatch(this, prefix, fromRevision, handlers, this.watchRetryMs)
    this.watches.add(w)
    w.onDone = () => this.watches.delete(w)
    if (this.closed) w.fail(new StoreError('Unavailable', 'store is closed'))
    else w.open()
    return { cancel: () => w.cancel() }
  }

  /** Opens a raw watch stream on an endpoint (used by EtcdWatch). */
  openStream(): { stream: grpc.ClientDuplexStream<unknown, IWatchResponse>; endpoint: string } {
    const index = this.preferred
    const client = this.hosts[index]!.getServiceClient('Watch') as unknown as {
      watch(md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientDuplexStream<unknown, IWatchResponse>
    }
    return { stream: client.watch(this.metadata(), {}), endpoint: this.endpoints[index]! }
  }

  /** The watch on the preferred endpoint failed: prefer the next one. */
  rotate(endpoint: string): void {
    const index = this.endpoints.indexOf(endpoint)
    if (index === this.preferred && this.hosts.length > 1) this.preferred = (index + 1) % this.hosts.length
    this.hosts[index]?.resetAllServices()
  }

  noteCompaction(revision: number): void {
    this.compactedAt = Math.max(this.compactedAt, revision)
  }

  // -------------------------------------------------------------------------------------------
  // maintenance

  async compact(revision: number): Promise<void> {
    try {
      await this.call('KV', 'compact', { revision: String(revision), physical: true }, true)
      this.noteCompaction(revision)
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      if (/required revision has been compacted/.test(msg)) return
      if (/required revision is a future revision/.test(msg)) throw new StoreError('FutureRevision', `compaction revision ${revision} is in the future`)
      this.mapFinal(e)
    }
  }

  /** Status of the endpoint calls go to (member id, leader id, revision, raft term). */
  async status(): Promise<IStatusResponse> {
    return this.call<IStatusResponse>('Maintenance', 'status', {}, true)
  }

  /** A point-in-time copy of the whole keyspace (etcd's backend database with its checksum), as `etcdctl snapshot save` writes. */
  async snapshot(): Promise<Uint8Array> {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed')
    const client = this.hosts[this.preferred]!.getServiceClient('Maintenance') as unknown as {
      snapshot(req: unknown, md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientReadableStream<{ blob: Buffer }>
    }
    const chunks: Buffer[] = []
    await new Promise<void>((resolve, reject) => {
      const s = client.snapshot({}, this.metadata(), { deadline: Date.now() + Math.max(30_000, this.requestTimeoutMs) })
      s.on('data', (r) => chunks.push(r.blob))
      s.on('end', resolve)
      s.on('error', (e) => reject(new StoreError('Unavailable', `etcd snapshot failed: ${classify(e).message}`)))
    })
    return Buffer.concat(chunks)
  }

  /**
   * etcd restores offline: stop every API server, `etcdctl snapshot restore` into fresh
   * members, start them, then the API servers (EtcdCluster.restore does this). A client cannot
   * replace a live cluster's data, so this refuses with a message that says where to go.
   */
  async restore(_snapshot: Uint8Array): Promise<void> {
    throw new StoreError(
      'Unavailable',
      'an etcd store is restored offline: stop the API servers, restore the snapshot into fresh members (EtcdCluster.restore, etcdctl snapshot restore), then start the API servers again',
    )
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const w of [...this.watches]) w.fail(new StoreError('Unavailable', 'store is closed'))
    for (const h of this.hosts) h.close()
  }

  get isClosed(): boolean {
    return this.closed
  }
}

function firstKv(r: ITxnResponse): KeyValue | undefined {
  const kv = r.responses[0]?.response_range?.kvs?.[0]
  return kv ? toKv(kv) : undefined
}

/** The response header of an etcd answer (for diagnostics). */
export type EtcdHeader = IResponseHeader
