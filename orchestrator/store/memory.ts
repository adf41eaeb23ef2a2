// The embedded store: an in-memory, multi-version key-value store that keeps etcd v3's
// semantics (one global revision, per-key create/mod revisions and versions, range at a past
// revision, watch with history replay, compaction). It is the default for speed and scale;
// behaviors about etcd itself run on the real etcd store.
// Simplifies: no durability, no leases or transactions beyond compare-and-swap on mod revision.

import { StoreError } from './store.js'
import type { KeyValue, RangeOptions, RangeResult, Store, StoreEvent, StoreWatch, WatchHandlers } from './store.js'

interface Version {
  kv: KeyValue
  /** True when this entry records the delete at kv.modRevision. */
  deleted: boolean
}

interface Watcher {
  prefix: string
  handlers: WatchHandlers
  pending: StoreEvent[]
  scheduled: boolean
  cancelled: boolean
}

export interface MemoryStoreOptions {
  /** Events kept for watch replay before older ones are compacted away. */
  historyLimit?: number
}

export class MemoryStore implements Store {
  private revision = 1
  private compacted = 0
  /** Every key that has a version newer than the compaction revision, sorted (see sortedKeys). */
  private keys: string[] = []
  /** Keys created since `keys` was last sorted: merged in on the next read in key order, so a
   * create stays O(1) instead of an O(n) sorted insert. */
  private added: string[] = []
  private versions = new Map<string, Version[]>()
  private history: StoreEvent[] = []
  private watchers = new Map<string, Set<Watcher>>()
  private closed = false
  private readonly historyLimit: number

  constructor(opts: MemoryStoreOptions = {}) {
    this.historyLimit = opts.historyLimit ?? 200_000
  }

  describe(): string {
    return 'memory'
  }

