// An in-memory stand-in for the API server behind the client interfaces (Reader, Writer,
// Watcher, Client of client.ts), so a reconciler can be tested without an HTTPS server: objects
// kept by resource, namespace and name; one resourceVersion counter bumped by every write, as
// the store's revision; 404 NotFound, 409 AlreadyExists and 409 Conflict (a stale
// resourceVersion, a failed precondition) as ApiError with upstream's wording; watches fed from
// the writes, so an InformerFactory built on the fake stays current; and a record of every call
// (`actions()`), so a test asserts on what was written. A reactor (`prependReactor`) makes a
// chosen call fail. FakeRecorder keeps Events as lines instead of writing them.
// Mirrors client-go's fake clientset (k8s.io/client-go/kubernetes/fake: NewSimpleClientset, the
// ObjectTracker, Actions(), PrependReactor) and record.FakeRecorder.
// Simplifies: no admission, validation or defaulting (only "name or generateName is
// required"); no namespace lifecycle (writes into a namespace that does not exist succeed);
// deletion is immediate unless the object has finalizers (no graceful pod deletion, no garbage
// collection of dependents); strategic merge patch knows the merge keys of the lists
// components patch (ownerReferences by uid, conditions by type, containers, container statuses,
// env and volumes by name, finalizers as a set); subresources: status, namespaces/finalize and
// pods/binding only; lists ignore `limit` (one page); watches never expire and ignore
// timeoutSeconds; generateName suffixes are deterministic (a counter) so tests can name them.
// Over 400 lines: a fake clientset that behaves like the API server on each verb (versions,
// conflicts, finalizers, patches, watches) is one object, as client-go's fake tracker is.

import fastJsonPatch from 'fast-json-patch'
import { alreadyExists, ApiError, badRequest, conflict, invalid, notFound, unsupportedMediaType, type GroupResource } from '../api/errors.js'
import { nowTimestamp, objectKey, type KList, type KObject, type Status, type WatchEvent, type WatchEventType } from '../api/meta.js'
import { apiVersionOf, lookupKind, lookupResource, parseApiVersion, type ResourceInfo } from '../api/resources.js'
import { parseFieldSelector, parseLabelSelector } from '../api/selectors.js'
import type { Client, Query, RequestOptions, ResourceRef, WatchHandle } from './client.js'
import type { EventRecorder, EventType } from './events.js'

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete'

/** One call made on the fake, as client-go's testing.Action. Objects are copies. */
export interface Action {
  verb: Verb
  group: string
  /** The plural resource (`pods`, `replicasets`). */
  resource: string
  /** '' for cluster-scoped objects and for lists and watches across namespaces. */
  namespace: string
  /** '' for create (see `object`), list and watch. */
  name: string
  subresource: string
  /** create, update: the body sent. */
  object?: KObject
  /** patch: the body and its content type. */
  patch?: unknown
  patchType?: string
  /** delete: the DeleteOptions; get, list, watch: the query. */
  options?: Record<string, unknown>
}

/** Verbs that change something: what a test of a reconciler usually asserts on. */
export const WRITE_VERBS: readonly Verb[] = ['create', 'update', 'patch', 'delete']

/** Answers an action before the fake does: an Error to fail the call with, or undefined to go on. */
export type Reactor = (action: Action) => Error | undefined

interface Entry {
  group: string
  resource: string
  info: ResourceInfo | undefined
  obj: KObject
}

interface Change {
  rv: number
  group: string
  resource: string
  type: Exclude<WatchEventType, 'BOOKMARK' | 'ERROR'>
  obj: KObject
  /** The object before the change (MODIFIED), to tell a selector's watch it left or entered. */
  old?: KObject
}

const MERGE_PATCH = 'application/merge-patch+json'
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json'
const JSON_PATCH = 'application/json-patch+json'

