// Reading the built-in API server's trace (GET /debug/trace?since=<seq>) over HTTPS with the
// scenario's admin credentials, and the vocabulary scenarios use to talk about it: each phrase
// ("the store acknowledges it with a revision") is a predicate on the entries of one request.

import https from 'node:https'
import type { KubeConfig } from '@kubernetes/client-node'
import { isArabic } from './arabic.js'
import { parseDuration } from './durations.js'

/** One trace entry as the API server serves it (see orchestrator/apiserver/trace.ts). */
export interface TraceEntry {
  seq: number
  ts: string
  t: number
  kind: 'request' | 'phase' | 'store' | 'response' | 'watch' | 'note'
  server: string
  requestId?: string
  user?: string
  groups?: string[]
  verb?: string
  resource?: string
  subresource?: string
  namespace?: string
  name?: string
  phase?: string
  outcome?: string
  code?: number
  op?: string
  key?: string
  revision?: number
  event?: string
  message?: string
  attrs?: Record<string, string | number | boolean>
}

export class TraceReader {
  constructor(
    private readonly kc: KubeConfig,
    private readonly server: string,
  ) {}

  /** Entries after `since`, oldest first. */
  async since(since: number): Promise<TraceEntry[]> {
    const out: TraceEntry[] = []
    let cursor = since
    for (;;) {
      const page = await this.get(`/debug/trace?since=${cursor}&limit=10000`)
      out.push(...page.entries)
      if (page.entries.length < 10000) return out
      cursor = page.next
    }
  }

  /** The sequence number of the newest entry: a cursor for "from now on". */
  async cursor(): Promise<number> {
    const page = await this.get(`/debug/trace?since=${Number.MAX_SAFE_INTEGER}&limit=1`)
    return page.lastSeq
  }

  private async get(path: string): Promise<{ entries: TraceEntry[]; next: number; lastSeq: number }> {
    const url = new URL(path, this.server)
    const opts: https.RequestOptions = {
      method: 'GET',
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: 'application/json' },
    }
    await this.kc.applyToHTTPSOptions(opts)
    return new Promise((resolve, reject) => {
      const req = https.request(opts, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          if (res.statusCode !== 200) return reject(new Error(`reading the trace failed: HTTP ${res.statusCode}: ${text}`))
          resolve(JSON.parse(text) as { entries: TraceEntry[]; next: number; lastSeq: number })
        })
      })
      req.on('error', reject)
      req.end()
    })
  }
}

/** All entries of one request, in order. */
export function requestEntries(entries: TraceEntry[], requestId: string): TraceEntry[] {
  return entries.filter((e) => e.requestId === requestId)
}

export interface RequestMatch {
  verb: string
  /** Plural, group-qualified as the trace writes it (`deployments.apps`). */
  resource: string
  name?: string
  namespace?: string
  user?: string
}

/** Request ids of requests that match, oldest first. */
export function findRequests(entries: TraceEntry[], m: RequestMatch): string[] {
  const ids: string[] = []
  for (const e of entries) {
    if (e.kind !== 'request' || !e.requestId) continue
    if (e.verb !== m.verb || e.resource !== m.resource || e.subresource) continue
    if (m.namespace && e.namespace && e.namespace !== m.namespace) continue
    if (m.name && e.name && e.name !== m.name) continue
    ids.push(e.requestId)
  }
  if (m.name || m.user) {
    // creates carry the name in the body, not the URL: match it from the store write or response
    return ids.filter((id) => {
      const es = requestEntries(entries, id)
      const nameOk = !m.name || es.some((e) => e.name === m.name)
      const userOk = !m.user || es.some((e) => e.user === m.user)
      return nameOk && userOk
    })
  }
  return ids
}

