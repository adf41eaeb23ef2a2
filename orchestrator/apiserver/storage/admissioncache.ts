// The API server's informer caches for admission: the namespaces and the ResourceQuotas as this
// API server's own store watch last saw them, so NamespaceLifecycle and ResourceQuota admission
// answer a create without a store round trip. Each cache lists its prefix, then watches from the
// list's revision; until it has listed (and again once its watch ended, until it has listed
// anew) it answers "cannot tell" and readers read the store live, as before.
// Mirrors the shared informers kube-apiserver's admission plugins read (namespace lister of
// plugin/pkg/admission/namespace/lifecycle, quota lister of plugin/pkg/admission/resourcequota)
// and, for quotas, resource_access.go GetQuotas: when the lister holds no quota for the
// namespace, a live list, at most once per liveTTL (30 s) per namespace, one at a time
// (singleflight), its answer served until it expires.
// Simplifies / differs: no shared informer factory (one list+watch per cached prefix per API
// server); writes this API server makes itself go into the cache before their response
// (write-through, ordered by revision so a late watch event never undoes them), so on a
// single API server a namespace or quota just written is seen by the very next request; and a
// remembered live answer is dropped as soon as any quota of its namespace is written here or
// seen by the watch (upstream keeps it for the whole TTL). Across several API servers a write
// through another one is seen once this server's watch delivers it (upstream's eventual
// consistency): a namespace created there is a cache miss, hence read live.

import type { KObject } from '../../api/meta.js'
import { lookupResource, storagePrefix } from '../../api/resources.js'
import type { KeyValue, Store, StoreWatch } from '../../store/store.js'

export interface AdmissionCacheOptions {
  /** How long a live quota list of a namespace the cache holds no quota for is served (upstream liveTTL). */
  quotaLiveTtlMs?: number
  /** Delay before listing again after a failed list or an ended watch (doubles up to 8x). */
  retryMs?: number
  /** Clock for the live-lookup TTL (tests). */
  now?: () => number
}

interface Entry {
  /** Absent for a key this API server deleted and whose delete the watch has not delivered yet. */
  kv?: KeyValue
  rev: number
}

/**
 * One list+watch of a key prefix, holding the current value of every key. Contract: `synced`
 * is true only while the list is done and its watch alive; `apply` keeps the newest revision
 * per key, whatever the order calls arrive in (watch events and write-through race).
 */
export class Informer {
  private readonly entries = new Map<string, Entry>()
  /** Keys by index value (the namespace of a namespaced key). */
  private readonly byIndex = new Map<string, Set<string>>()
  private watch?: StoreWatch
  private timer?: NodeJS.Timeout
  private generation = 0
  private running = false
  private failures = 0
  synced = false

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly retryMs: number,
    /** Called for every key a watch event or a write-through changed (not for the initial list). */
    private readonly onChange: (key: string) => void,
    /** Called when the cache stops being synced (watch ended, stopped). */
    private readonly onReset: () => void,
    private readonly indexOf?: (key: string) => string,
  ) {}

  start(): void {
    if (this.running) return
    this.running = true
    void this.run()
  }

  stop(): void {
    this.running = false
    this.generation++
    this.watch?.cancel()
    this.watch = undefined
    clearTimeout(this.timer)
    this.timer = undefined
    this.unsync()
  }

  get(key: string): KeyValue | undefined {
    return this.entries.get(key)?.kv
  }

  /** Current values of the keys with index value `v`. */
  indexed(v: string): KeyValue[] {
    const out: KeyValue[] = []
    for (const key of this.byIndex.get(v) ?? []) {
      const kv = this.entries.get(key)?.kv
      if (kv) out.push(kv)
    }
    return out
  }

  /** Applies a put (kv) or a delete (kv undefined) at revision `rev`, unless the cache holds a newer one. */
  apply(key: string, kv: KeyValue | undefined, rev: number, fromWatch: boolean): void {
    const e = this.entries.get(key)
    if (e && (rev < e.rev || (rev === e.rev && kv))) return
    if (!kv && fromWatch) this.remove(key)
    else {
      this.entries.set(key, kv ? { kv, rev } : { rev })
      if (this.indexOf) {
        const v = this.indexOf(key)
        let set = this.byIndex.get(v)
        if (!set) this.byIndex.set(v, (set = new Set()))
        set.add(key)
      }
    }
    this.onChange(key)
  }

  private remove(key: string): void {
    this.entries.delete(key)
    if (!this.indexOf) return
    const v = this.indexOf(key)
    const set = this.byIndex.get(v)
    set?.delete(key)
    if (set && !set.size) this.byIndex.delete(v)
  }

  private unsync(): void {
    const was = this.synced
    this.synced = false
    this.entries.clear()
    this.byIndex.clear()
    if (was) this.onReset()
  }

  private async run(): Promise<void> {
    const gen = ++this.generation
    this.unsync()
    let listed
    try {
      listed = await this.store.range(this.prefix)
    } catch {
      if (gen === this.generation) this.retry()
      return
    }
    if (gen !== this.generation || !this.running) return
    for (const kv of listed.kvs) this.apply(kv.key, kv, kv.modRevision, false)
    // deletes written here before the list's revision: the watch (from after it) never reports them
    for (const [key, e] of this.entries) if (!e.kv && e.rev <= listed.revision) this.remove(key)
    this.watch = this.store.watch(this.prefix, listed.revision + 1, {
      onEvents: (events) => {
        if (gen !== this.generation) return
        for (const ev of events) this.apply(ev.kv.key, ev.type === 'put' ? ev.kv : undefined, ev.kv.modRevision, true)
      },
      onError: () => {
        if (gen !== this.generation) return
        this.watch = undefined
        this.unsync()
        this.retry()
      },
    })
    this.failures = 0
    this.synced = true
  }

  private retry(): void {
    if (!this.running) return
    const delay = this.retryMs * 2 ** Math.min(3, this.failures++)
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.running) void this.run()
    }, delay)
    this.timer.unref()
  }
}