/** The list merge keys strategic merge patch uses here, by field name (see the header). */
const MERGE_KEYS: Record<string, string> = {
  ownerReferences: 'uid',
  conditions: 'type',
  containers: 'name',
  initContainers: 'name',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  env: 'name',
  volumes: 'name',
}

/**
 * Contract: behaves as the API server does for the calls of the `Client` interface, within the
 * simplifications above; every call is recorded before it is answered, failed ones included.
 */
export class FakeClient implements Client {
  private readonly objects = new Map<string, Entry>()
  private readonly changes: Change[] = []
  private readonly watchers = new Set<(c: Change) => void>()
  private readonly recorded: Action[] = []
  private readonly reactors: { verb: Verb | '*'; resource: string; react: Reactor }[] = []
  private rv = 0
  private uids = 0
  private names = 0

  /** Seeds the fake with objects (apiVersion and kind say where each goes), as NewSimpleClientset. */
  constructor(...objects: KObject[]) {
    for (const o of objects) this.add(o)
  }

  /** Stores an object without recording an action (the tracker's Add); answers the stored copy. */
  add<T extends KObject>(obj: T): T {
    const info = lookupKind(parseApiVersion(obj.apiVersion ?? 'v1').group, obj.kind ?? '')
    if (!info) throw new Error(`fake client: unknown kind ${obj.apiVersion}/${obj.kind}`)
    const o = structuredClone(obj) as KObject
    const m = (o.metadata ??= {})
    if (!m.name) throw new Error('fake client: a seeded object needs metadata.name')
    m.uid ??= this.newUid()
    m.creationTimestamp ??= nowTimestamp()
    m.generation ??= 1
    m.resourceVersion = String(++this.rv)
    const ref = { group: info.group, version: info.version, resource: info.resource, namespace: info.namespaced ? m.namespace : undefined, name: m.name }
    this.objects.set(this.key(ref), { group: info.group, resource: info.resource, info, obj: o })
    this.publish({ rv: this.rv, group: info.group, resource: info.resource, type: 'ADDED', obj: o })
    return structuredClone(o) as T
  }

  /** The stored object at `ref`, without recording an action (the tracker's Get). */
  stored<T extends KObject = KObject>(ref: ResourceRef): T | undefined {
    const e = this.objects.get(this.key(ref))
    return e ? (structuredClone(e.obj) as T) : undefined
  }

  /** Every call made so far, oldest first. */
  actions(): Action[] {
    return structuredClone(this.recorded)
  }

  clearActions(): void {
    this.recorded.length = 0
  }

  /** Runs `react` first for calls of `verb` on `resource` ('*' for any), newest reactor first. */
  prependReactor(verb: Verb | '*', resource: string, react: Reactor): void {
    this.reactors.unshift({ verb, resource, react })
  }

  // -------------------------------------------------------------------------------------------
  // Reader

  async get<T extends KObject = KObject>(ref: ResourceRef, query?: Query): Promise<T> {
    this.record({ verb: 'get', ...this.where(ref), options: query && { ...query } })
    return structuredClone(this.mustFind(ref).obj) as T
  }