  async currentRevision(): Promise<number> {
    this.checkOpen()
    return this.revision
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.checkOpen()
    const rev = this.readRevision(opts.revision)
    return this.valueAt(key, rev)
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.checkOpen()
    const rev = this.readRevision(opts.revision)
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined
    const keys = this.sortedKeys()
    let i = start === undefined ? lowerBound(keys, prefix) : upperBound(keys, start)
    const kvs: KeyValue[] = []
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity
    let more = false
    for (; i < keys.length; i++) {
      const key = keys[i]!
      if (!key.startsWith(prefix)) break
      const kv = this.valueAt(key, rev)
      if (!kv) continue
      if (kvs.length >= limit) {
        more = true
        break
      }
      kvs.push(kv)
    }
    return { kvs, revision: rev, more }
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen()
    const current = this.valueAt(key, this.revision)
    if (current) throw new StoreError('KeyExists', `key exists: ${key}`, current)
    const rev = this.revision + 1
    const kv: KeyValue = Object.freeze({ key, value, createRevision: rev, modRevision: rev, version: 1 })
    this.commit(key, { kv, deleted: false }, { type: 'put', kv })
    return kv
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen()
    const current = this.valueAt(key, this.revision)
    if (!current) throw new StoreError('NotFound', `key not found: ${key}`)
    if (current.modRevision !== expectedModRevision) {
      throw new StoreError('Conflict', `mod revision of ${key} is ${current.modRevision}, not ${expectedModRevision}`, current)
    }
    const rev = this.revision + 1
    const kv: KeyValue = Object.freeze({
      key,
      value,
      createRevision: current.createRevision,
      modRevision: rev,
      version: current.version + 1,
    })
    this.commit(key, { kv, deleted: false }, { type: 'put', kv, prevKv: current })
    return kv
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    this.checkOpen()
    const current = this.valueAt(key, this.revision)
    if (!current) throw new StoreError('NotFound', `key not found: ${key}`)
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      throw new StoreError('Conflict', `mod revision of ${key} is ${current.modRevision}, not ${expectedModRevision}`, current)
    }
    const rev = this.revision + 1
    const tomb: KeyValue = Object.freeze({ key, value: '', createRevision: 0, modRevision: rev, version: 0 })
    this.commit(key, { kv: tomb, deleted: true }, { type: 'delete', kv: tomb, prevKv: current })
    return { prev: current, revision: rev }
  }

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    const w: Watcher = { prefix, handlers, pending: [], scheduled: false, cancelled: false }
    const cancel = (): void => {
      w.cancelled = true
      this.watchers.get(prefix)?.delete(w)
    }
    if (this.closed) {
      setImmediate(() => !w.cancelled && handlers.onError(new StoreError('Unavailable', 'store is closed')))
      return { cancel }
    }
    if (fromRevision > 0 && fromRevision <= this.compacted) {
      const compacted = this.compacted
      setImmediate(() => {
        if (!w.cancelled) {
          handlers.onError(new StoreError('Compacted', `required revision ${fromRevision} has been compacted`, undefined, compacted))
        }
      })
      return { cancel }
    }
    // Replay retained history with revision >= fromRevision, then register for live events in
    // the same synchronous step, so no write can fall in between.
    if (fromRevision > 0 && fromRevision <= this.revision) {
      const first = lowerBoundBy(this.history, fromRevision, (e) => e.kv.modRevision)
      for (let i = first; i < this.history.length; i++) {
        const e = this.history[i]!
        if (e.kv.key.startsWith(prefix)) w.pending.push(e)
      }
    }
    let set = this.watchers.get(prefix)
    if (!set) this.watchers.set(prefix, (set = new Set()))
    set.add(w)
    if (w.pending.length) this.schedule(w)
    return { cancel }
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen()
    if (revision > this.revision) throw new StoreError('FutureRevision', `compaction revision ${revision} is in the future`)
    if (revision <= this.compacted) return
    this.compactTo(revision)
  }

  async snapshot(): Promise<Uint8Array> {
    this.checkOpen()
    const kvs: KeyValue[] = []
    for (const key of this.sortedKeys()) {
      const kv = this.valueAt(key, this.revision)
      if (kv) kvs.push(kv)
    }
    return new TextEncoder().encode(JSON.stringify({ format: 'ock-memory-snapshot/v1', revision: this.revision, kvs }))
  }

  async restore(snapshot: Uint8Array): Promise<void> {
    this.checkOpen()
    let parsed: { format?: string; revision?: number; kvs?: KeyValue[] }
    try {
      parsed = JSON.parse(new TextDecoder().decode(snapshot))
    } catch {
      throw new StoreError('Unavailable', 'snapshot is not a memory-store snapshot')
    }
    if (parsed.format !== 'ock-memory-snapshot/v1' || !Array.isArray(parsed.kvs)) {
      throw new StoreError('Unavailable', 'snapshot is not a memory-store snapshot')
    }
    // Never let the revision go backwards: resume above both the snapshot and the current revision.
    this.revision = Math.max(this.revision, parsed.revision ?? 0) + 1
    this.keys = []
    this.added = []
    this.versions.clear()
    this.history = []
    for (const kv of parsed.kvs) {
      this.keys.push(kv.key)
      this.versions.set(kv.key, [{ kv: Object.freeze({ ...kv }), deleted: false }])
    }
    this.keys.sort()
    this.compacted = this.revision
    this.failAllWatchers(new StoreError('Compacted', 'store was restored from a snapshot', undefined, this.compacted))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.failAllWatchers(new StoreError('Unavailable', 'store is closed'))
  }

  // -------------------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed')
  }

  private readRevision(requested: number | undefined): number {
    if (requested === undefined || requested <= 0) return this.revision
    if (requested > this.revision) throw new StoreError('FutureRevision', `revision ${requested} is in the future (current ${this.revision})`)
    if (requested < this.compacted) {
      throw new StoreError('Compacted', `required revision ${requested} has been compacted`, undefined, this.compacted)
    }
    return requested
  }

  private valueAt(key: string, rev: number): KeyValue | undefined {
    const versions = this.versions.get(key)
    if (!versions) return undefined
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i]!
      if (v.kv.modRevision <= rev) return v.deleted ? undefined : v.kv
    }
    return undefined
  }

  private commit(key: string, version: Version, event: StoreEvent): void {
    this.revision = version.kv.modRevision
    let versions = this.versions.get(key)
    if (!versions) {
      versions = []
      this.versions.set(key, versions)
      this.added.push(key)
    }
    versions.push(version)
    this.history.push(event)
    for (const [prefix, set] of this.watchers) {
      if (!key.startsWith(prefix)) continue
      for (const w of set) {
        w.pending.push(event)
        this.schedule(w)
      }
    }
    if (this.history.length > this.historyLimit) {
      this.compactTo(this.history[this.history.length - Math.floor(this.historyLimit / 2)]!.kv.modRevision - 1)
    }
  }

  private compactTo(revision: number): void {
    this.compacted = revision
    const first = lowerBoundBy(this.history, revision + 1, (e) => e.kv.modRevision)
    this.history = this.history.slice(first)
    const keep: string[] = []
    for (const key of this.sortedKeys()) {
      const versions = this.versions.get(key)!
      // Keep the newest version at or below the compaction revision (it is what a read there
      // sees) and everything after it; drop keys whose surviving state is a delete.
      let base = 0
      for (let i = versions.length - 1; i >= 0; i--) {
        if (versions[i]!.kv.modRevision <= revision) {
          base = i
          break
        }
      }
      const kept = versions.slice(base)
      if (kept.length === 1 && kept[0]!.deleted && kept[0]!.kv.modRevision <= revision) {
        this.versions.delete(key)
        continue
      }
      this.versions.set(key, kept)
      keep.push(key)
    }
    this.keys = keep
  }

  private sortedKeys(): string[] {
    if (this.added.length) {
      const fresh = this.added.sort()
      this.added = []
      const merged: string[] = new Array(this.keys.length + fresh.length)
      let a = 0
      let b = 0
      let k = 0
      while (a < this.keys.length && b < fresh.length) merged[k++] = this.keys[a]! < fresh[b]! ? this.keys[a++]! : fresh[b++]!
      while (a < this.keys.length) merged[k++] = this.keys[a++]!
      while (b < fresh.length) merged[k++] = fresh[b++]!
      this.keys = merged
    }
    return this.keys
  }

  private schedule(w: Watcher): void {
    if (w.scheduled || w.cancelled) return
    w.scheduled = true
    setImmediate(() => {
      w.scheduled = false
      if (w.cancelled || !w.pending.length) return
      const batch = w.pending
      w.pending = []
      w.handlers.onEvents(batch)
    })
  }

  private failAllWatchers(err: StoreError): void {
    const all = [...this.watchers.values()].flatMap((s) => [...s])
    this.watchers.clear()
    for (const w of all) {
      w.pending = []
      setImmediate(() => {
        if (!w.cancelled) {
          w.cancelled = true
          w.handlers.onError(err)
        }
      })
    }
  }
}

function lowerBound(arr: string[], x: string): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

function upperBound(arr: string[], x: string): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

function lowerBoundBy<T>(arr: T[], x: number, f: (t: T) => number): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (f(arr[mid]!) < x) lo = mid + 1
    else hi = mid
  }
  return lo
}