/** The steps of the notes' create-object process, and the trace entries that show each. */
export const TRACE_PHRASES: Record<string, (e: TraceEntry) => boolean> = {
  'the request is received': (e) => e.kind === 'request',
  'authentication refuses it': (e) => e.kind === 'phase' && e.phase === 'authentication' && e.outcome === 'denied',
  'authorization refuses it': (e) => e.kind === 'phase' && e.phase === 'authorization' && e.outcome === 'denied',
  'mutating admission refuses it': (e) => e.kind === 'phase' && e.phase === 'mutating-admission' && e.outcome === 'denied',
  'validation refuses it': (e) => e.kind === 'phase' && (e.phase === 'validation' || e.phase === 'decoding') && e.outcome === 'denied',
  'validating admission refuses it': (e) => e.kind === 'phase' && e.phase === 'validating-admission' && e.outcome === 'denied',
  'the user is told it was refused': (e) => e.kind === 'response' && typeof e.code === 'number' && e.code >= 400,
  'the user is authenticated': (e) => e.kind === 'phase' && e.phase === 'authentication' && e.outcome === 'allowed',
  'the user is authorized': (e) => e.kind === 'phase' && e.phase === 'authorization' && e.outcome === 'allowed',
  'mutating admission passes': (e) => e.kind === 'phase' && e.phase === 'mutating-admission' && e.outcome === 'ok',
  'the object is validated': (e) => e.kind === 'phase' && e.phase === 'validation' && e.outcome === 'ok',
  'validating admission passes': (e) => e.kind === 'phase' && e.phase === 'validating-admission' && e.outcome === 'ok',
  'the object is written to the store': (e) => e.kind === 'store' && e.outcome === 'sent' && (e.op === 'create' || e.op === 'update'),
  'the store acknowledges it with a revision': (e) => e.kind === 'store' && typeof e.revision === 'number' && e.revision > 0 && e.outcome === 'ok',
  'the user is told it was created': (e) => e.kind === 'response' && e.code === 201,
  'the user is told it was deleted': (e) => e.kind === 'response' && e.code === 200,
}

/**
 * The same steps as the Arabic features write them (in the notes' words, Kubernetes terms in
 * English): each Arabic phrase stands for the English one and is checked by the same predicate.
 */
export const TRACE_PHRASES_AR = {
  'الـ API Server استلم الـ request': 'the request is received',
  'الـ authentication رفضه': 'authentication refuses it',
  'الـ authorization رفضه': 'authorization refuses it',
  'الـ mutating admission رفضه': 'mutating admission refuses it',
  'الـ validation رفضه': 'validation refuses it',
  'الـ validating admission رفضه': 'validating admission refuses it',
  'الـ user اتبلغ إن الـ request اترفض': 'the user is told it was refused',
  'الـ user اتعمله authentication': 'the user is authenticated',
  'الـ request مسموح لليوزر انه يعمله': 'the user is authorized',
  'الـ mutating admission عدى': 'mutating admission passes',
  'الـ object اتعمله validation': 'the object is validated',
  'الـ validating admission عدى': 'validating admission passes',
  'الـ API Server خزن الـ object في الـ store': 'the object is written to the store',
  'الـ store بلغ انه خزنه بـ revision': 'the store acknowledges it with a revision',
  'الـ user اتبلغ إن الـ object اتعمل': 'the user is told it was created',
  'الـ user اتبلغ إن الـ object اتمسح': 'the user is told it was deleted',
} as const

for (const [arabic, english] of Object.entries(TRACE_PHRASES_AR)) {
  const check = TRACE_PHRASES[english]
  if (!check) throw new Error(`the Arabic trace phrase "${arabic}" stands for "${english}", which is no trace phrase`)
  TRACE_PHRASES[arabic] = check
}

export function describeEntry(e: TraceEntry): string {
  const what = [e.verb, e.resource, e.namespace && e.name ? `${e.namespace}/${e.name}` : e.name].filter(Boolean).join(' ')
  switch (e.kind) {
    case 'request':
      return `#${e.seq} request ${what} (${e.message ?? ''})`
    case 'phase':
      return `#${e.seq} ${e.phase}: ${e.outcome}${e.user ? ` as ${e.user}` : ''}${e.message ? ` (${e.message})` : ''}`
    case 'store':
      return e.outcome === 'sent'
        ? `#${e.seq} store ${e.op} ${e.key} sent`
        : `#${e.seq} store ${e.op} ${e.key} -> ${e.outcome === 'ok' ? `revision ${e.revision}` : e.outcome}`
    case 'response':
      return `#${e.seq} response ${e.code}${e.message ? ` (${e.message})` : ''}`
    case 'watch':
      return `#${e.seq} watch ${e.event} ${what} -> ${e.user}`
    default:
      return `#${e.seq} ${e.kind} ${e.message ?? ''}`
  }
}

/** One API request as the trace shows it: who made it, what it was about, what it wrote. */
export interface TracedRequest {
  requestId: string
  /** The authenticated user (undefined if authentication failed). */
  user?: string
  verb: string
  resource: string
  subresource?: string
  namespace?: string
  /** The name in the URL, or the name of what it wrote (creates carry it in the body). */
  name?: string
  /** The request line, with the query string (selectors). */
  line: string
  code?: number
  writes: TraceEntry[]
}