  async list<T extends KObject = KObject>(ref: ResourceRef, query?: Query): Promise<KList<T>> {
    this.record({ verb: 'list', ...this.where(ref), name: '', options: query && { ...query } })
    const match = this.matcher(ref, query)
    const items = [...this.objects.values()]
      .filter((e) => e.group === ref.group && e.resource === ref.resource && match(e.obj))
      .map((e) => structuredClone(e.obj) as T)
      .sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0))
    const info = lookupResource(ref.group, ref.resource)
    return { apiVersion: info ? apiVersionOf(info) : ref.version, kind: `${info?.kind ?? 'Object'}List`, metadata: { resourceVersion: String(this.rv) }, items }
  }

  // -------------------------------------------------------------------------------------------
  // Writer

  async create<T extends KObject = KObject>(ref: ResourceRef, body: KObject, _query?: Query): Promise<T> {
    this.record({ verb: 'create', ...this.where(ref), name: ref.subresource ? (ref.name ?? '') : '', object: structuredClone(body) })
    const info = lookupResource(ref.group, ref.resource)
    const gr = { group: ref.group, resource: ref.resource }
    if (ref.subresource) return this.subresourceCreate(ref, body) as Promise<T>
    const o = structuredClone(body)
    const m = (o.metadata ??= {})
    if (info?.namespaced) {
      if (m.namespace && ref.namespace && m.namespace !== ref.namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
      m.namespace = ref.namespace ?? m.namespace
    } else delete m.namespace
    if (!m.name && m.generateName) m.name = `${m.generateName}${suffix(++this.names)}`
    if (!m.name)
      throw invalid({ group: ref.group, kind: info?.kind ?? ref.resource }, '', [
        { type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' },
      ])
    const at = { ...ref, namespace: m.namespace, name: m.name }
    if (this.objects.has(this.key(at))) throw alreadyExists(gr, m.name)
    if (info) {
      o.apiVersion ??= apiVersionOf(info)
      o.kind ??= info.kind
    }
    m.uid = this.newUid()
    m.creationTimestamp = nowTimestamp()
    m.generation = 1
    delete m.deletionTimestamp
    m.resourceVersion = String(++this.rv)
    this.objects.set(this.key(at), { group: ref.group, resource: ref.resource, info, obj: o })
    this.publish({ rv: this.rv, group: ref.group, resource: ref.resource, type: 'ADDED', obj: o })
    return structuredClone(o) as T
  }

  async createQuietly(ref: ResourceRef, body: KObject): Promise<void> {
    await this.create(ref, body)
  }

  async update<T extends KObject = KObject>(ref: ResourceRef, body: KObject, _query?: Query): Promise<T> {
    this.record({ verb: 'update', ...this.where(ref), object: structuredClone(body) })
    const e = this.mustFind(ref)
    const gr = { group: ref.group, resource: ref.resource }
    const name = ref.name ?? ''
    const sent = body.metadata?.resourceVersion
    if (sent && sent !== e.obj.metadata?.resourceVersion) throw conflict(gr, name)
    return this.store(ref, e, this.merged(ref, e, body)) as T
  }

  async patch<T extends KObject = KObject>(ref: ResourceRef, body: unknown, contentType = MERGE_PATCH): Promise<T> {
    this.record({ verb: 'patch', ...this.where(ref), patch: structuredClone(body), patchType: contentType })
    const e = this.mustFind(ref)
    const current = e.obj
    let patched: KObject
    if (contentType === MERGE_PATCH) patched = mergePatch(current, body) as KObject
    else if (contentType === STRATEGIC_PATCH) patched = strategicMergePatch(current, body) as KObject
    else if (contentType === JSON_PATCH) patched = applyJsonPatch(current, body)
    else throw unsupportedMediaType(contentType, [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH])
    const gr = { group: ref.group, resource: ref.resource }
    const name = ref.name ?? ''
    const m = current.metadata ?? {}
    const p = patched.metadata ?? {}
    if (p.uid !== m.uid) throw conflict(gr, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${m.uid}`)
    if (p.resourceVersion !== m.resourceVersion) throw conflict(gr, name)
    return this.store(ref, e, this.merged(ref, e, patched)) as T
  }

  async patchQuietly(ref: ResourceRef, body: unknown, contentType?: string): Promise<void> {
    await this.patch(ref, body, contentType)
  }

  async delete<T = KObject | Status>(ref: ResourceRef, options?: Record<string, unknown>): Promise<T> {
    this.record({ verb: 'delete', ...this.where(ref), options: options && structuredClone(options) })
    const e = this.mustFind(ref)
    const gr = { group: ref.group, resource: ref.resource }
    const m = e.obj.metadata ?? {}
    const pre = (options?.preconditions ?? {}) as { uid?: string; resourceVersion?: string }
    if (pre.uid && pre.uid !== m.uid) throw conflict(gr, m.name ?? '', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`)
    if (pre.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
      throw conflict(
        gr,
        m.name ?? '',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`,
      )
    }
    if (m.finalizers?.length) {
      if (m.deletionTimestamp) return structuredClone(e.obj) as T
      const next = structuredClone(e.obj)
      next.metadata!.deletionTimestamp = nowTimestamp()
      next.metadata!.deletionGracePeriodSeconds = 0
      return this.store(ref, e, next) as T
    }
    this.remove(ref, e)
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 200,
      details: { name: m.name, group: ref.group || undefined, kind: ref.resource, uid: m.uid },
    }
    return status as T
  }

  // -------------------------------------------------------------------------------------------
  // Watcher and the raw request

  watch(ref: ResourceRef, query: Query, onEvent: (e: WatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    this.record({ verb: 'watch', ...this.where(ref), name: '', options: query && { ...query } })
    let resolveDone!: () => void
    const done = new Promise<void>((r) => (resolveDone = r))
    let closed = false
    const close = (err?: Error): void => {
      if (closed) return
      closed = true
      this.watchers.delete(deliver)
      resolveDone()
      onClose(err)
    }
    let match: (o: KObject) => boolean
    try {
      match = this.matcher(ref, query)
    } catch (e) {
      queueMicrotask(() => close(e as Error))
      return { stop: () => close(), done }
    }
    // events reach the watcher in order and never inside the write that caused them
    const queue: WatchEvent[] = []
    let flushing = false
    const push = (ev: WatchEvent): void => {
      queue.push(ev)
      if (flushing) return
      flushing = true
      queueMicrotask(() => {
        flushing = false
        for (const next of queue.splice(0)) if (!closed) onEvent(next)
      })
    }
    const deliver = (c: Change): void => {
      if (c.group !== ref.group || c.resource !== ref.resource) return
      const now = match(c.obj)
      const before = c.old !== undefined && match(c.old)
      // as the API server's watch cache: an object that enters or leaves the selection is ADDED or DELETED
      if (c.type === 'MODIFIED' && now !== before) push({ type: now ? 'ADDED' : 'DELETED', object: structuredClone(now ? c.obj : c.old!) })
      else if (now) push({ type: c.type, object: structuredClone(c.obj) })
    }
    const from = Number(query?.resourceVersion ?? '') || 0
    if (from) for (const c of this.changes) if (c.rv > from) deliver(c)
    if (!from)
      for (const e of this.objects.values())
        if (e.group === ref.group && e.resource === ref.resource && match(e.obj)) push({ type: 'ADDED', object: structuredClone(e.obj) })
    this.watchers.add(deliver)
    return { stop: () => close(), done }
  }

  /** Maps `/api/v1/...` and `/apis/<group>/<version>/...` to the calls above. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const ref = refOfPath(path)
    const body = (typeof opts.body === 'string' ? JSON.parse(opts.body) : opts.body) as KObject
    let answer: unknown
    switch (method) {
      case 'GET':
        answer = ref.name ? await this.get(ref, opts.query) : await this.list(ref, opts.query)
        break
      case 'POST':
        answer = await this.create(ref, body, opts.query)
        break
      case 'PUT':
        answer = await this.update(ref, body, opts.query)
        break
      case 'PATCH':
        answer = await this.patch(ref, body, opts.contentType)
        break
      case 'DELETE': {
        const { kind: _k, apiVersion: _a, ...options } = body ?? {}
        answer = await this.delete(ref, body ? options : undefined)
        break
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})
    }
    return (opts.discardBody ? undefined : answer) as T
  }

  // -------------------------------------------------------------------------------------------

  private key(ref: Pick<ResourceRef, 'group' | 'resource' | 'namespace' | 'name'>): string {
    const info = lookupResource(ref.group, ref.resource)
    const ns = info && !info.namespaced ? '' : (ref.namespace ?? '')
    return `${ref.group}/${ref.resource}/${ns}/${ref.name ?? ''}`
  }

  private where(ref: ResourceRef): Pick<Action, 'group' | 'resource' | 'namespace' | 'name' | 'subresource'> {
    return { group: ref.group, resource: ref.resource, namespace: ref.namespace ?? '', name: ref.name ?? '', subresource: ref.subresource ?? '' }
  }

  private record(a: Action): void {
    this.recorded.push(a)
    for (const r of this.reactors) {
      if ((r.verb !== '*' && r.verb !== a.verb) || (r.resource !== '*' && r.resource !== a.resource)) continue
      const err = r.react(structuredClone(a))
      if (err) throw err
    }
  }

  private newUid(): string {
    return `00000000-0000-4000-8000-${String(++this.uids).padStart(12, '0')}`
  }

  private mustFind(ref: ResourceRef): Entry {
    const e = this.objects.get(this.key(ref))
    if (!e) throw notFound({ group: ref.group, resource: ref.resource }, ref.name ?? '')
    return e
  }

  /** Selection of a list or watch: the namespace of `ref`, then the label and field selectors. */
  private matcher(ref: ResourceRef, query: Query): (o: KObject) => boolean {
    const labels = parseLabelSelector(query?.labelSelector === undefined ? undefined : String(query.labelSelector))
    const fields = parseFieldSelector(
      query?.fieldSelector === undefined ? undefined : String(query.fieldSelector),
      lookupResource(ref.group, ref.resource)?.kind ?? '',
    )
    return (o) => (!ref.namespace || o.metadata?.namespace === ref.namespace) && labels.matches(o.metadata?.labels) && fields.matches(o)
  }

  /** The object an update or patch of `ref` leaves: a subresource writes its part only. */
  private merged(ref: ResourceRef, e: Entry, body: KObject): KObject {
    const current = e.obj
    if (ref.subresource === 'status') return { ...structuredClone(current), status: structuredClone(body.status) }
    if (ref.subresource === 'finalize' && ref.resource === 'namespaces') return { ...structuredClone(current), spec: structuredClone(body.spec) }
    if (ref.subresource) throw subresourceNotFound()
    const next = structuredClone(body)
    const m = (next.metadata ??= {})
    const cm = current.metadata ?? {}
    m.name = cm.name
    if (cm.namespace) m.namespace = cm.namespace
    m.uid = cm.uid
    m.creationTimestamp = cm.creationTimestamp
    if (cm.deletionTimestamp) m.deletionTimestamp = cm.deletionTimestamp
    else delete m.deletionTimestamp
    next.apiVersion ??= current.apiVersion
    next.kind ??= current.kind
    if (e.info?.statusOwnedBy === 'status') {
      if (current.status === undefined) delete next.status
      else next.status = structuredClone(current.status)
    }
    return next
  }

  /** Stores the next version of an existing object: new resourceVersion, generation on spec changes. */
  private store(ref: ResourceRef, e: Entry, next: KObject): KObject {
    const before = e.obj
    const m = (next.metadata ??= {})
    const { metadata: _a, status: _b, ...restBefore } = before
    const { metadata: _c, status: _d, ...restNext } = next
    m.generation = (before.metadata?.generation ?? 1) + (JSON.stringify(restBefore) === JSON.stringify(restNext) ? 0 : 1)
    if (m.deletionTimestamp && !m.finalizers?.length) {
      // the last finalizer is gone: the object goes too
      this.remove(ref, e)
      return structuredClone(next)
    }
    m.resourceVersion = String(++this.rv)
    e.obj = next
    this.publish({ rv: this.rv, group: ref.group, resource: ref.resource, type: 'MODIFIED', obj: next, old: before })
    return structuredClone(next)
  }

  private remove(ref: ResourceRef, e: Entry): void {
    this.objects.delete(this.key({ ...ref, namespace: e.obj.metadata?.namespace, name: e.obj.metadata?.name }))
    const gone = structuredClone(e.obj)
    gone.metadata!.resourceVersion = String(++this.rv)
    this.publish({ rv: this.rv, group: ref.group, resource: ref.resource, type: 'DELETED', obj: gone })
  }

  private publish(c: Change): void {
    this.changes.push(c)
    for (const w of this.watchers) w(c)
  }

  /** POST to a subresource: pods/binding sets spec.nodeName, as the API server's binding REST. */
  private async subresourceCreate(ref: ResourceRef, body: KObject): Promise<KObject> {
    if (ref.resource !== 'pods' || ref.subresource !== 'binding') throw subresourceNotFound()
    const e = this.mustFind(ref)
    const gr: GroupResource = { group: '', resource: 'pods' }
    const node = (body as { target?: { name?: string } }).target?.name ?? ''
    const spec = (e.obj.spec ?? {}) as { nodeName?: string }
    if (spec.nodeName) throw conflict(gr, ref.name ?? '', `pod ${ref.name} is already assigned to node "${spec.nodeName}"`)
    this.store(ref, e, { ...structuredClone(e.obj), spec: { ...structuredClone(spec), nodeName: node } })
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }
  }
}

/** Keeps Events as `<type> <reason> <message>` lines, as client-go's record.FakeRecorder. */
export class FakeRecorder implements EventRecorder {
  readonly events: string[] = []

  event(_obj: KObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`)
  }
}

function subresourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
}

/** `/api/v1/namespaces/ns/pods/web/status` -> its ResourceRef. */
export function refOfPath(path: string): ResourceRef {
  const parts = (path.split('?')[0] ?? '').split('/').filter(Boolean).map(decodeURIComponent)
  let group = ''
  let version: string
  let rest: string[]
  if (parts[0] === 'api' && parts.length >= 3) [version, rest] = [parts[1]!, parts.slice(2)]
  else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)]
  else throw subresourceNotFound()
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length >= 3 && lookupResource(group, rest[2]!)) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  const ref: ResourceRef = { group, version, resource: rest[0]! }
  if (namespace) ref.namespace = namespace
  if (rest[1]) ref.name = rest[1]
  if (rest[2]) ref.subresource = rest[2]
  return ref
}

