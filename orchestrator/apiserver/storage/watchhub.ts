// One store watch shared by many API watches that each want the events of one index value,
// as kube-apiserver's watch cache dispatches by indexed field: every kubelet watches pods with
// fieldSelector spec.nodeName=<its node>, and without an index each pod write would be handed
// to (and filtered by) every kubelet's watch. The hub keeps one store watch on the prefix,
// remembers the most recent events to start new subscribers from a past revision, and hands
// each event only to the subscribers of the index values it had before and has after (so an
// object moving in or out of a selection still reaches the watch that must see it).
// Simplifies: subscribers still apply their own selectors (the index only routes); a start
// older than the remembered events falls back to a watch of its own on the store.

import { StoreError, type KeyValue, type Store, type StoreEvent, type StoreWatch, type WatchHandlers } from '../../store/store.js'

export interface HubOptions {
  /** Events remembered for subscribers that start from a past revision. */
  bufferSize?: number
}

interface Subscriber {
  value: string
  fromRevision: number
  handlers: WatchHandlers
  pending: StoreEvent[]
  scheduled: boolean
  cancelled: boolean
}

export class WatchHub {
  private storeWatch?: StoreWatch
  /** Recent events in revision order, for replay. */
  private buffer: StoreEvent[] = []
  /** The revision of the newest event delivered to the hub (0 before the store watch started). */
  private delivered = 0
  private readonly byValue = new Map<string, Set<Subscriber>>()
  private readonly bufferSize: number

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    /** The index value of a stored value (e.g. the pod's spec.nodeName). */
    private readonly indexOf: (kv: KeyValue) => string | undefined,
    opts: HubOptions = {},
  ) {
    this.bufferSize = opts.bufferSize ?? 10_000
  }

  /** Subscribers now (for tests and diagnostics). */
  get size(): number {
    let n = 0
    for (const s of this.byValue.values()) n += s.size
    return n
  }

  /**
   * Delivers every event with revision >= fromRevision whose object had or has index `value`,
   * in order, asynchronously; the contract of Store.watch, for one index value.
   */
  watch(value: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    if (!this.storeWatch) this.startStoreWatch(fromRevision)
    // a start the hub can no longer replay: a store watch of its own
    const oldest = this.buffer.length ? this.buffer[0]!.kv.modRevision : this.delivered + 1
    if (fromRevision > 0 && fromRevision < oldest && fromRevision <= this.delivered) return this.store.watch(this.prefix, fromRevision, handlers)
    const sub: Subscriber = { value, fromRevision, handlers, pending: [], scheduled: false, cancelled: false }
    if (fromRevision > 0) {
      for (const e of this.buffer) if (e.kv.modRevision >= fromRevision && this.concerns(e, value)) sub.pending.push(e)
    }
    let set = this.byValue.get(value)
    if (!set) this.byValue.set(value, (set = new Set()))
    set.add(sub)
    if (sub.pending.length) this.schedule(sub)
    return {
      cancel: () => {
        sub.cancelled = true
        const s = this.byValue.get(value)
        s?.delete(sub)
        if (s && !s.size) this.byValue.delete(value)
        if (!this.byValue.size) this.stopStoreWatch()
      },
    }
  }

  // -------------------------------------------------------------------------------------------

  private startStoreWatch(fromRevision: number): void {
    this.buffer = []
    this.delivered = Math.max(0, fromRevision - 1)
    this.storeWatch = this.store.watch(this.prefix, fromRevision, {
      onEvents: (events) => this.onEvents(events),
      onError: (err) => this.onError(err),
    })
  }

  private stopStoreWatch(): void {
    this.storeWatch?.cancel()
    this.storeWatch = undefined
    this.buffer = []
    this.delivered = 0
  }

  private concerns(e: StoreEvent, value: string): boolean {
    return (e.type === 'put' && this.indexOf(e.kv) === value) || (e.prevKv !== undefined && this.indexOf(e.prevKv) === value)
  }

  private onEvents(events: StoreEvent[]): void {
    for (const e of events) {
      this.delivered = e.kv.modRevision
      this.buffer.push(e)
      const values = new Set<string>()
      if (e.type === 'put') {
        const v = this.indexOf(e.kv)
        if (v !== undefined) values.add(v)
      }
      if (e.prevKv) {
        const v = this.indexOf(e.prevKv)
        if (v !== undefined) values.add(v)
      }
      for (const v of values) {
        for (const sub of this.byValue.get(v) ?? []) {
          if (e.kv.modRevision < sub.fromRevision) continue
          sub.pending.push(e)
          this.schedule(sub)
        }
      }
    }
    if (this.buffer.length > this.bufferSize + (this.bufferSize >> 3)) this.buffer = this.buffer.slice(this.buffer.length - this.bufferSize)
  }

  /** The shared watch ended (compaction, restore, store down): every subscriber ends with it. */
  private onError(err: StoreError): void {
    const subs = [...this.byValue.values()].flatMap((s) => [...s])
    this.byValue.clear()
    this.storeWatch = undefined
    this.buffer = []
    this.delivered = 0
    for (const sub of subs) {
      sub.cancelled = true
      setImmediate(() => sub.handlers.onError(err))
    }
  }

  private schedule(sub: Subscriber): void {
    if (sub.scheduled || sub.cancelled) return
    sub.scheduled = true
    setImmediate(() => {
      sub.scheduled = false
      if (sub.cancelled || !sub.pending.length) return
      const batch = sub.pending
      sub.pending = []
      sub.handlers.onEvents(batch)
    })
  }
}
