// The generic REST storage behind every resource: get, list (selectors, paging), create,
// update (optimistic concurrency on resourceVersion, status vs spec ownership, generation),
// patch, delete (graceful pod deletion, finalizers, propagation policy) and deletecollection,
// each write passing mutating admission -> validation -> validating admission -> store, with
// each phase and the store's acknowledged revision written to the trace.
// Mirrors k8s.io/apiserver/pkg/registry/generic/registry.Store: it knows no kind by name; what
// differs between kinds (defaults, initial status, generation, validation, deletion, hooks) is
// the kind's strategy (strategy.ts, strategies/). resourceVersion is the store's mod revision.
// Over 400 lines on purpose: create, update, patch and delete share their admission, validation,
// trace and store-write steps, as they do in upstream's one store.go; lists (list.ts), body
// checks (typemeta.ts), comparison (compare.ts), names (names.ts), the codec and the store
// deadline (storage/) are their own files.
// Field ownership (metadata.managedFields) is fieldmanager/'s: the store asks it on every tracked
// create and update, after defaulting and before admission, as upstream's handlers do.
// Simplifies: no dry-run persistence differences beyond skipping the write.

import { randomUUID } from 'node:crypto'
import {
  ApiError,
  alreadyExists,
  conflict,
  internalError,
  invalid,
  notFound,
  serverTimeout,
  serviceUnavailable,
  timeout,
  type FieldError,
  type GroupResource,
} from '../../api/errors.js'
import { clone, nowTimestamp, type KList, type KObject, type StoredObject } from '../../api/meta.js'
import { lookupResource, storageKey, storagePrefix, type ResourceInfo } from '../../api/resources.js'
import type { AdmissionAttributes, AdmissionChain, AdmissionReader, Operation } from '../../admission/admission.js'
import { StoreError, type KeyValue, type Store } from '../../store/store.js'
import { objectAttrs, type Trace } from '../trace.js'
import { validateLabels } from './semantic.js'
import { strategyOf, type DeleteOptions, type RequestContext, type Strategies, type Strategy } from './strategy.js'
import { AdmissionCache, type AdmissionCacheOptions } from '../storage/admissioncache.js'
import { decodeObject, dedupe, schemaFieldErrors, validateObjectMeta } from './validation.js'
import { StoredCodec } from '../storage/codec.js'
import { StoreDeadline } from '../storage/deadline.js'
import { WatchHub } from '../storage/watchhub.js'
import { sameObject, specOf } from './compare.js'
import { readList, type ListOptions } from './list.js'
import { MAX_GENERATED_PREFIX, randomSuffix } from './names.js'
import { checkBody } from './typemeta.js'
import { appliedOnCreate, trackUpdate } from '../fieldmanager/fieldmanager.js'

/** Extra per-kind semantic validation; `subresource` is set for status, scale, binding ... writes. */
export type SemanticValidator = (info: ResourceInfo, obj: KObject, old: KObject | undefined, subresource: string) => FieldError[]

export interface RegistryOptions {
  /** Upper bound for one store call; past it the request fails with a Status instead of hanging. */
  storeTimeoutMs?: number
  /** Extra validators, run after the kind's strategy. */
  semanticValidators?: SemanticValidator[]
  /** The kinds' strategies (strategies/index.ts buildStrategies); a kind without one is stored as sent. */
  strategies?: Strategies
  /** The namespace and quota caches admission reads (started by the API server). */
  admissionCache?: AdmissionCacheOptions
}

function gr(info: ResourceInfo): GroupResource {
  return { group: info.group, resource: info.resource }
}

export class Registry implements AdmissionReader {
  private readonly storeTimeoutMs: number
  private readonly semanticValidators: SemanticValidator[]
  private readonly strategies: Strategies
  private nodeHub?: WatchHub
  private readonly deadline: StoreDeadline
  private readonly codec = new StoredCodec()
  /**
   * The namespaces and ResourceQuotas as this registry's store watch sees them, for admission
   * (cachedNamespace, resourceQuotas); every write this registry makes to them goes through it.
   * Idle (every read live) until started.
   */
  readonly admissionCache: AdmissionCache

