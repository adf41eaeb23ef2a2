// A sequence diagram of what happened in one scenario, built from the API server's trace:
// who called the API server (users, the controller manager, the scheduler, kubelets, other
// components), what the API server checked and wrote to the store, which watchers it notified,
// and which container-runtime calls the kubelets reported (their Events). Pure functions from
// trace entries to a diagram model; sequence-svg.ts draws the model.
// Long traces stay readable: heartbeats (lease renewals, node status) collapse into one "×N"
// message, repeated identical messages fold, traffic about other namespaces and discovery is
// counted instead of drawn, and a cap keeps the scenario's own story (its user's requests, its
// namespace, numbered steps) when something must go.
// Over 400 lines: the hiding rules are one table and each trace entry kind has one builder; they
// are kept together so a reader sees every rule that shapes a diagram in one place.

import type { TraceEntry } from '../trace.js'

export type LaneKind = 'user' | 'apiserver' | 'store' | 'controller-manager' | 'scheduler' | 'kubelet' | 'runtime' | 'component'

export interface Lane {
  id: string
  kind: LaneKind
  title: string
  /** The identity or instance behind the lane (user name, node name, server name). */
  subtitle?: string
}

export type MessageKind = 'request' | 'checks' | 'write' | 'ack' | 'response' | 'watch' | 'runtime'

export interface StepMark {
  n: number
  label: string
}

export interface DiagramMessage {
  kind: MessageKind
  from: string
  to: string
  label: string
  /** Longer text for a tooltip (full path, phases with outcomes, time range of a collapsed run). */
  detail: string
  /** Milliseconds since the first drawn entry. */
  t: number
  /** For collapsed messages: time of the last occurrence. */
  tLast?: number
  /** How many occurrences this message stands for (heartbeats and repeats collapse). */
  count: number
  /** A rejection, a denial or a failed write. */
  failed: boolean
  requestId?: string
  /** The trace entries this message shows. */
  entries: TraceEntry[]
  steps: StepMark[]
  /** Higher survives the cap longer. */
  priority: number
}

/**
 * A numbered step a scenario asks the diagram to mark (for example the nine steps of creating
 * an object). Step k is the first message, anywhere in the diagram, for which `when` holds;
 * `prior` holds the messages steps 1..k-1 matched (a rule may ask for the same request as step
 * 1). Matching never assumes the order: a check that the steps happened in order compares the
 * marked messages' times, and sees a step that came too early.
 */
export interface StepRule {
  n: number
  label: string
  when: (m: DiagramMessage, prior: ReadonlyMap<number, DiagramMessage>) => boolean
}

export interface DiagramOptions {
  /** The scenario's namespace: its objects are kept first, other namespaces are counted, not drawn. */
  namespace?: string
  title?: string
  steps?: readonly StepRule[]
  /** At most this many messages are drawn (default 240). */
  maxMessages?: number
  /** Users whose requests get every detail (checks, writes, response); default: every non-system user. */
  detailFor?: (user: string) => boolean
}

export interface Diagram {
  title: string
  lanes: Lane[]
  messages: DiagramMessage[]
  /** Wall-clock time of t=0. */
  startedAt: string
  /** What was left out, with counts ("discovery requests": 4). */
  hidden: { what: string; count: number }[]
  /** Steps asked for that the trace does not show. */
  missingSteps: StepMark[]
}

const API = 'apiserver'
const STORE = 'store'

/** The lane of a user or component identity. */
export function laneFor(user: string | undefined): Lane {
  const u = user ?? 'system:anonymous'
  if (u === 'system:kube-controller-manager') return { id: 'controller-manager', kind: 'controller-manager', title: 'controller manager', subtitle: u }
  if (u === 'system:kube-scheduler') return { id: 'scheduler', kind: 'scheduler', title: 'scheduler', subtitle: u }
  if (u.startsWith('system:node:')) {
    const node = u.slice('system:node:'.length)
    return { id: `kubelet:${node}`, kind: 'kubelet', title: 'kubelet', subtitle: node }
  }
  if (u === 'system:kube-proxy') return { id: 'kube-proxy', kind: 'component', title: 'kube-proxy', subtitle: u }
  if (u.startsWith('system:serviceaccount:')) return { id: `user:${u}`, kind: 'user', title: u.split(':').at(-1) ?? u, subtitle: u }
  if (u.startsWith('system:') && u !== 'system:anonymous') return { id: `component:${u}`, kind: 'component', title: u.slice('system:'.length), subtitle: u }
  return { id: `user:${u}`, kind: 'user', title: u === 'system:anonymous' ? 'anonymous' : u, subtitle: u === 'system:anonymous' ? 'no credentials' : 'user' }
}