/** Groups trace entries into requests. */
export function tracedRequests(entries: TraceEntry[]): TracedRequest[] {
  const byId = new Map<string, TracedRequest>()
  for (const e of entries) {
    if (!e.requestId) continue
    let r = byId.get(e.requestId)
    if (!r) {
      if (e.kind !== 'request') continue
      r = {
        requestId: e.requestId,
        verb: e.verb ?? '',
        resource: e.resource ?? '',
        subresource: e.subresource,
        namespace: e.namespace,
        name: e.name,
        line: e.message ?? '',
        writes: [],
      }
      byId.set(e.requestId, r)
      continue
    }
    if (e.kind === 'phase' && e.phase === 'authentication' && e.outcome === 'allowed') r.user = e.user
    if (e.kind === 'response') r.code = e.code
    if (e.kind === 'store') {
      r.writes.push(e)
      r.name ??= e.name
    }
  }
  return [...byId.values()]
}

/** `system:node:*` matches every kubelet; anything else must match exactly. */
export function userMatches(pattern: string, user: string | undefined): boolean {
  if (!user) return false
  return pattern.endsWith('*') ? user.startsWith(pattern.slice(0, -1)) : user === pattern
}

/** `pods/binding` or `replicasets.apps`, as a scenario names what a request was about. */
export function requestTarget(r: Pick<TracedRequest, 'resource' | 'subresource'>): string {
  return r.subresource ? `${r.resource}/${r.subresource}` : r.resource
}

// ---------------------------------------------------------------------------------------------
// a node's failure as the trace shows it: heartbeats, Ready=Unknown, taints, evictions,
// replacements (read from store writes; nodes and pods carry `ready`, `taints`, `phase`, `node`)

const CONTROLLER_MANAGER = 'system:kube-controller-manager'
const LEASES = 'leases.coordination.k8s.io'

/** One moment of a node's timeline: where in the trace and when (ms since the API server started). */
export interface Moment {
  seq: number
  t: number
  what: string
}

export interface TimelineState {
  node: string
  entries: TraceEntry[]
  /** Pods evicted from the node (namespace/name), once a row found them. */
  evicted: string[]
}

/** Finds a row's moments after `after` (a sequence number); `before` bounds rows that look back. */
type Finder = (s: TimelineState, after: number, before: number) => Moment[]

const acked = (e: TraceEntry): boolean => e.kind === 'store' && e.outcome === 'ok'
const moment = (e: TraceEntry, what: string): Moment => ({ seq: e.seq, t: e.t, what })

/** Phrases a timeline row may use, with what each finds. */
export const NODE_TIMELINE: [RegExp, (m: RegExpExecArray) => Finder][] = [
  [
    /^its kubelet renews its Lease for the last time$/,
    () => (s, after, before) => {
      const renewals = s.entries.filter(
        (e) => acked(e) && e.seq > after && e.seq < before && e.resource === LEASES && e.name === s.node && e.user === `system:node:${s.node}`,
      )
      const last = renewals.at(-1)
      return last ? [moment(last, `Lease ${s.node} renewed by its kubelet`)] : []
    },
  ],
  [
    /^it is marked Ready=(\w+)$/,
    (m) => (s, after) => {
      const e = s.entries.find(
        (x) => acked(x) && x.seq > after && x.resource === 'nodes' && x.name === s.node && x.user === CONTROLLER_MANAGER && x.attrs?.ready === m[1],
      )
      return e ? [moment(e, `node ${s.node} written with Ready=${m[1]}`)] : []
    },
  ],
  [
    /^it is tainted (\S+)$/,
    (m) => (s, after) => {
      const e = s.entries.find(
        (x) =>
          acked(x) &&
          x.seq > after &&
          x.resource === 'nodes' &&
          x.name === s.node &&
          String(x.attrs?.taints ?? '')
            .split(',')
            .includes(m[1]!),
      )
      return e ? [moment(e, `node ${s.node} tainted ${m[1]}`)] : []
    },
  ],
  [
    /^its pods are evicted$/,
    () => (s, after) => {
      // the controller manager's DELETE of a pod bound to the node marks it for deletion
      const deletions = s.entries.filter(
        (x) => acked(x) && x.seq > after && x.resource === 'pods' && x.user === CONTROLLER_MANAGER && x.attrs?.node === s.node && x.attrs?.deleting === 'true',
      )
      const first = new Map<string, TraceEntry>()
      for (const d of deletions) if (!first.has(`${d.namespace}/${d.name}`)) first.set(`${d.namespace}/${d.name}`, d)
      // a status write (MarkPodsNotReady, DisruptionTarget) is not a deletion: only the DELETE requests count
      const byDelete = [...first.values()].filter((d) => s.entries.some((r) => r.kind === 'request' && r.requestId === d.requestId && r.verb === 'delete'))
      s.evicted = byDelete.map((d) => `${d.namespace}/${d.name}`)
      return byDelete.map((d) => moment(d, `pod ${d.namespace}/${d.name} marked for deletion`))
    },
  ],
  [
    /^their replacements are Running on other nodes$/,
    () => (s, after) => {
      if (!s.evicted.length) return []
      const namespaces = new Set(s.evicted.map((k) => k.split('/')[0]))
      const created = s.entries.filter(
        (x) => acked(x) && x.seq > after && x.op === 'create' && x.resource === 'pods' && x.user === CONTROLLER_MANAGER && namespaces.has(x.namespace ?? ''),
      )
      const replacements = created.slice(0, s.evicted.length)
      if (replacements.length < s.evicted.length) return []
      const out: Moment[] = []
      for (const r of replacements) {
        const running = s.entries.find(
          (x) =>
            acked(x) &&
            x.seq > r.seq &&
            x.resource === 'pods' &&
            x.namespace === r.namespace &&
            x.name === r.name &&
            x.attrs?.phase === 'Running' &&
            x.attrs?.node !== s.node,
        )
        if (!running) return []
        out.push(moment(running, `replacement ${r.namespace}/${r.name} Running on ${running.attrs?.node}`))
      }
      return out.sort((a, b) => a.seq - b.seq)
    },
  ],
]