/** Five characters of upstream's generateName alphabet, from a counter: `web-bbbbc`. */
function suffix(n: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  let s = ''
  for (let i = 0; i < 5; i++, n = Math.floor(n / alphabet.length)) s = alphabet[n % alphabet.length] + s
  return s
}

type JsonObject = Record<string, unknown>

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch)
  const out: JsonObject = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

/** Strategic merge patch with the merge keys of MERGE_KEYS and the `$patch: delete | replace` directives. */
function strategicMergePatch(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field]
    if (field === 'finalizers' && Array.isArray(target)) return [...new Set([...(target as unknown[]), ...patch])]
    if (!key || !Array.isArray(target)) return structuredClone(patch.filter((x) => !(isObject(x) && x.$patch === 'delete')))
    const out = [...(target as unknown[])]
    for (const item of patch) {
      if (!isObject(item)) continue
      const at = out.findIndex((x) => isObject(x) && x[key] === item[key])
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1)
      } else if (at >= 0) out[at] = strategicMergePatch(out[at], item)
      else out.push(strategicMergePatch(undefined, item))
    }
    return out
  }
  if (!isObject(patch)) return structuredClone(patch)
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch
    return structuredClone(rest)
  }
  const out: JsonObject = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue
    if (v === null) delete out[k]
    else out[k] = strategicMergePatch(out[k], v, k)
  }
  return out
}

/** RFC 6902 through fast-json-patch; a failing operation is a 422, as the API server answers. */
function applyJsonPatch(target: KObject, ops: unknown): KObject {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  try {
    return fastJsonPatch.applyPatch(structuredClone(target), ops as fastJsonPatch.Operation[], true, false).newDocument
  } catch (e) {
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    )
  }
}
