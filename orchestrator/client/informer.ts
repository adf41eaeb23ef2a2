// An informer: list + watch of one resource into a local, read-only cache, with handlers for
// adds, updates and deletes and optional indexes (pods by node, objects by owner). It resumes a
// dropped watch from the last resourceVersion it saw, relists when the server says that
// version is gone (410 Expired, as an ERROR event or as the answer), and backs off with jitter
// while the API server is unreachable. Mirrors client-go's Reflector + DeltaFIFO + Indexer,
// reduced to one store per informer. Objects handed out are frozen: components copy before
// they change anything. Simplifies: no periodic resync; handlers run in the watch callback
// (they are expected to enqueue keys, never to block).

import { ApiError } from '../api/errors.js'
import { objectKey, type KList, type KObject, type Status, type WatchEvent } from '../api/meta.js'
import type { RequestOptions, ResourceRef, WatchHandle } from './client.js'

/** The two calls an informer needs (ApiClient implements them; tests use a fake). */
export interface ListerWatcher {
  list<T extends KObject = KObject>(ref: ResourceRef, query?: RequestOptions['query']): Promise<KList<T>>
  watch(ref: ResourceRef, query: RequestOptions['query'], onEvent: (e: WatchEvent) => void, onClose: (err?: Error) => void): WatchHandle
}

export interface InformerOptions {
  labelSelector?: string
  fieldSelector?: string
  /** Page size of the initial list. */
  pageSize?: number
  /** Initial and largest delay between reconnect attempts (jittered by up to +50%). */
  backoffMs?: { initial: number; max: number }
  /** How long the server keeps one watch open before the informer resumes with a new one. */
  watchTimeoutSeconds?: () => number
}

export interface InformerHandlers<T extends KObject> {
  add?(obj: T): void
  update?(oldObj: T, newObj: T): void
  delete?(obj: T): void
}

/** Maps an object to the index values it is found under (e.g. a pod to its node name). */
export type IndexFunc<T> = (obj: T) => readonly string[]

export class Informer<T extends KObject = KObject> {
  private cache = new Map<string, T>()
  private handlers: InformerHandlers<T>[] = []
  private indexers = new Map<string, IndexFunc<T>>()
  private indices = new Map<string, Map<string, Set<string>>>()
  private watch?: WatchHandle
  private started = false
  private stopped = false
  private synced = false
  private syncWaiters: (() => void)[] = []
  private resourceVersion = ''
  private retryTimer?: NodeJS.Timeout
  private backoff: number
  private readonly backoffCfg: { initial: number; max: number }

