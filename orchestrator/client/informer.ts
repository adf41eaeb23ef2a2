// An informer: list + watch of one resource into a local, read-only cache, with handlers for
// adds, updates and deletes. It resumes a dropped watch from the last resourceVersion it saw,
// relists when the server says that version is gone (410), and backs off while the API server
// is unreachable. Mirrors client-go's Reflector + DeltaFIFO + Indexer, reduced to one store.
// Objects handed out are frozen: components copy before they change anything.

import { ApiError } from '../api/errors.js'
import { objectKey, type KObject, type Status } from '../api/meta.js'
import type { ApiClient, ResourceRef, WatchHandle } from './client.js'

export interface InformerOptions {
  labelSelector?: string
  fieldSelector?: string
  /** Page size of the initial list. */
  pageSize?: number
  /** Initial and largest delay between reconnect attempts. */
  backoffMs?: { initial: number; max: number }
}

export interface InformerHandlers<T extends KObject> {
  add?(obj: T): void
  update?(oldObj: T, newObj: T): void
  delete?(obj: T): void
}

export class Informer<T extends KObject = KObject> {
  private cache = new Map<string, T>()
  private handlers: InformerHandlers<T>[] = []
  private watch?: WatchHandle
  private stopped = false
  private synced = false
  private syncWaiters: (() => void)[] = []
  private resourceVersion = ''
  private retryTimer?: NodeJS.Timeout
  private backoff: number
  private readonly backoffCfg: { initial: number; max: number }

  constructor(
    private readonly client: ApiClient,
    private readonly ref: ResourceRef,
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

  /** Starts list + watch; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    void this.relist()
    await this.waitForSync()
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve()
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
    for (const [key, o] of old) if (!fresh.has(key)) this.emit('delete', o)
    for (const [key, o] of fresh) {
      const before = old.get(key)
      if (!before) this.emit('add', o)
      else if (before.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.emit('update', o, before)
    }
  }

  private startWatch(): void {
    if (this.stopped) return
    let needRelist = false
    this.watch = this.client.watch(
      this.ref,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      },
      (ev) => {
        if (ev.type === 'ERROR') {
          const st = ev.object as unknown as Status
          needRelist = st.code === 410
          return
        }
        const o = freeze(ev.object as T)
        const rv = o.metadata?.resourceVersion
        if (rv) this.resourceVersion = rv
        if (ev.type === 'BOOKMARK') return
        const key = objectKey(o)
        const before = this.cache.get(key)
        if (ev.type === 'DELETED') {
          this.cache.delete(key)
          this.emit('delete', o)
        } else {
          this.cache.set(key, o)
          if (before) this.emit('update', o, before)
          else this.emit('add', o)
        }
      },
      (err) => {
        if (this.stopped) return
        if (needRelist || (err instanceof ApiError && err.code === 410)) {
          void this.relist()
        } else if (err) {
          this.retryLater(() => this.startWatch(), err)
        } else {
          this.backoff = this.backoffCfg.initial
          this.startWatch() // the server ended the stream (timeout): resume where we were
        }
      },
    )
  }

  private retryLater(fn: () => void | Promise<void>, _err: unknown): void {
    if (this.stopped) return
    const delay = this.backoff
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
        console.error('informer handler failed:', e)
      }
    }
  }
}

function freeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) freeze(v)
  }
  return o
}