interface LiveEntry {
  expires: number
  items: KObject[]
}

const LIVE_ENTRIES = 1000

/** The namespace and ResourceQuota caches of one API server. */
export class AdmissionCache {
  private readonly namespaces: Informer
  private readonly quotas: Informer
  private readonly quotaPrefix: string
  private readonly liveTtlMs: number
  private readonly now: () => number
  /** Live quota lists of namespaces the cache held no quota for (upstream liveLookupCache). */
  private readonly live = new Map<string, LiveEntry>()
  /** The live list in flight per namespace (singleflight); dropped when the namespace's quotas change. */
  private readonly inflight = new Map<string, Promise<KObject[]>>()
  /**
   * Each cached value decoded once, not on every request that reads it (a KeyValue is replaced,
   * never changed, when its key is written). Readers share the object and must not change it,
   * as with upstream's listers.
   */
  private readonly decoded = new WeakMap<KeyValue, KObject>()

  constructor(
    store: Store,
    private readonly decode: (kv: KeyValue) => KObject,
    opts: AdmissionCacheOptions = {},
  ) {
    const retryMs = opts.retryMs ?? 500
    this.liveTtlMs = opts.quotaLiveTtlMs ?? 30_000
    this.now = opts.now ?? Date.now
    this.namespaces = new Informer(
      store,
      storagePrefix(lookupResource('', 'namespaces')!),
      retryMs,
      () => {},
      () => {},
    )
    this.quotaPrefix = storagePrefix(lookupResource('', 'resourcequotas')!)
    const nsOf = (key: string): string => key.slice(this.quotaPrefix.length, key.indexOf('/', this.quotaPrefix.length))
    this.quotas = new Informer(
      store,
      this.quotaPrefix,
      retryMs,
      (key) => this.invalidate(nsOf(key)),
      () => {
        this.live.clear()
        this.inflight.clear()
      },
      nsOf,
    )
  }

  /** Lists and starts watching; readers fall back to live reads until each cache has listed. */
  start(): void {
    this.namespaces.start()
    this.quotas.start()
  }

  /** Cancels the watches and any pending retry; readers fall back to live reads. */
  stop(): void {
    this.namespaces.stop()
    this.quotas.stop()
  }

  get synced(): boolean {
    return this.namespaces.synced && this.quotas.synced
  }

  /**
   * Write-through: a write this API server made (kv for a create or update, undefined for a
   * delete at `rev`), applied before the request's response so the next request sees it.
   */
  observe(key: string, kv: KeyValue | undefined, rev: number): void {
    if (key.startsWith(this.namespaces.prefix)) this.namespaces.apply(key, kv, rev, false)
    else if (key.startsWith(this.quotaPrefix)) this.quotas.apply(key, kv, rev, false)
  }

  /** The namespace as the cache holds it; undefined when it does not (or is not synced): a miss, to be read live. */
  namespace(name: string): KObject | undefined {
    if (!this.namespaces.synced) return undefined
    const kv = this.namespaces.get(`${this.namespaces.prefix}${name}`)
    return kv ? this.object(kv) : undefined
  }

  /**
   * The quotas of a namespace (upstream GetQuotas): the cached ones; when the cache holds none,
   * `liveList`'s answer, listed at most once per TTL per namespace and one call at a time, and
   * forgotten as soon as a quota of the namespace is written here or seen by the watch. Not
   * synced: `liveList` every time.
   */
  async resourceQuotas(namespace: string, liveList: () => Promise<KObject[]>): Promise<KObject[]> {
    if (!this.quotas.synced) return liveList()
    const cached = this.quotas.indexed(namespace)
    if (cached.length) return cached.map((kv) => this.object(kv))
    const remembered = this.live.get(namespace)
    if (remembered && remembered.expires > this.now()) return remembered.items
    const running = this.inflight.get(namespace)
    if (running) return running
    const p: Promise<KObject[]> = liveList().then(
      (items) => {
        // an answer that a quota write overtook (the entry was dropped meanwhile) is not remembered
        if (this.inflight.get(namespace) === p) {
          this.inflight.delete(namespace)
          this.live.delete(namespace)
          this.live.set(namespace, { expires: this.now() + this.liveTtlMs, items })
          if (this.live.size > LIVE_ENTRIES) this.live.delete(this.live.keys().next().value!)
        }
        return items
      },
      (e: unknown) => {
        if (this.inflight.get(namespace) === p) this.inflight.delete(namespace)
        throw e
      },
    )
    this.inflight.set(namespace, p)
    return p
  }

  private object(kv: KeyValue): KObject {
    let o = this.decoded.get(kv)
    if (!o) this.decoded.set(kv, (o = this.decode(kv)))
    return o
  }

  private invalidate(namespace: string): void {
    this.live.delete(namespace)
    this.inflight.delete(namespace)
  }
}