/**
 * The rows of a node's timeline as the Arabic features write them (features/ar/), each with the
 * English row it stands for: the step reads an Arabic row as its English one, so both run the
 * same finder; support/twins.test.ts compares the cells the same way.
 */
export const NODE_TIMELINE_AR: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^الـ kubelet بتاعتها جددت الـ Lease بتاعتها لآخر مرة$/, () => 'its kubelet renews its Lease for the last time'],
  [/^اتعلم عليها Ready=(\w+)$/, (m) => `it is marked Ready=${m[1]}`],
  [/^اتحط عليها الـ taint (\S+)$/, (m) => `it is tainted ${m[1]}`],
  [/^الـ pods بتاعتها اتعملها evict$/, () => 'its pods are evicted'],
  [/^الـ pods اللي بتعوضها بقت Running على nodes تانية$/, () => 'their replacements are Running on other nodes'],
]

const BOUND_AR: Record<string, string> = { بعد: 'after', 'في خلال': 'within', خلال: 'within' }

/**
 * A cell of a timeline row as the step reads it: an Arabic row (NODE_TIMELINE_AR) or Arabic
 * bounds ("بعد 2 ثانية، في خلال 3 ثواني") as the English ones ("after 2s, within 3s"); any
 * other cell as it is.
 */
export function timelineCellAsEnglish(cell: string): string {
  const text = cell.trim()
  for (const [re, english] of NODE_TIMELINE_AR) {
    const m = re.exec(text)
    if (m) return english(m)
  }
  if (!isArabic(text)) return cell
  const parts = text.split(/\s*[،,]\s*(?:و\s*)?/).map((part) => {
    const m = /^(بعد|في خلال|خلال) (.+)$/.exec(part)
    if (!m) return part
    const ms = parseDuration(m[2]!)
    return `${BOUND_AR[m[1]!]} ${ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`}`
  })
  return parts.join(', ')
}

export function timelineFinder(phrase: string): Finder {
  for (const [re, make] of NODE_TIMELINE) {
    const m = re.exec(phrase.trim())
    if (m) return make(m)
  }
  throw new Error(`unknown timeline step "${phrase}"; known: ${NODE_TIMELINE.map(([re]) => re.source).join(' | ')}`)
}

/** "", "within 3s", "after 2s", "after 2s, within 3s" -> bounds in ms. */
export function parseBounds(text: string): { afterMs?: number; withinMs?: number } {
  const out: { afterMs?: number; withinMs?: number } = {}
  const ms = (v: string, unit: string): number => Number(v) * (unit === 'ms' ? 1 : unit === 'm' ? 60_000 : 1000)
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(after|within) (\d+(?:\.\d+)?)(ms|s|m)$/.exec(part)
    if (!m) throw new Error(`"${part}" is not a bound (after 2s, within 3s)`)
    if (m[1] === 'after') out.afterMs = ms(m[2]!, m[3]!)
    else out.withinMs = ms(m[2]!, m[3]!)
  }
  return out
}