  constructor(
    private readonly client: ListerWatcher,
    readonly ref: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {
    this.backoffCfg = opts.backoffMs ?? { initial: 200, max: 5_000 }
    this.backoff = this.backoffCfg.initial
  }

  /** Adds handlers; objects already in the cache are replayed as adds. */
  on(handlers: InformerHandlers<T>): this {
    this.handlers.push(handlers)
    if (this.synced) for (const o of this.cache.values()) handlers.add?.(o)
    return this
  }

  /** Adds an index (a name already indexed is kept); objects already cached are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): this {
    if (this.indexers.has(name)) return this
    this.indexers.set(name, fn)
    const index = new Map<string, Set<string>>()
    this.indices.set(name, index)
    for (const [key, o] of this.cache) for (const v of fn(o)) addTo(index, v, key)
    return this
  }

  /** Objects whose index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name)
    if (!index) throw new Error(`informer for ${this.ref.resource} has no index "${name}"`)
    const keys = index.get(value)
    if (!keys) return []
    const out: T[] = []
    for (const k of keys) {
      const o = this.cache.get(k)
      if (o) out.push(o)
    }
    return out
  }

  /** Starts list + watch (once); resolves once the first list is in the cache. */
  async start(): Promise<void> {
    if (!this.started) {
      this.started = true
      void this.relist()
    }
    await this.waitForSync()
  }

  waitForSync(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve()
    return new Promise((resolve) => this.syncWaiters.push(resolve))
  }

  get hasSynced(): boolean {
    return this.synced
  }

  get lastSyncResourceVersion(): string {
    return this.resourceVersion
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.watch?.stop()
    for (const w of this.syncWaiters.splice(0)) w()
  }

  get(key: string): T | undefined {
    return this.cache.get(key)
  }

  list(): T[] {
    return [...this.cache.values()]
  }

  get size(): number {
    return this.cache.size
  }

  // -------------------------------------------------------------------------------------------

  private async relist(): Promise<void> {
    if (this.stopped) return
    try {
      const fresh = new Map<string, T>()
      let cont: string | undefined
      let rv = ''
      do {
        const page = await this.client.list<T>(this.ref, {
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          limit: this.opts.pageSize ?? 500,
          continue: cont,
        })
        for (const item of page.items) fresh.set(objectKey(item), freeze(item))
        cont = page.metadata.continue
        rv = page.metadata.resourceVersion ?? rv
      } while (cont && !this.stopped)
      if (this.stopped) return
      this.replace(fresh)
      this.resourceVersion = rv
      this.backoff = this.backoffCfg.initial
      this.markSynced()
      this.startWatch()
    } catch (e) {
      this.retryLater(() => this.relist(), e)
    }
  }

  private replace(fresh: Map<string, T>): void {
    const old = this.cache
    this.cache = fresh
    for (const index of this.indices.values()) index.clear()
    for (const [key, o] of fresh) this.index(key, o)
    for (const [key, o] of old) if (!fresh.has(key)) this.emit('delete', o)
    for (const [key, o] of fresh) {
      const before = old.get(key)
      if (!before) this.emit('add', o)
      else if (before.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.emit('update', o, before)
    }
  }

  private startWatch(): void {
    if (this.stopped) return
    let expired = false
    let streamError: Error | undefined
    const timeout = this.opts.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300)
    this.watch = this.client.watch(
      this.ref,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        timeoutSeconds: timeout,
      },
      (ev) =>
        this.onEvent(ev, (st) => {
          if (st.code === 410) expired = true
          else streamError = new ApiError(st.code ?? 500, (st.reason ?? 'InternalError') as ApiError['reason'], st.message ?? 'watch failed')
        }),
      (err) => {
        if (this.stopped) return
        if (expired || (err instanceof ApiError && err.code === 410)) {
          void this.relist() // the version we hold is gone: start over from a fresh list
        } else if (err || streamError) {
          this.retryLater(() => this.startWatch(), err ?? streamError)
        } else {
          this.backoff = this.backoffCfg.initial
          this.startWatch() // the server ended the stream (its timeout): resume where we were
        }
      },
    )
  }

  private onEvent(ev: WatchEvent, onError: (st: Status) => void): void {
    if (ev.type === 'ERROR') return onError(ev.object as unknown as Status)
    const o = freeze(ev.object as T)
    const rv = o.metadata?.resourceVersion
    if (rv) this.resourceVersion = rv
    if (ev.type === 'BOOKMARK') return
    const key = objectKey(o)
    const before = this.cache.get(key)
    if (before) this.unindex(key, before)
    if (ev.type === 'DELETED') {
      this.cache.delete(key)
      this.emit('delete', o)
    } else {
      this.cache.set(key, o)
      this.index(key, o)
      if (before) this.emit('update', o, before)
      else this.emit('add', o)
    }
  }

  private index(key: string, o: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!
      for (const v of fn(o)) addTo(index, v, key)
    }
  }

  private unindex(key: string, o: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!
      for (const v of fn(o)) {
        const set = index.get(v)
        set?.delete(key)
        if (set && !set.size) index.delete(v)
      }
    }
  }

  private retryLater(fn: () => void | Promise<void>, _err: unknown): void {
    if (this.stopped) return
    const delay = this.backoff * (1 + Math.random() / 2)
    this.backoff = Math.min(this.backoffCfg.max, this.backoff * 2)
    this.retryTimer = setTimeout(() => void fn(), delay)
  }

  private markSynced(): void {
    if (this.synced) return
    this.synced = true
    for (const w of this.syncWaiters.splice(0)) w()
  }

  private emit(type: 'add' | 'update' | 'delete', o: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        if (type === 'add') h.add?.(o)
        else if (type === 'update') h.update?.(old!, o)
        else h.delete?.(o)
      } catch (e) {
        console.error(`informer handler for ${this.ref.resource} failed:`, e)
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value)
  if (!set) index.set(value, (set = new Set()))
  set.add(key)
}

function freeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const k in o) {
      const v = (o as Record<string, unknown>)[k]
      if (v && typeof v === 'object') freeze(v)
    }
  }
  return o
}

/** Index of namespaced objects by namespace (the common index). */
export const byNamespace: IndexFunc<KObject> = (o) => (o.metadata?.namespace ? [o.metadata.namespace] : [])

/** Index of objects by the uid of each owner they reference. */
export const byOwnerUid: IndexFunc<KObject> = (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid)