  constructor(
    readonly store: Store,
    private readonly trace: Trace,
    private readonly admission: AdmissionChain,
    opts: RegistryOptions = {},
  ) {
    this.storeTimeoutMs = opts.storeTimeoutMs ?? 10_000
    this.deadline = new StoreDeadline(this.storeTimeoutMs)
    this.semanticValidators = opts.semanticValidators ?? []
    this.strategies = opts.strategies ?? new Map()
    this.admissionCache = new AdmissionCache(store, (kv) => this.decode(kv), opts.admissionCache)
  }

  /** The kind's strategy (the empty one for kinds without). */
  strategy(info: ResourceInfo): Strategy {
    return strategyOf(this.strategies, info)
  }

  /** Runs an `after` hook; its failure is logged (the write it follows stands). */
  private async after(what: string, fn: (() => Promise<void>) | undefined): Promise<void> {
    if (!fn) return
    try {
      await fn()
    } catch (e) {
      console.error(`[registry] ${what} hook failed:`, e)
    }
  }

  // -------------------------------------------------------------------------------------------
  // encoding (storage/codec.ts: one decoded object and one wire JSON per stored value)

  /** Decodes a stored value; resourceVersion is the key's mod revision (never stored in the value). */
  decode(kv: KeyValue): StoredObject {
    return this.codec.decode(kv)
  }

  private adopt(kv: KeyValue, o: KObject): StoredObject {
    return this.codec.adopt(kv, o)
  }

  /** A mutable copy of a stored value. */
  decodeCopy(kv: KeyValue): StoredObject {
    return this.codec.decodeCopy(kv)
  }

  /** The JSON of a stored value as clients see it (with resourceVersion), made once per value. */
  wireJson(kv: KeyValue): string {
    return this.codec.wireJson(kv)
  }

  /** The wire JSON of an object this registry decoded from the store (undefined for others). */
  encodedFor(o: KObject): string | undefined {
    return this.codec.encodedFor(o)
  }

  private encode(o: KObject): string {
    return this.codec.encode(o)
  }

  /**
   * The shared, node-indexed store watch of all pods (kubelets watch spec.nodeName=<node>):
   * one store watch per API server instead of one per node.
   */
  podsByNode(): WatchHub {
    const info = lookupResource('', 'pods')!
    this.nodeHub ??= new WatchHub(this.store, storagePrefix(info), (kv) => (this.decode(kv) as { spec?: { nodeName?: string } }).spec?.nodeName)
    return this.nodeHub
  }

  // -------------------------------------------------------------------------------------------
  // store calls with a bounded wait and Status mapping

