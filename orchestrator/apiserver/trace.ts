// The request trace: an ordered, timestamped record of every request the API server handled
// (who, what, each phase it passed and its verdict, the response), every store write with its
// revision, and every watch notification sent to a client. It plays the part of upstream's
// audit log plus apiserver tracing, in one stream, so scenarios can assert order ("A happened
// before B") and reports can draw a sequence diagram. Served at /debug/trace?since=<seq>.
// Simplifies: one in-memory ring buffer per API server; no sampling.

export type TraceKind = 'request' | 'phase' | 'store' | 'response' | 'watch' | 'note'

export interface TraceEntry {
  /** Position in this API server's trace; strictly increasing. */
  seq: number
  /** Wall-clock time, RFC 3339 with milliseconds. */
  ts: string
  /** Milliseconds since the API server started (monotonic), for durations. */
  t: number
  kind: TraceKind
  /** Which API server instance wrote it (several exist in an HA control plane). */
  server: string
  requestId?: string
  /** The authenticated user (or `system:anonymous`, or the component for notes). */
  user?: string
  groups?: string[]
  verb?: string
  /** Group-qualified resource (`deployments.apps`, `pods`). */
  resource?: string
  subresource?: string
  namespace?: string
  name?: string
  /** For kind=phase: the pipeline phase (authentication, authorization, mutating-admission, ...). */
  phase?: string
  /** allowed / denied / ok / error; for responses the HTTP status code is in `code`. */
  outcome?: string
  code?: number
  /** For kind=store: the operation, key and the revision the store acknowledged. */
  op?: 'create' | 'update' | 'delete'
  key?: string
  revision?: number
  /** For kind=watch: the event type sent. */
  event?: string
  message?: string
  /** Free-form facts (admission plugin name, store latency, ...). */
  attrs?: Record<string, string | number | boolean>
}

export type TraceInput = Omit<TraceEntry, 'seq' | 'ts' | 't' | 'server'>

/**
 * A few facts about a written object that a reader of the trace needs and that the request
 * line does not carry: for an Event, its reason, the object it is about and its note (kubelets
 * report their container-runtime calls as Events: Pulling, Created, Started, Killing, ...); for
 * a Node, its Ready status, taints and whether it is cordoned; for a Pod, its phase, node and
 * whether it is being deleted (a node failure's timeline is read from these).
 * Undefined for everything else. Kept small on purpose: the trace is not an object store.
 */
export function objectAttrs(resource: string, o: Record<string, unknown>): Record<string, string> | undefined {
  if (resource === 'nodes') return nodeAttrs(o)
  if (resource === 'pods') return podAttrs(o)
  if (resource !== 'events' && resource !== 'events.events.k8s.io') return undefined
  const attrs: Record<string, string> = {}
  if (typeof o.reason === 'string' && o.reason) attrs.reason = o.reason
  const about = (o.involvedObject ?? o.regarding) as { kind?: unknown; name?: unknown } | undefined
  if (about && typeof about.kind === 'string' && typeof about.name === 'string') attrs.involvedObject = `${about.kind}/${about.name}`
  const note = typeof o.note === 'string' ? o.note : typeof o.message === 'string' ? o.message : ''
  if (note) attrs.note = note.length > 160 ? `${note.slice(0, 159)}…` : note
  const source = o.source as { component?: unknown } | undefined
  const reporter = o.reportingController ?? o.reportingComponent ?? source?.component
  if (typeof reporter === 'string' && reporter) attrs.reportingComponent = reporter
  return Object.keys(attrs).length ? attrs : undefined
}

function nodeAttrs(o: Record<string, unknown>): Record<string, string> | undefined {
  const attrs: Record<string, string> = {}
  const status = o.status as { conditions?: { type?: string; status?: string }[] } | undefined
  const ready = status?.conditions?.find((c) => c.type === 'Ready')?.status
  if (ready) attrs.ready = ready
  const spec = o.spec as { taints?: { key?: string; value?: string; effect?: string }[]; unschedulable?: boolean } | undefined
  if (spec?.taints?.length) attrs.taints = spec.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(',')
  if (spec?.unschedulable) attrs.unschedulable = 'true'
  return Object.keys(attrs).length ? attrs : undefined
}

function podAttrs(o: Record<string, unknown>): Record<string, string> | undefined {
  const attrs: Record<string, string> = {}
  const phase = (o.status as { phase?: unknown } | undefined)?.phase
  if (typeof phase === 'string' && phase) attrs.phase = phase
  const node = (o.spec as { nodeName?: unknown } | undefined)?.nodeName
  if (typeof node === 'string' && node) attrs.node = node
  if ((o.metadata as { deletionTimestamp?: unknown } | undefined)?.deletionTimestamp) attrs.deleting = 'true'
  return Object.keys(attrs).length ? attrs : undefined
}

export interface TraceOptions {
  /** Entries kept; older ones are dropped (readers see a gap through `firstSeq`). */
  capacity?: number
  /** Record a `watch` entry for every event sent to a watcher. */
  watchEvents?: boolean
}

export class Trace {
  /** Entries without `ts` (made when read: formatting a date per entry is the hot path's cost). */
  private entries: TraceEntry[] = []
  private nextSeq = 1
  private readonly started = performance.now()
  private readonly capacity: number
  readonly watchEvents: boolean
  private listeners = new Set<(e: TraceEntry) => void>()

  constructor(
    readonly server: string,
    opts: TraceOptions = {},
  ) {
    this.capacity = opts.capacity ?? 200_000
    this.watchEvents = opts.watchEvents ?? true
  }

  /** Appends an entry. The input object becomes the entry (callers pass a fresh literal). */
  record(input: TraceInput): TraceEntry {
    const now = performance.now()
    const entry = input as TraceEntry
    entry.seq = this.nextSeq++
    entry.t = Math.round((now - this.started) * 1000) / 1000
    entry.server = this.server
    this.entries.push(entry)
    // drop the oldest in chunks, so recording stays O(1) amortised once the buffer is full
    if (this.entries.length > this.capacity + (this.capacity >> 3)) this.entries = this.entries.slice(this.entries.length - this.capacity)
    if (this.listeners.size) {
      const withTs = this.materialize(entry)
      for (const l of this.listeners) l(withTs)
    }
    return entry
  }

  /**
   * Entries with seq > since, oldest first, at most `limit`. `next` is the cursor for the
   * following call; `lastSeq` the newest entry so far (a cursor for "from now on").
   */
  since(since: number, limit = 10_000): { entries: TraceEntry[]; next: number; firstSeq: number; lastSeq: number } {
    const first = this.entries[0]?.seq ?? this.nextSeq
    const start = Math.max(0, since + 1 - first)
    const entries = this.entries.slice(start, start + limit).map((e) => this.materialize(e))
    const lastSeq = this.nextSeq - 1
    return { entries, next: entries.at(-1)?.seq ?? Math.min(Math.max(since, first - 1), lastSeq), firstSeq: first, lastSeq }
  }

  get lastSeq(): number {
    return this.nextSeq - 1
  }

  /** Live tap (used by the CLI's --trace output); returns an unsubscribe function. */
  subscribe(listener: (e: TraceEntry) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A copy with the wall-clock `ts`, in the order fields are documented. */
  private materialize(e: TraceEntry): TraceEntry {
    const { seq, t, server, ts: _ts, ...rest } = e
    return { seq, ts: new Date(performance.timeOrigin + this.started + t).toISOString(), t, server, ...rest }
  }
}