function runtimeLane(node: string): Lane {
  return { id: `runtime:${node}`, kind: 'runtime', title: 'container runtime', subtitle: node }
}

const LANE_ORDER: Record<LaneKind, number> = { user: 0, apiserver: 1, store: 2, 'controller-manager': 3, scheduler: 4, kubelet: 5, runtime: 5, component: 7 }

function sortLanes(lanes: Lane[]): Lane[] {
  const rank = (l: Lane): [number, string] => {
    if (l.kind === 'kubelet') return [LANE_ORDER.kubelet, `${l.subtitle}:0`]
    if (l.kind === 'runtime') return [LANE_ORDER.runtime, `${l.subtitle}:1`]
    return [LANE_ORDER[l.kind], l.id]
  }
  return [...lanes].sort((a, b) => {
    const [ra, ka] = rank(a)
    const [rb, kb] = rank(b)
    return ra - rb || (ka < kb ? -1 : ka > kb ? 1 : 0)
  })
}

/** Drops the group from a qualified resource: `deployments.apps` -> `deployments`. */
export function shortResource(resource: string | undefined): string {
  if (!resource) return ''
  const dot = resource.indexOf('.')
  return dot < 0 ? resource : resource.slice(0, dot)
}

function objectPath(
  resource: string | undefined,
  subresource: string | undefined,
  name: string | undefined,
  namespace: string | undefined,
  home: string | undefined,
): string {
  const res = shortResource(resource)
  const ns = namespace && namespace !== home ? `${namespace}/` : ''
  if (!name) return `${ns}${res}${subresource ? `/${subresource}` : ''}`
  return `${res}/${ns}${name}${subresource ? `/${subresource}` : ''}`
}