  async withStore<T>(info: ResourceInfo, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.deadline.bounded(fn())
    } catch (e) {
      if (e instanceof StoreError) {
        if (e.code === 'Timeout')
          throw timeout(
            `Timeout: request did not complete within the allowed duration (the ${operation} operation against ${info.resource} waited ${this.storeTimeoutMs} ms for storage)`,
            2,
          )
        if (e.code === 'Unavailable') throw serverTimeout(gr(info), operation)
      }
      throw e
    }
  }

  private traceStore(ctx: RequestContext, info: ResourceInfo, op: 'create' | 'update' | 'delete', kv: KeyValue, o: KObject): void {
    this.trace.record({
      kind: 'store',
      requestId: ctx.requestId,
      user: ctx.user.name,
      op,
      key: kv.key,
      revision: kv.modRevision,
      resource: info.group ? `${info.resource}.${info.group}` : info.resource,
      namespace: o.metadata?.namespace,
      name: o.metadata?.name,
      outcome: 'ok',
      message: `store acknowledged ${op} at revision ${kv.modRevision}`,
      attrs: objectAttrs(info.group ? `${info.resource}.${info.group}` : info.resource, o),
    })
  }

  /** Records that a write was sent to the store (its acknowledgement is traced by traceStore). */
  private traceStoreSend(ctx: RequestContext, info: ResourceInfo, op: 'create' | 'update' | 'delete', key: string, o: KObject): void {
    this.trace.record({
      kind: 'store',
      requestId: ctx.requestId,
      user: ctx.user.name,
      op,
      key,
      resource: info.group ? `${info.resource}.${info.group}` : info.resource,
      namespace: o.metadata?.namespace,
      name: o.metadata?.name,
      outcome: 'sent',
      message: `${op} sent to the store (${this.store.describe()})`,
    })
  }

  private phase(ctx: RequestContext, info: ResourceInfo, phase: string, outcome: string, message?: string, attrs?: Record<string, string>): void {
    this.trace.record({
      kind: 'phase',
      requestId: ctx.requestId,
      user: ctx.user.name,
      resource: info.group ? `${info.resource}.${info.group}` : info.resource,
      phase,
      outcome,
      message,
      attrs,
    })
  }

  // -------------------------------------------------------------------------------------------
  // AdmissionReader: unauthenticated internal reads for admission plugins

  async get(group: string, resource: string, namespace: string, name: string): Promise<KObject | undefined> {
    const info = lookupResource(group, resource)
    if (!info) return undefined
    const kv = await this.withStore(info, 'get', () => this.store.get(storageKey(info, namespace, name)))
    return kv ? this.decode(kv) : undefined // frozen and shared: admission reads, never writes
  }

  async list(group: string, resource: string, namespace: string): Promise<KObject[]> {
    const info = lookupResource(group, resource)
    if (!info) return []
    const r = await this.withStore(info, 'list', () => this.store.range(storagePrefix(info, namespace)))
    return r.kvs.map((kv) => this.decode(kv))
  }

  cachedNamespace(name: string): KObject | undefined {
    return this.admissionCache.namespace(name)
  }

  resourceQuotas(namespace: string): Promise<KObject[]> {
    return this.admissionCache.resourceQuotas(namespace, () => this.list('', 'resourcequotas', namespace))
  }

  /** Stored objects as they are (frozen, shared): for authorizers that only read. */
  async listFrozen(group: string, resource: string, namespace: string): Promise<readonly StoredObject[]> {
    const info = lookupResource(group, resource)
    if (!info) return []
    const r = await this.withStore(info, 'list', () => this.store.range(storagePrefix(info, namespace)))
    return r.kvs.map((kv) => this.decode(kv))
  }

  async getFrozen(group: string, resource: string, namespace: string, name: string): Promise<StoredObject | undefined> {
    const info = lookupResource(group, resource)
    if (!info) return undefined
    const kv = await this.withStore(info, 'get', () => this.store.get(storageKey(info, namespace, name)))
    return kv ? this.decode(kv) : undefined
  }

  // -------------------------------------------------------------------------------------------
  // reads

  async read(info: ResourceInfo, namespace: string, name: string): Promise<StoredObject> {
    const kv = await this.withStore(info, 'get', () => this.store.get(storageKey(info, namespace, name)))
    if (!kv) throw notFound(gr(info), name)
    return this.decode(kv)
  }

  /** A list, paged with limit / continue and filtered by selectors (list.ts). */
  readList(info: ResourceInfo, namespace: string, opts: ListOptions): Promise<KList<StoredObject>> {
    return readList(this, info, namespace, opts)
  }

  // -------------------------------------------------------------------------------------------
  // admission + validation

  /**
   * Admission for a request a subresource handler serves itself (pods/eviction is a CREATE of
   * an Eviction): the plugins see it, no schema validation runs (the handler did it).
   */
  async admit(
    ctx: RequestContext,
    info: ResourceInfo,
    operation: Operation,
    subresource: string,
    namespace: string,
    name: string,
    obj: KObject | undefined,
    old: KObject | undefined,
  ): Promise<void> {
    await this.runAdmission(ctx, info, operation, subresource, namespace, name, obj, old, false)
  }

  private async runAdmission(
    ctx: RequestContext,
    info: ResourceInfo,
    operation: Operation,
    subresource: string,
    namespace: string,
    name: string,
    obj: KObject | undefined,
    old: KObject | undefined,
    validate = true,
  ): Promise<void> {
    const attrs: AdmissionAttributes = {
      operation,
      resource: info,
      subresource,
      namespace,
      name,
      object: obj,
      oldObject: old,
      user: { name: ctx.user.name, groups: ctx.user.groups },
      dryRun: Boolean(ctx.dryRun),
    }
    const mutating = this.admission.mutating.filter((p) => p.handles(attrs))
    for (const p of mutating) {
      try {
        await p.admit(attrs, this)
      } catch (caught) {
        const e = this.asRequestStorageFailure(caught, info, operation)
        this.phase(ctx, info, 'mutating-admission', 'denied', e instanceof Error ? e.message : String(e), { plugin: p.name })
        ctx.annotate?.('admission.ock.dev/denied-by', p.name)
        throw e
      }
    }
    this.phase(ctx, info, 'mutating-admission', 'ok', undefined, { plugins: mutating.map((p) => p.name).join(',') || '-' })
    if (mutating.length) ctx.annotate?.('admission.ock.dev/mutating', mutating.map((p) => p.name).join(','))

    const authorizeWrite = subresource ? undefined : this.strategy(info).authorizeWrite
    if (authorizeWrite && obj && (operation === 'CREATE' || operation === 'UPDATE')) {
      try {
        await authorizeWrite(ctx, operation, namespace, operation === 'CREATE' ? '' : name, obj, old)
      } catch (e) {
        this.phase(ctx, info, 'escalation-check', 'denied', e instanceof Error ? e.message : String(e))
        throw e
      }
      this.phase(ctx, info, 'escalation-check', 'ok')
    }

    if (obj && operation !== 'DELETE' && validate) {
      try {
        await this.validate(info, subresource, obj, old)
      } catch (e) {
        this.phase(ctx, info, 'validation', 'denied', e instanceof Error ? e.message : String(e))
        throw e
      }
      this.phase(ctx, info, 'validation', 'ok')
    }

    const validating = this.admission.validating.filter((p) => p.handles(attrs))
    for (const p of validating) {
      try {
        await p.validate(attrs, this)
      } catch (caught) {
        const e = this.asRequestStorageFailure(caught, info, operation)
        this.phase(ctx, info, 'validating-admission', 'denied', e instanceof Error ? e.message : String(e), { plugin: p.name })
        ctx.annotate?.('admission.ock.dev/denied-by', p.name)
        throw e
      }
    }
    this.phase(ctx, info, 'validating-admission', 'ok', undefined, { plugins: validating.map((p) => p.name).join(',') || '-' })
    if (validating.length) ctx.annotate?.('admission.ock.dev/validating', validating.map((p) => p.name).join(','))
  }

  /**
   * Decoding, which upstream does before admission: wrong JSON types are a 400, unknown fields
   * are dropped (or a 400 under fieldValidation=Strict).
   */
  private async decodeInto(ctx: RequestContext, info: ResourceInfo, o: KObject): Promise<void> {
    try {
      await decodeObject(info.group, info.version, info.kind, o, ctx.fieldValidation ?? 'Warn', (m) => ctx.warn?.(m))
    } catch (e) {
      this.phase(ctx, info, 'decoding', 'denied', e instanceof Error ? e.message : String(e))
      throw e
    }
  }

  /**
   * A storage failure of an admission plugin's own read (upstream plugins read informer caches,
   * so there the request's write is what fails) is reported for the request the user made.
   */
  private asRequestStorageFailure(e: unknown, info: ResourceInfo, operation: Operation): unknown {
    if (!(e instanceof ApiError)) return e
    const verb = operation.toLowerCase()
    if (e.reason === 'ServerTimeout') return serverTimeout(gr(info), verb)
    if (e.reason === 'Timeout')
      return timeout(
        `Timeout: request did not complete within the allowed duration (the ${verb} operation against ${info.resource} waited ${this.storeTimeoutMs} ms for storage)`,
        2,
      )
    return e
  }

  private async validate(info: ResourceInfo, subresource: string, obj: KObject, old: KObject | undefined): Promise<void> {
    const name = obj.metadata?.name ?? ''
    const strategy = this.strategy(info)
    const errors: FieldError[] = subresource ? [] : validateObjectMeta(info, obj, strategy.nameRule)
    errors.push(...(await schemaFieldErrors(info.group, info.version, info.kind, obj)))
    // status and other subresource writes skip the spec rules, as upstream's status strategies do
    if (!subresource) errors.push(...validateLabels(obj.metadata?.labels, 'metadata.labels'), ...(strategy.validate?.(obj, old) ?? []))
    for (const v of this.semanticValidators) errors.push(...v(info, obj, old, subresource))
    if (errors.length) throw invalid({ group: info.group, kind: info.kind }, name, dedupe(errors))
  }

  // -------------------------------------------------------------------------------------------
  // create

  /** Checks type meta and namespace of a body against the request (typemeta.ts). */
  checkBody(info: ResourceInfo, namespace: string, body: unknown, expectName?: string): KObject {
    return checkBody(info, namespace, body, expectName)
  }

  async create(ctx: RequestContext, info: ResourceInfo, namespace: string, body: unknown): Promise<StoredObject> {
    const o = this.checkBody(info, namespace, body)
    await this.decodeInto(ctx, info, o)
    const meta = o.metadata!
    // an apply that creates: its applier owns the configuration as sent, before any default
    const applied = ctx.fieldManager?.operation === 'Apply' ? appliedOnCreate(ctx.fieldManager, info, o) : undefined
    // upstream's SimpleNameGenerator keeps at most 58 characters of the prefix, so the name fits a DNS label
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName.slice(0, MAX_GENERATED_PREFIX)}${randomSuffix()}`
    if (meta.name) ctx.onObject?.(meta.namespace, meta.name)
    const strategy = this.strategy(info)
    strategy.defaults?.(o)
    // system fields are the server's, whatever the client sent
    meta.uid = randomUUID()
    meta.creationTimestamp = nowTimestamp()
    delete meta.resourceVersion
    delete meta.deletionTimestamp
    delete meta.deletionGracePeriodSeconds
    if (strategy.hasGeneration) meta.generation = 1
    else delete meta.generation
    if (applied) meta.managedFields = applied as never
    else if (ctx.fieldManager) trackUpdate(ctx.fieldManager, info, '', o, undefined)
    const status = strategy.initialStatus?.()
    if (status) o.status = status
    strategy.prepareForCreate?.(o)

    await this.runAdmission(ctx, info, 'CREATE', '', namespace, meta.name ?? '', o, undefined)
    strategy.afterAdmit?.(o)
    const key = storageKey(info, namespace, meta.name!)
    if (strategy.beginCreate && !ctx.dryRun) {
      // a hook may write (a ClusterIP allocation): a create that is bound to fail with
      // AlreadyExists must not get that far, so a refused request leaves the store untouched
      if (await this.withStore(info, 'get', () => this.store.get(key))) throw alreadyExists(gr(info), meta.name!)
    }
    const undo = await strategy.beginCreate?.(ctx, o)
    if (ctx.dryRun) return { ...o, metadata: { ...meta, resourceVersion: '' } } as StoredObject
    this.traceStoreSend(ctx, info, 'create', key, o)
    try {
      const kv = await this.withStore(info, 'create', () => this.store.create(key, this.encode(o)))
      this.admissionCache.observe(key, kv, kv.modRevision)
      this.traceStore(ctx, info, 'create', kv, o)
      return this.adopt(kv, o)
    } catch (e) {
      await this.after('undo create', undo)
      if (e instanceof StoreError && e.code === 'KeyExists') throw alreadyExists(gr(info), meta.name!)
      throw this.storeFailure(info, 'create', e)
    }
  }

  // -------------------------------------------------------------------------------------------
  // update and patch

  /**
   * Read-modify-write with optimistic concurrency (upstream GuaranteedUpdate): `mutate` gets a
   * copy of the current object and returns the desired one. If the client pinned a
   * resourceVersion, a mismatch is a 409; otherwise a concurrent write is retried.
   */
  async guaranteedUpdate(
    ctx: RequestContext,
    info: ResourceInfo,
    namespace: string,
    name: string,
    subresource: string,
    mutate: (current: StoredObject) => KObject | Promise<KObject>,
    opts: {
      allowCreate?: (() => Promise<StoredObject>) | undefined
      operation?: Operation
      /** For changes the server makes itself to a valid object (pods/binding, as upstream's BindingREST). */
      skipValidation?: boolean
    } = {},
  ): Promise<{ obj: StoredObject; created: boolean }> {
    const key = storageKey(info, namespace, name)
    for (let attempt = 0; ; attempt++) {
      const kv = await this.withStore(info, 'get', () => this.store.get(key))
      if (!kv) {
        if (opts.allowCreate) return { obj: await opts.allowCreate(), created: true }
        throw notFound(gr(info), name)
      }
      const current = this.decode(kv)
      // the copy handed to `mutate` carries no resourceVersion: one on the result comes from the
      // client (a PUT body, a patch that sets it, a Scale) and pins the update; without one a
      // concurrent write is retried, as upstream's GuaranteedUpdate does for unconditional updates
      const base = this.decodeCopy(kv)
      delete (base.metadata as { resourceVersion?: string }).resourceVersion
      const desired = await mutate(base)
      if (desired !== null && typeof desired === 'object' && !Array.isArray(desired)) await this.decodeInto(ctx, info, desired)
      const pinned = desired.metadata?.resourceVersion
      if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(gr(info), name)
      const next = this.prepareForUpdate(info, subresource, desired, current)
      this.trackFields(ctx, info, subresource, next, current)
      await this.runAdmission(ctx, info, opts.operation ?? 'UPDATE', subresource, namespace, name, next, current, !opts.skipValidation)
      // no-op: nothing is written (a binding always changes the pod: no need to compare)
      if (subresource !== 'binding' && sameObject(next, current)) return { obj: current, created: false }
      const hooks = subresource ? undefined : this.strategy(info)
      const undo = await hooks?.beginUpdate?.(ctx, next, current)
      if (ctx.dryRun)
        return { obj: { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } } as StoredObject, created: false }
      try {
        if (this.shouldDeleteOnUpdate(info, next)) {
          this.traceStoreSend(ctx, info, 'delete', key, next)
          const { prev, revision: rev } = await this.withStore(info, 'delete', () => this.store.delete(key, kv.modRevision))
          this.admissionCache.observe(key, undefined, rev)
          this.traceStore(ctx, info, 'delete', { ...prev, modRevision: rev }, next)
          const deleteHooks = this.strategy(info)
          await this.after('after delete', deleteHooks.afterDelete && (() => deleteHooks.afterDelete!(current)))
          return { obj: { ...next, metadata: { ...next.metadata, resourceVersion: String(rev) } } as StoredObject, created: false }
        }
        this.traceStoreSend(ctx, info, 'update', key, next)
        const written = await this.withStore(info, 'update', () => this.store.update(key, this.encode(next), kv.modRevision))
        this.admissionCache.observe(key, written, written.modRevision)
        this.traceStore(ctx, info, 'update', written, next)
        await this.after('after update', hooks?.afterUpdate && (() => hooks.afterUpdate!(next, current)))
        return { obj: this.adopt(written, next), created: false }
      } catch (e) {
        await this.after('undo update', undo)
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'NotFound')) {
          if (pinned) throw conflict(gr(info), name)
          if (attempt < 20) continue
          throw conflict(gr(info), name, 'too many concurrent writes; please try again')
        }
        throw this.storeFailure(info, 'update', e)
      }
    }
  }

  /** Applies the ownership rules of an update (status vs spec, immutable metadata, generation). */
  private prepareForUpdate(info: ResourceInfo, subresource: string, desired: KObject, current: StoredObject): KObject {
    const strategy = this.strategy(info)
    let next: KObject
    if (subresource === 'status') {
      next = clone(current) as KObject
      next.status = desired.status
      // an apply to status brings the managedFields the field manager merged (an update's are recomputed)
      if (desired.metadata?.managedFields !== undefined) next.metadata!.managedFields = desired.metadata.managedFields
    } else if (subresource) {
      next = desired
    } else {
      next = desired
      strategy.defaults?.(next)
      if (info.statusOwnedBy === 'status') next.status = clone(current.status)
      strategy.prepareForUpdate?.(next, current)
    }
    next.apiVersion = current.apiVersion
    next.kind = current.kind
    const m = (next.metadata ??= {})
    const c = current.metadata
    m.name = c.name
    if (c.namespace) m.namespace = c.namespace
    m.uid = c.uid
    m.creationTimestamp = c.creationTimestamp
    if (c.deletionTimestamp) m.deletionTimestamp = c.deletionTimestamp
    else delete m.deletionTimestamp
    if (c.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = c.deletionGracePeriodSeconds
    else delete m.deletionGracePeriodSeconds
    if (strategy.hasGeneration) {
      // status writes cannot change the spec; the binding sets spec.nodeName without a new
      // generation, as upstream's BindingREST; scale (and the object itself) can
      const specWrite = subresource !== 'status' && subresource !== 'binding'
      m.generation = (c.generation ?? 1) + (specWrite && specOf(next) !== specOf(current) ? 1 : 0)
    }
    m.resourceVersion = c.resourceVersion
    strategy.preserve?.(next, current)
    return next
  }

  /**
   * metadata.managedFields of an update (fieldmanager/): the writer owns what it changed. An
   * apply to the object or its status brought its own (the patch handler merged it); the
   * binding, as upstream's BindingREST, and internal writes without a manager are not tracked.
   */
  private trackFields(ctx: RequestContext, info: ResourceInfo, subresource: string, next: KObject, current: StoredObject): void {
    const fm = ctx.fieldManager
    if (!fm || subresource === 'binding' || (fm.operation === 'Apply' && (!subresource || subresource === 'status'))) return
    trackUpdate(fm, info, subresource, next, current)
  }

  /** Whether an update that leaves the object marked for deletion with no finalizers removes it. */
  private shouldDeleteOnUpdate(info: ResourceInfo, o: KObject): boolean {
    if (!o.metadata?.deletionTimestamp) return false
    if (o.metadata.finalizers?.length) return false
    return this.strategy(info).deleteOnUpdate?.(o) ?? true
  }

  async update(
    ctx: RequestContext,
    info: ResourceInfo,
    namespace: string,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<{ obj: StoredObject; created: boolean }> {
    const desired = this.checkBody(info, namespace, body, name)
    if (!desired.metadata?.name) desired.metadata!.name = name
    const allowCreate = !subresource && this.strategy(info).allowCreateOnUpdate ? () => this.create(ctx, info, namespace, desired) : undefined
    return this.guaranteedUpdate(ctx, info, namespace, name, subresource, () => clone(desired), { allowCreate })
  }

  // -------------------------------------------------------------------------------------------
  // delete

  async delete(
    ctx: RequestContext,
    info: ResourceInfo,
    namespace: string,
    name: string,
    options: DeleteOptions,
  ): Promise<{ obj: StoredObject; deleted: boolean }> {
    const key = storageKey(info, namespace, name)
    for (let attempt = 0; ; attempt++) {
      const kv = await this.withStore(info, 'get', () => this.store.get(key))
      if (!kv) throw notFound(gr(info), name)
      const current = this.decode(kv)
      const pre = options.preconditions
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(gr(info), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`)
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(
          gr(info),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        )
      }
      await this.runAdmission(ctx, info, 'DELETE', '', namespace, name, undefined, current)

      const next = this.beginDeletion(info, current, options)
      if (ctx.dryRun) return { obj: current, deleted: !next }
      try {
        if (!next) {
          this.traceStoreSend(ctx, info, 'delete', key, current)
          const { prev, revision: rev } = await this.withStore(info, 'delete', () => this.store.delete(key, kv.modRevision))
          this.admissionCache.observe(key, undefined, rev)
          this.traceStore(ctx, info, 'delete', { ...prev, modRevision: rev }, current)
          const hooks = this.strategy(info)
          await this.after('after delete', hooks.afterDelete && (() => hooks.afterDelete!(current)))
          const gone = clone(current)
          gone.metadata.resourceVersion = String(rev)
          return { obj: gone, deleted: true }
        }
        if (sameObject(next, current)) return { obj: current, deleted: false }
        this.traceStoreSend(ctx, info, 'update', key, next)
        const written = await this.withStore(info, 'update', () => this.store.update(key, this.encode(next), kv.modRevision))
        this.admissionCache.observe(key, written, written.modRevision)
        this.traceStore(ctx, info, 'update', written, next)
        return { obj: this.decode(written), deleted: false }
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'NotFound')) {
          if (attempt < 20) continue
          throw conflict(gr(info), name, 'too many concurrent writes; please try again')
        }
        throw this.storeFailure(info, 'delete', e)
      }
    }
  }

  /**
   * Decides how a delete proceeds (upstream BeforeDelete + finalizer handling): undefined means
   * delete now; an object means "mark for deletion and write this" (the kind's own deletion,
   * such as graceful pod deletion or namespace termination, then finalizers and
   * foreground/orphan propagation).
   */
  private beginDeletion(info: ResourceInfo, current: StoredObject, options: DeleteOptions): KObject | undefined {
    const meta = current.metadata
    const next = clone(current) as StoredObject
    const finalizers = new Set(meta.finalizers ?? [])
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined)
    if (policy === 'Foreground') finalizers.add('foregroundDeletion')
    if (policy === 'Orphan') finalizers.add('orphan')

    const step = this.strategy(info).beginDelete?.(current, next, options, finalizers)
    if (step === 'now') return undefined
    if (step) return step

    if (finalizers.size) {
      next.metadata.finalizers = [...finalizers]
      next.metadata.deletionTimestamp ??= nowTimestamp()
      next.metadata.deletionGracePeriodSeconds ??= 0
      return next
    }
    return undefined
  }

  private storeFailure(info: ResourceInfo, operation: string, e: unknown): Error {
    if (e instanceof ApiError) return e
    if (e instanceof StoreError) {
      if (e.code === 'Unavailable') return serverTimeout(gr(info), operation)
      if (e.code === 'Timeout') return timeout(`Timeout: request did not complete within the allowed duration`, 2)
      return internalError(e)
    }
    return internalError(e)
  }

  /** The store's current revision, for "did anything get written?" checks. */
  async revision(): Promise<number> {
    try {
      return await this.store.currentRevision()
    } catch (e) {
      throw e instanceof StoreError ? serviceUnavailable(`storage unavailable: ${e.message}`) : e
    }
  }
}
