// The API benchmark's API server (bench/api.ts), in a worker thread of its own so it has a core
// while the benchmark's clients run on the main thread. Wired as `ock up` wires a master
// (orchestrator/cluster/cluster.ts boot/newApiServer): the built-in admission chain, the store
// timeout, the FaultInjectingStore wrapper, on the memory store or on an EtcdStore client of the
// given etcd endpoints. Between the server and its store sits a counter of store calls (and of
// the time they take), so the benchmark can say how many store round trips one request costs.
// Talks to its parent only to report its URL, the counters (and reset them), and to stop.

import { parentPort, workerData } from 'node:worker_threads'
import { buildAdmissionChain } from '../orchestrator/admission/chain.js'
import { ApiServer } from '../orchestrator/apiserver/server.js'
import { EtcdStore } from '../orchestrator/store/etcd.js'
import { FaultInjectingStore } from '../orchestrator/store/faults.js'
import { MemoryStore } from '../orchestrator/store/memory.js'
import type { KeyValue, RangeOptions, RangeResult, Store, StoreWatch, WatchHandlers } from '../orchestrator/store/store.js'

export interface ApiBenchServerData {
  caPem: string
  serving: { certPem: string; keyPem: string }
  store: 'memory' | 'etcd'
  /** etcd client URLs (store: etcd). */
  endpoints?: string[]
}

/** Store calls made since the last reset: how many of each method, the ms they took in all, and each call's ms. */
export interface StoreCallCounts {
  calls: Record<string, number>
  ms: Record<string, number>
  /** The duration of every call (any method), in ms, in the order they ended. */
  each: number[]
}

/** Counts every call a Store gets and the time until its promise settled. */
class CountingStore implements Store {
  counts: StoreCallCounts = { calls: {}, ms: {}, each: [] }

  constructor(private readonly inner: Store) {}

  private async timed<T>(method: string, run: () => Promise<T>): Promise<T> {
    this.counts.calls[method] = (this.counts.calls[method] ?? 0) + 1
    const t0 = performance.now()
    try {
      return await run()
    } finally {
      const ms = performance.now() - t0
      this.counts.ms[method] = (this.counts.ms[method] ?? 0) + ms
      this.counts.each.push(ms)
    }
  }

  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    return this.timed('get', () => this.inner.get(key, opts))
  }
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult> {
    return this.timed('range', () => this.inner.range(prefix, opts))
  }
  create(key: string, value: string): Promise<KeyValue> {
    return this.timed('create', () => this.inner.create(key, value))
  }
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.timed('update', () => this.inner.update(key, value, expectedModRevision))
  }
  delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    return this.timed('delete', () => this.inner.delete(key, expectedModRevision))
  }
  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    this.counts.calls.watch = (this.counts.calls.watch ?? 0) + 1
    return this.inner.watch(prefix, fromRevision, handlers)
  }
  currentRevision(): Promise<number> {
    return this.timed('currentRevision', () => this.inner.currentRevision())
  }
  compact(revision: number): Promise<void> {
    return this.timed('compact', () => this.inner.compact(revision))
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

const data = workerData as ApiBenchServerData
// as cluster.ts: the etcd client's own deadline 1 s below the registry's store timeout
const STORE_TIMEOUT_MS = data.store === 'etcd' ? 8_000 : 10_000
const counting = new CountingStore(
  data.store === 'etcd' ? new EtcdStore({ endpoints: data.endpoints ?? [], requestTimeoutMs: STORE_TIMEOUT_MS - 1000 }) : new MemoryStore(),
)
const store = new FaultInjectingStore(counting)
const server = new ApiServer({
  name: `apiserver-bench-${data.store}`,
  store,
  caPem: data.caPem,
  serving: data.serving,
  storeTimeoutMs: STORE_TIMEOUT_MS,
  admission: buildAdmissionChain(),
})

parentPort!.on('message', (m: { type: string }) => {
  if (m.type === 'counts') {
    parentPort!.postMessage({ type: 'counts', counts: counting.counts })
    counting.counts = { calls: {}, ms: {}, each: [] }
  } else if (m.type === 'stop') {
    void server
      .stop()
      .then(() => store.close())
      .then(() => parentPort!.postMessage({ type: 'stopped' }))
  }
})

server.start().then(
  (url) => parentPort!.postMessage({ type: 'started', url }),
  (e: unknown) => parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
)