/** Heartbeats: node leases and node status, renewed every few seconds by every kubelet. */
export function isHeartbeat(r: { verb?: string; resource?: string; subresource?: string }, user: string | undefined): boolean {
  if (r.resource === 'leases.coordination.k8s.io' && (r.verb === 'update' || r.verb === 'patch')) return true
  if (r.resource === 'nodes' && r.subresource === 'status' && (r.verb === 'update' || r.verb === 'patch') && (user ?? '').startsWith('system:node:'))
    return true
  return false
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export function statusText(code: number | undefined): string {
  if (code === undefined) return ''
  return `${code} ${STATUS_TEXT[code] ?? ''}`.trim()
}

const PHASE_SHORT: Record<string, string> = {
  authentication: 'authn',
  authorization: 'authz',
  'mutating-admission': 'mutate',
  validation: 'validate',
  'validating-admission': 'admit',
}

/** Everything one request left in the trace. */
interface RequestRecord {
  id: string
  request?: TraceEntry
  phases: TraceEntry[]
  stores: TraceEntry[]
  response?: TraceEntry
  user?: string
}

function groupRequests(entries: readonly TraceEntry[]): Map<string, RequestRecord> {
  const byId = new Map<string, RequestRecord>()
  for (const e of entries) {
    if (!e.requestId) continue
    let r = byId.get(e.requestId)
    if (!r) {
      r = { id: e.requestId, phases: [], stores: [] }
      byId.set(e.requestId, r)
    }
    if (e.kind === 'request') r.request = e
    else if (e.kind === 'phase') r.phases.push(e)
    else if (e.kind === 'store') r.stores.push(e)
    else if (e.kind === 'response') r.response = e
    if (!r.user && e.user && e.kind !== 'watch') r.user = e.user
  }
  return byId
}

const isSystem = (u: string | undefined): boolean => (u ?? '').startsWith('system:') && u !== 'system:anonymous'

/** The node a kubelet's Event speaks about, and the runtime call it reports. */
function runtimeCall(r: RequestRecord): { reason: string; object: string; message: string } | undefined {
  if (!r.user?.startsWith('system:node:')) return undefined
  const res = r.request?.resource ?? r.stores[0]?.resource
  if (res !== 'events' && res !== 'events.events.k8s.io') return undefined
  if (r.request?.verb === 'delete' || r.stores.some((s) => s.op === 'delete')) return undefined
  const attrs = r.stores.find((s) => s.attrs?.reason)?.attrs ?? r.request?.attrs
  if (!attrs?.reason) return undefined
  return { reason: String(attrs.reason), object: String(attrs.involvedObject ?? ''), message: String(attrs.note ?? '') }
}

interface Builder {
  lanes: Map<string, Lane>
  messages: DiagramMessage[]
  hidden: Map<string, number>
}

function hide(b: Builder, what: string): void {
  b.hidden.set(what, (b.hidden.get(what) ?? 0) + 1)
}

function lane(b: Builder, l: Lane): string {
  if (!b.lanes.has(l.id)) b.lanes.set(l.id, l)
  return l.id
}

function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`
}

/** What the builders know while they walk the trace. */
interface Scene {
  b: Builder
  /** The scenario's own namespace. */
  home?: string
  /** The scenario's namespaces: its own, and any its users created or worked in. */
  mine: Set<string>
  detailFor: (user: string) => boolean
  /** Milliseconds since the first entry. */
  rel: (e: TraceEntry) => number
  /** The lane of the API server that wrote the entry. */
  apiLane: (e: TraceEntry) => string
}

const foreign = (s: Scene, ns: string | undefined): boolean => ns !== undefined && s.home !== undefined && !s.mine.has(ns)

function push(s: Scene, m: Omit<DiagramMessage, 'steps' | 'count' | 'priority'> & { priority?: number }): void {
  s.b.messages.push({ count: 1, steps: [], priority: 0, ...m })
}

/** One request as the hiding rules and the builders see it. */
interface RequestView {
  r: RequestRecord
  req: TraceEntry
  /** The request's path, query included. */
  path: string
  user?: string
  /** A user the diagram shows in detail (not a component). */
  isUser: boolean
  nonResource: boolean
  code?: number
  failed: boolean
  ns?: string
  heartbeat: boolean
}

/**
 * What a diagram leaves out, in order: the first rule that applies hides the request, and the
 * diagram says how many it hid under the rule's `what`. A failed request is never hidden.
 */
const HIDING_RULES: readonly { what: string; applies: (v: RequestView, s: Scene) => boolean }[] = [
  { what: 'discovery and other non-resource requests by components', applies: (v) => v.nonResource && !v.failed && !v.isUser },
  { what: 'discovery requests (GET /api, /apis, /version, ...)', applies: (v) => v.nonResource && !v.failed && v.req.verb === 'get' },
  { what: 'component requests about other namespaces', applies: (v, s) => !v.isUser && foreign(s, v.ns) && !v.heartbeat },
]

function viewOf(s: Scene, r: RequestRecord, req: TraceEntry): RequestView {
  const code = r.response?.code
  return {
    r,
    req,
    path: req.message ?? '',
    user: r.user,
    isUser: r.user !== undefined && s.detailFor(r.user),
    nonResource: !req.resource,
    code,
    failed: (code !== undefined && code >= 400) || r.phases.some((p) => p.outcome === 'denied' || p.outcome === 'error'),
    ns: req.namespace ?? r.stores[0]?.namespace,
    heartbeat: isHeartbeat(req, r.user),
  }
}

/** A watch notification: the API server to the watcher's lane (or hidden when about another namespace). */
function watchMessage(s: Scene, e: TraceEntry, apiId: string): void {
  if (foreign(s, e.namespace)) return hide(s.b, 'watch notifications about other namespaces')
  const heartbeat = (e.resource === 'leases.coordination.k8s.io' || e.resource === 'nodes') && e.event === 'MODIFIED'
  push(s, {
    kind: 'watch',
    from: apiId,
    to: lane(s.b, laneFor(e.user)),
    label: `${e.event} ${objectPath(e.resource, undefined, e.name, e.namespace, s.home)}`,
    detail: `watch event ${e.event} ${e.resource}${e.namespace ? ` ${e.namespace}/` : ' '}${e.name ?? ''} sent to ${e.user}${e.revision ? ` (revision ${e.revision})` : ''}`,
    t: s.rel(e),
    failed: e.event === 'ERROR',
    requestId: e.requestId,
    entries: [e],
    priority: heartbeat ? -1 : e.namespace !== undefined && s.mine.has(e.namespace) ? 2 : 1,
  })
}

/** A kubelet's Event that reports a runtime call, drawn as the call itself: kubelet to its node's runtime. */
function runtimeMessage(s: Scene, v: RequestView, rt: NonNullable<ReturnType<typeof runtimeCall>>, from: string, priority: number): void {
  const node = v.user!.slice('system:node:'.length)
  const obj = rt.object.includes('/') ? rt.object.split('/').slice(1).join('/') : rt.object
  push(s, {
    kind: 'runtime',
    from,
    to: lane(s.b, runtimeLane(node)),
    label: `${rt.reason}${obj ? ` ${obj}` : ''}`,
    detail: `${rt.reason}${rt.object ? ` ${rt.object}` : ''}${rt.message ? `: ${rt.message}` : ''} (reported by the kubelet as an Event)`,
    t: s.rel(v.req),
    failed: /fail|backoff|err/i.test(rt.reason),
    requestId: v.r.id,
    entries: [v.req, ...v.r.stores],
    priority: priority + 1,
  })
}

/**
 * A request: the arrow to the API server and, when it is shown in full (a user's request, or a
 * failed one), the checks it passed, its writes and their acknowledgements, and the response;
 * otherwise one arrow with its outcome, and one write arrow.
 */
function requestMessages(s: Scene, v: RequestView, from: string, apiId: string, priority: number): void {
  const { r, req, code } = v
  const name = req.name ?? r.stores.find((x) => x.name)?.name
  const what = objectPath(req.resource, req.subresource, name, v.ns, s.home)
  const verb = req.verb ?? 'request'
  const eventAttrs = r.stores.find((x) => x.attrs?.reason)?.attrs
  const reqLabel = v.nonResource
    ? (v.path.split('?')[0] ?? v.path)
    : eventAttrs
      ? `${verb} event: ${eventAttrs.reason}${eventAttrs.involvedObject ? ` ${eventAttrs.involvedObject}` : ''}`
      : `${verb} ${what}`
  const responseLabel = code !== undefined ? statusText(code) : req.verb === 'watch' ? 'stream' : ''
  const full = v.isUser || v.failed
  push(s, {
    kind: 'request',
    from,
    to: apiId,
    label: full ? reqLabel : `${reqLabel}${responseLabel ? ` → ${code ?? responseLabel}` : ''}`,
    detail: `${v.path}${v.user ? ` as ${v.user}` : ''}${req.attrs?.userAgent ? ` (${req.attrs.userAgent})` : ''}${!full && code ? ` → ${statusText(code)}` : ''}`,
    t: s.rel(req),
    failed: !full && v.failed,
    requestId: r.id,
    entries: full ? [req] : [req, ...(r.response ? [r.response] : [])],
    priority,
  })
  if (full) checksMessage(s, v, apiId, priority)
  storeMessages(s, v, apiId, full, priority)
  if (full && r.response) {
    push(s, {
      kind: 'response',
      from: apiId,
      to: from,
      label: statusText(code) + (r.response.message && v.failed && !statusText(code).endsWith(r.response.message) ? `: ${r.response.message}` : ''),
      detail: `${statusText(code)}${r.response.message ? `: ${r.response.message}` : ''}`,
      t: s.rel(r.response),
      failed: v.failed,
      requestId: r.id,
      entries: [r.response],
      priority,
    })
  }
}

/** The phases a request went through (authn ✓ · authz ✓ · ...), as one self-arrow of the API server. */
function checksMessage(s: Scene, v: RequestView, apiId: string, priority: number): void {
  const phases = v.r.phases
  if (!phases.length) return
  const denied = phases.find((p) => p.outcome === 'denied' || p.outcome === 'error')
  push(s, {
    kind: 'checks',
    from: apiId,
    to: apiId,
    label: phases.map((p) => `${PHASE_SHORT[p.phase ?? ''] ?? p.phase} ${p.outcome === 'denied' || p.outcome === 'error' ? '✗' : '✓'}`).join(' · '),
    detail: phases
      .map(
        (p) =>
          `+${fmtMs(s.rel(p))} ${p.phase}: ${p.outcome}${p.user ? ` as ${p.user}` : ''}${p.message ? ` (${p.message})` : ''}${
            p.attrs
              ? ` ${Object.entries(p.attrs)
                  .map(([k, x]) => `${k}=${x}`)
                  .join(' ')}`
              : ''
          }`,
      )
      .join('\n'),
    t: s.rel(phases[0]!),
    failed: denied !== undefined,
    requestId: v.r.id,
    entries: phases,
    priority,
  })
}

/** A request's store operations: each write and its acknowledgement (full), or one summary arrow. */
function storeMessages(s: Scene, v: RequestView, apiId: string, full: boolean, priority: number): void {
  const { r } = v
  // the store says what it is when a write is sent: "create sent to the store (memory)"
  const described = /\(([^()]+)\)\s*$/.exec(r.stores.find((x) => x.outcome === 'sent')?.message ?? '')?.[1]
  const storeId = r.stores.length ? lane(s.b, { id: STORE, kind: 'store', title: 'etcd', subtitle: described ? `store: ${described}` : 'store' }) : STORE
  const sent = r.stores.filter((x) => x.outcome === 'sent')
  const done = r.stores.filter((x) => x.outcome !== 'sent')
  const keyOf = (x: TraceEntry): string => objectPath(x.resource, undefined, x.name, x.namespace, s.home)
  if (full) {
    for (const x of sent) {
      push(s, {
        kind: 'write',
        from: apiId,
        to: storeId,
        label: `${x.op} ${keyOf(x)}`,
        detail: `${x.op} ${x.key} (${x.message ?? 'sent to the store'})`,
        t: s.rel(x),
        failed: false,
        requestId: r.id,
        entries: [x],
        priority,
      })
    }
    for (const x of done) {
      const ok = x.outcome === 'ok'
      push(s, {
        kind: 'ack',
        from: storeId,
        to: apiId,
        label: ok ? `ok, revision ${x.revision}` : `${x.outcome}`,
        detail: `${x.key}: ${x.message ?? x.outcome}`,
        t: s.rel(x),
        failed: !ok,
        requestId: r.id,
        entries: [x],
        priority,
      })
    }
    return
  }
  if ((!done.length && !sent.length) || v.heartbeat) return
  const x = done[0] ?? sent[0]!
  const ok = x.outcome === 'ok'
  push(s, {
    kind: 'write',
    from: apiId,
    to: storeId,
    label: `${x.op}${ok ? ` → rev ${x.revision}` : x.outcome === 'sent' ? '' : ` → ${x.outcome}`}`,
    detail: [...sent, ...done].map((y) => `${y.op} ${y.key}: ${y.message ?? y.outcome}`).join('\n'),
    t: s.rel(x),
    failed: x.outcome !== 'ok' && x.outcome !== 'sent',
    requestId: r.id,
    entries: [...sent, ...done],
    priority,
  })
}

/** Builds the diagram model: lanes, messages in time order, numbered steps, what was hidden. */
export function buildDiagram(entries: readonly TraceEntry[], opts: DiagramOptions = {}): Diagram {
  const sorted = [...entries].sort((a, b) => (a.server === b.server ? a.seq - b.seq : Date.parse(a.ts) - Date.parse(b.ts) || a.seq - b.seq))
  const multi = new Set(sorted.map((e) => e.server)).size > 1
  const timeOf = (e: TraceEntry): number => (multi ? Date.parse(e.ts) : e.t)
  const first = sorted[0]
  const t0 = first ? timeOf(first) : 0
  const requests = groupRequests(sorted)
  const s: Scene = {
    b: { lanes: new Map(), messages: [], hidden: new Map() },
    home: opts.namespace,
    mine: new Set<string>(opts.namespace ? [opts.namespace] : []),
    detailFor: opts.detailFor ?? ((u: string) => !isSystem(u)),
    rel: (e) => Math.max(0, timeOf(e) - t0),
    apiLane: (e) => (multi ? `${API}:${e.server}` : API),
  }
  for (const r of requests.values()) {
    if (!r.request || !r.user || !s.detailFor(r.user)) continue
    if (r.request.namespace) s.mine.add(r.request.namespace)
    if (r.request.resource === 'namespaces') for (const x of r.stores) if (x.name) s.mine.add(x.name)
  }
  const drawn = new Set<string>()
  for (const e of sorted) {
    const apiId = lane(s.b, { id: s.apiLane(e), kind: 'apiserver', title: 'API server', subtitle: e.server })
    if (e.kind === 'watch') {
      watchMessage(s, e, apiId)
      continue
    }
    if (!e.requestId || drawn.has(e.requestId)) continue
    const r = requests.get(e.requestId)
    if (!r) continue
    drawn.add(r.id)
    // a request that began before the window (the harness's own cursor read) is only a tail
    if (!r.request) continue
    const v = viewOf(s, r, r.request)
    if (v.path.includes('/debug/trace')) continue // the harness reading this very trace
    const rule = HIDING_RULES.find((h) => h.applies(v, s))
    if (rule) {
      hide(s.b, rule.what)
      continue
    }
    const from = lane(s.b, laneFor(v.user))
    const inScenario = v.ns === undefined || s.mine.has(v.ns)
    const priority = v.isUser ? 4 : v.heartbeat ? -1 : inScenario ? 2 : 1
    const rt = runtimeCall(r)
    if (rt && !v.failed) runtimeMessage(s, v, rt, from, priority)
    else requestMessages(s, v, from, apiId, priority)
  }

  const b = s.b
  b.messages.sort((x, y) => x.t - y.t || (x.entries[0]?.seq ?? 0) - (y.entries[0]?.seq ?? 0))
  const missingSteps = markSteps(b.messages, opts.steps ?? [])
  let messages = collapse(b.messages)
  messages = cap(messages, opts.maxMessages ?? 240, b)
  return {
    title: opts.title ?? 'What happened',
    lanes: sortLanes([...b.lanes.values()]),
    messages,
    startedAt: first?.ts ?? new Date(0).toISOString(),
    hidden: [...b.hidden].map(([what, count]) => ({ what, count })),
    missingSteps,
  }
}

/**
 * Marks each rule on the first message (in time order, anywhere) it matches; returns the steps
 * not found. A step is not looked for after the previous one: if it happened earlier, it is
 * marked there, and the steps' order shows it.
 */
export function markSteps(messages: DiagramMessage[], rules: readonly StepRule[]): StepMark[] {
  const prior = new Map<number, DiagramMessage>()
  const missing: StepMark[] = []
  for (const rule of [...rules].sort((a, b) => a.n - b.n)) {
    const m = messages.find((x) => rule.when(x, prior))
    if (!m) {
      missing.push({ n: rule.n, label: rule.label })
      continue
    }
    m.steps.push({ n: rule.n, label: rule.label })
    m.priority = Math.max(m.priority, 10)
    prior.set(rule.n, m)
  }
  return missing
}

function signature(m: DiagramMessage): string {
  return `${m.kind}|${m.from}|${m.to}|${m.label}|${m.failed}`
}

/**
 * Heartbeats (priority -1) fold into their first occurrence, wherever the others are; other
 * messages fold only into an identical message right before them. Numbered steps never fold.
 */
export function collapse(messages: readonly DiagramMessage[]): DiagramMessage[] {
  const out: DiagramMessage[] = []
  const heartbeat = new Map<string, DiagramMessage>()
  for (const m of messages) {
    const sig = signature(m)
    if (m.priority < 0 && !m.steps.length) {
      const h = heartbeat.get(sig)
      if (h) {
        fold(h, m)
        continue
      }
      const copy = { ...m, entries: [...m.entries] }
      heartbeat.set(sig, copy)
      out.push(copy)
      continue
    }
    const last = out.at(-1)
    if (
      last &&
      !m.steps.length &&
      !last.steps.length &&
      last.priority >= 0 &&
      signature(last) === sig &&
      m.kind !== 'checks' &&
      m.kind !== 'write' &&
      m.kind !== 'ack'
    ) {
      fold(last, m)
      continue
    }
    out.push({ ...m, entries: [...m.entries] })
  }
  for (const m of out) {
    if (m.count > 1) m.detail = `${m.detail}\n×${m.count} between +${fmtMs(m.t)} and +${fmtMs(m.tLast ?? m.t)}`
  }
  return out
}

function fold(into: DiagramMessage, m: DiagramMessage): void {
  into.count += m.count
  into.tLast = Math.max(into.tLast ?? into.t, m.tLast ?? m.t)
  if (into.entries.length < 50) into.entries.push(...m.entries)
}

/** Keeps at most `max` messages: the lowest priority goes first, the latest of equal priority first. */
function cap(messages: DiagramMessage[], max: number, b: Builder): DiagramMessage[] {
  if (messages.length <= max) return messages
  const order = messages.map((m, i) => ({ m, i })).sort((x, y) => x.m.priority - y.m.priority || y.i - x.i)
  const drop = new Set(order.slice(0, messages.length - max).map((x) => x.i))
  b.hidden.set('messages beyond the size cap (lowest priority first: heartbeats, other namespaces, then the latest component traffic)', drop.size)
  return messages.filter((_, i) => !drop.has(i))
}

export function formatOffset(ms: number): string {
  if (ms < 1000) return `+${Math.round(ms)} ms`
  if (ms < 60_000) return `+${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  return `+${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`
}
