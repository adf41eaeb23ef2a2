// The REST handler: what the API server does with a request once the filters let it through
// (handlers/ in upstream's k8s.io/apiserver/pkg/endpoints/handlers): non-resource paths
// (health, version, discovery, OpenAPI, the trace), groups served by another server (the
// aggregator), access reviews, the status subresource and the table of other subresources
// (subresources.ts), and the verbs get, list, watch, create, update, patch, delete and
// deletecollection, each through the registry. Bodies are read here, within the size and
// nesting limits, and decoded as JSON, YAML or protobuf (serializer/).
// Simplifies: answers are JSON (or a Table for kubectl).
// Over 400 lines: every verb's handling, bodies and answers in one place, as upstream's handlers
// package.

import { ServerResponse, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApiError, badRequest, encodeStatus, methodNotAllowed, requestEntityTooLarge, unsupportedMediaType } from '../../api/errors.js'
import { goJson, goJsonLine } from '../../api/json.js'
import type { KObject, Status } from '../../api/meta.js'
import { apiVersionOf, lookupResource, servedGroups, servesVersion, type ResourceInfo } from '../../api/resources.js'
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors.js'
import type { Store } from '../../store/store.js'
import type { UnionAuthorizer } from '../filters/authorization.js'
import { Aggregator } from './aggregator.js'
import { type AuthorizationAttributes, type Authorizer, type UserInfo } from '../auth.js'
import type { ServiceAccountTokens } from '../authn/serviceaccount.js'
import { KubeletClient } from './kubeletclient.js'
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js'
import { serveOpenApi } from '../openapi/handler.js'
import { applyPatch, PATCH_TYPES } from './patch.js'
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from '../serializer/protobuf.js'
import { type RequestInfo } from '../filters/requestinfo.js'
import { decodeJson, decodeObjectBody, decodePatch } from '../serializer/decode.js'
import { type RequestTarget } from '../filters/requesttarget.js'
import { boolParam, int64Param, queryBool } from './queryparams.js'
import { applyConfiguration } from '../fieldmanager/fieldmanager.js'
import { requestManager } from '../fieldmanager/request.js'
import { Registry } from '../registry/store.js'
import { listOut, requestVersion, type RequestVersion } from '../registry/conversion.js'
import type { DeleteOptions, RequestContext } from '../registry/strategy.js'
import { answerReview } from './reviews.js'
import { checkRoute, notFoundRoute } from './routes.js'
import { subresourceHandler } from './subresources.js'
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from '../registry/printers.js'
import { Trace } from '../trace.js'
import { serveWatch } from './watch.js'

/** What the REST handler uses of the API server that owns it. */
export interface RestDeps {
  name: string
  registry: Registry
  trace: Trace
  aggregator: Aggregator
  authorizers: Authorizer[]
  /** The union authorizer's decision (access reviews). */
  decide: UnionAuthorizer['decide']
  opts: { store: Store; tokens?: ServiceAccountTokens; watchBufferBytes?: number }
  kubelet?: KubeletClient
  maxBodyBytes: number
  maxNestingDepth: number
  bookmarkIntervalMs: number
  /** Watches in progress (ended when the server stops). */
  openWatches: Set<ServerResponse>
  /** Where the server listens (for /api's serverAddressByClientCIDRs). */
  address(): AddressInfo | undefined
}

export class RestHandler {
  private readonly name: string
  private readonly registry: Registry
  private readonly trace: Trace
  private readonly aggregator: Aggregator
  private readonly authorizers: Authorizer[]
  private readonly opts: RestDeps['opts']
  private readonly kubelet?: KubeletClient
  private readonly maxBodyBytes: number
  private readonly maxNestingDepth: number
  private readonly bookmarkIntervalMs: number
  private readonly openWatches: Set<ServerResponse>

  constructor(private readonly deps: RestDeps) {
    this.name = deps.name
    this.registry = deps.registry
    this.trace = deps.trace
    this.aggregator = deps.aggregator
    this.authorizers = deps.authorizers
    this.opts = deps.opts
    this.kubelet = deps.kubelet
    this.maxBodyBytes = deps.maxBodyBytes
    this.maxNestingDepth = deps.maxNestingDepth
    this.bookmarkIntervalMs = deps.bookmarkIntervalMs
    this.openWatches = deps.openWatches
  }

  private get address(): AddressInfo | undefined {
    return this.deps.address()
  }

  private decide(attrs: AuthorizationAttributes): ReturnType<RestDeps['decide']> {
    return this.deps.decide(attrs)
  }

  private traceResponse(requestId: string, user: UserInfo, code: number, message?: string): void {
    this.trace.record({ kind: 'response', requestId, user: user.name, code, outcome: code < 400 ? 'ok' : 'error', message })
  }

  /** Returns true when the response is a stream that outlives this call (watch, logs). */
  async route(req: IncomingMessage, res: ServerResponse, target: RequestTarget, info: RequestInfo, ctx: RequestContext): Promise<boolean> {
    if (!info.isResourceRequest) {
      await this.nonResource(req, res, target, info, ctx)
      return false
    }
    if (info.apiPrefix === 'apis' && !servesLocally(info.apiGroup, info.apiVersion)) {
      const svc = await this.aggregator.remote(info.apiGroup, info.apiVersion)
      if (svc) {
        await this.aggregator.proxy(req, res, svc, ctx.user, `${target.rawPath}${target.search}`)
        return false
      }
    }
    const resource = lookupResource(info.apiGroup, info.resource)
    if (!resource || !servesVersion(resource, info.apiVersion)) throw notFoundRoute()
    checkRoute(req.method ?? 'GET', info, resource)
    // a version other than the stored one: bodies converted in, answers converted out (conversion.ts)
    const rv = requestVersion(resource, this.registry.strategy(resource), info.apiVersion)
    const ns = resource.namespaced ? info.namespace : ''
    const q = target.query
    const applying = info.verb === 'patch' && String(req.headers['content-type'] ?? '').startsWith('application/apply-patch+yaml')
    if ((info.verb === 'create' || info.verb === 'update' || info.verb === 'patch') && !resource.ephemeral) {
      // who owns what this write sets (metadata.managedFields): the fieldManager parameter, else the user agent's
      ctx.fieldManager = requestManager(info.verb, applying, q.get('fieldManager'), boolParam(q, 'force'), req.headers['user-agent'])
      // an apply in a version other than the stored one is merged and recorded as an update
      if (rv && applying) ctx.fieldManager = { ...ctx.fieldManager, operation: 'Update' }
    }

    if (resource.ephemeral) {
      if (info.verb !== 'create' || info.subresource || info.name) throw methodNotAllowed()
      const body = await this.readBody(req, resource, false)
      this.sendJson(res, 201, await answerReview(resource, body, ctx.user, (attrs) => this.decide(attrs), this.authorizers))
      return false
    }
    if (info.subresource) {
      if (!resource.subresources.includes(info.subresource)) throw notFoundRoute()
      if (info.subresource === 'status') return this.statusSubresource(req, res, resource, ns, info, ctx, q, rv)
      const handler = subresourceHandler(resource, info.subresource)
      if (!handler)
        throw new ApiError(
          404,
          'NotFound',
          `the server could not find the requested resource (${info.resource}/${info.subresource} is not served by this API server)`,
        )
      let bodyCache: Promise<unknown> | undefined
      const answer = await handler({
        req,
        res,
        ctx,
        registry: this.registry,
        info: resource,
        namespace: ns,
        name: info.name,
        method: req.method ?? 'GET',
        query: q,
        body: () => (bodyCache ??= this.readBody(req, resource, req.method === 'PATCH')),
        tokens: this.opts.tokens,
        kubelet: this.kubelet,
      })
      if (!answer) {
        // a stream (logs) or an upgraded connection (exec): traced as answered now
        this.traceResponse(ctx.requestId, ctx.user, res.statusCode, res.statusCode === 101 ? 'switched protocols' : 'streaming')
        return true
      }
      this.sendJson(res, answer.code, answer.body)
      return false
    }

    switch (info.verb) {
      case 'get': {
        const o = await this.registry.read(resource, ns, info.name)
        this.sendObjects(req, res, resource, 200, o, q, rv)
        return false
      }
      case 'list': {
        const list = await this.registry.readList(resource, ns, {
          labelSelector: parseLabelSelector(q.get('labelSelector')),
          fieldSelector: parseFieldSelector(q.get('fieldSelector'), resource.kind),
          limit: int64Param(q, 'limit'),
          continue: q.get('continue') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
        })
        if (wantsTable(req.headers.accept)) {
          this.sendJson(
            res,
            200,
            toTable(
              this.registry.strategy(resource).printer,
              list.items,
              list.metadata.resourceVersion,
              q.get('includeObject') ?? 'Metadata',
              list.metadata.continue,
            ),
            TABLE_CONTENT_TYPE,
          )
        } else this.sendJson(res, 200, rv ? listOut(rv, list) : list)
        return false
      }
      case 'watch': {
        let fieldSel = q.get('fieldSelector')
        if (info.name) fieldSel = [fieldSel, `metadata.name=${info.name}`].filter(Boolean).join(',')
        const opts = {
          resourceVersion: q.get('resourceVersion') ?? undefined,
          labelSelector: parseLabelSelector(q.get('labelSelector')),
          fieldSelector: parseFieldSelector(fieldSel, resource.kind),
          allowBookmarks: queryBool(q.get('allowWatchBookmarks')),
          timeoutSeconds: int64Param(q, 'timeoutSeconds'),
          table: wantsTable(req.headers.accept),
          includeObject: q.get('includeObject') ?? 'Metadata',
          bookmarkIntervalMs: this.bookmarkIntervalMs,
          maxBufferedBytes: this.opts.watchBufferBytes,
          convert: rv && ((o: KObject) => rv.out(o)),
          apiVersion: rv && apiVersionOf(rv.view),
        }
        this.openWatches.add(res)
        this.traceResponse(ctx.requestId, ctx.user, 200, 'watch stream opened')
        serveWatch(res, this.registry, this.trace, ctx, resource, ns, opts, () => this.openWatches.delete(res))
        return true
      }
      case 'create': {
        const body = await this.readBody(req, resource, false)
        const o = await this.registry.create(ctx, resource, ns, rv ? await rv.in(ctx, ns, body) : body)
        this.sendObjects(req, res, resource, 201, o, q, rv)
        return false
      }
      case 'update': {
        const body = await this.readBody(req, resource, false)
        const { obj, created } = await this.registry.update(ctx, resource, ns, info.name, '', rv ? await rv.in(ctx, ns, body, info.name) : body)
        this.sendObjects(req, res, resource, created ? 201 : 200, obj, q, rv)
        return false
      }
      case 'patch': {
        const patch = await this.readBody(req, resource, true)
        const contentType = String(req.headers['content-type'] ?? '')
        // server-side apply creates what does not exist yet
        const allowCreate = contentType.startsWith('application/apply-patch+yaml')
          ? async () => {
              const body = rv
                ? await rv.in(ctx, ns, structuredClone(patch), info.name)
                : this.registry.checkBody(resource, ns, structuredClone(patch), info.name)
              body.metadata!.name ??= info.name
              return this.registry.create(ctx, resource, ns, body)
            }
          : undefined
        const { obj, created } = await this.registry.guaranteedUpdate(
          ctx,
          resource,
          ns,
          info.name,
          '',
          (current) => {
            // server-side apply merges and takes ownership (409 on a field another manager owns);
            // any other patch applies to the object as the request's version shows it
            if (applying && !rv)
              return this.registry.checkBody(
                resource,
                ns,
                applyConfiguration(ctx.fieldManager!, resource, current, this.registry.checkBody(resource, ns, structuredClone(patch), info.name)),
                info.name,
              )
            const patched = applyPatch(contentType, rv ? rv.out(current) : current, patch) as KObject
            return rv ? rv.inSync(ns, patched, info.name) : this.registry.checkBody(resource, ns, patched, info.name)
          },
          { allowCreate },
        )
        this.sendObjects(req, res, resource, created ? 201 : 200, obj, q, rv)
        return false
      }
      case 'delete': {
        const options = await this.deleteOptions(req, q)
        const { obj } = await this.registry.delete(ctx, resource, ns, info.name, options)
        this.sendObjects(req, res, resource, 200, obj, q, rv)
        return false
      }
      case 'deletecollection': {
        const options = await this.deleteOptions(req, q)
        const list = await this.registry.readList(resource, ns, {
          labelSelector: parseLabelSelector(q.get('labelSelector')),
          fieldSelector: parseFieldSelector(q.get('fieldSelector'), resource.kind),
        })
        const deleted: KObject[] = []
        for (const item of list.items) {
          try {
            deleted.push((await this.registry.delete(ctx, resource, item.metadata.namespace ?? '', item.metadata.name, options)).obj)
          } catch (e) {
            if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e
          }
        }
        const gone = { ...list, items: deleted }
        this.sendJson(res, 200, rv ? listOut(rv, gone) : gone)
        return false
      }
      default:
        throw methodNotAllowed()
    }
  }

  private async statusSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ResourceInfo,
    ns: string,
    info: RequestInfo,
    ctx: RequestContext,
    q: URLSearchParams,
    rv: RequestVersion | undefined,
  ): Promise<boolean> {
    switch (req.method) {
      case 'GET':
        this.sendObjects(req, res, resource, 200, await this.registry.read(resource, ns, info.name), q, rv)
        return false
      case 'PUT': {
        const body = await this.readBody(req, resource, false)
        const { obj } = await this.registry.update(ctx, resource, ns, info.name, 'status', rv ? await rv.in(ctx, ns, body, info.name) : body)
        this.sendJson(res, 200, rv ? rv.out(obj) : obj)
        return false
      }
      case 'PATCH': {
        const patch = await this.readBody(req, resource, true)
        const contentType = String(req.headers['content-type'] ?? '')
        const applying = contentType.startsWith('application/apply-patch+yaml') && !rv
        const { obj } = await this.registry.guaranteedUpdate(ctx, resource, ns, info.name, 'status', (current) =>
          applying
            ? applyConfiguration(ctx.fieldManager!, resource, current, this.registry.checkBody(resource, ns, structuredClone(patch), info.name), 'status')
            : rv
              ? rv.inSync(ns, applyPatch(contentType, rv.out(current), patch), info.name)
              : (applyPatch(contentType, current, patch) as KObject),
        )
        this.sendJson(res, 200, rv ? rv.out(obj) : obj)
        return false
      }
      default:
        throw methodNotAllowed()
    }
  }

  private async nonResource(req: IncomingMessage, res: ServerResponse, target: RequestTarget, info: RequestInfo, ctx: RequestContext): Promise<void> {
    const p = target.path.replace(/\/+$/, '') || '/'
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed()
    if (p === '/healthz' || p === '/livez') return this.sendText(res, 200, 'ok')
    if (p === '/readyz') {
      try {
        await this.registry.withStore(lookupResource('', 'namespaces')!, 'get', () => this.opts.store.currentRevision())
        return this.sendText(res, 200, 'ok')
      } catch (e) {
        return this.sendText(res, 500, `[-]etcd failed: ${e instanceof Error ? e.message : String(e)}\nreadyz check failed`)
      }
    }
    if (p === '/version') return this.sendIndented(res, 200, versionInfo())
    if (p === '/api') return this.sendJson(res, 200, apiVersions(`${this.address?.address}:${this.address?.port}`))
    if (p === '/apis') return this.sendJson(res, 200, apiGroupList(await this.aggregator.remoteGroups()))
    if (info.apiPrefix === 'api' && info.apiVersion) {
      const doc = apiResourceList('', info.apiVersion)
      if (doc) return this.sendJson(res, 200, doc)
    }
    if (info.apiPrefix === 'apis' && info.apiGroup && info.apiVersion) {
      const doc = apiResourceList(info.apiGroup, info.apiVersion)
      if (doc) return this.sendJson(res, 200, doc)
      const svc = await this.aggregator.remote(info.apiGroup, info.apiVersion)
      if (svc) return this.aggregator.proxy(req, res, svc, ctx.user, `${target.rawPath}${target.search}`)
    }
    const groupOnly = p.match(/^\/apis\/([^/]+)$/)
    if (groupOnly) {
      const doc = apiGroup(groupOnly[1]!) ?? apiGroup(groupOnly[1]!, await this.aggregator.remoteGroups())
      if (doc) return this.sendJson(res, 200, doc)
    }
    if ((p === '/openapi/v2' || p.startsWith('/openapi/v3')) && (await serveOpenApi(req, res, p, target.query))) return
    if (p === '/debug/trace') {
      const since = Number(target.query.get('since') ?? 0) || 0
      const limit = Number(target.query.get('limit') ?? 10_000) || 10_000
      return this.sendJson(res, 200, { server: this.name, ...this.trace.since(since, limit) })
    }
    throw notFoundRoute()
  }

  // -------------------------------------------------------------------------------------------
  // bodies

  private readRaw(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0)
      if (declared > this.maxBodyBytes) {
        req.resume()
        return reject(requestEntityTooLarge(`Request entity too large: limit is ${this.maxBodyBytes}`))
      }
      const chunks: Buffer[] = []
      let size = 0
      let failed = false
      req.on('data', (c: Buffer) => {
        size += c.length
        if (size > this.maxBodyBytes && !failed) {
          failed = true
          reject(requestEntityTooLarge(`Request entity too large: limit is ${this.maxBodyBytes}`))
        }
        if (!failed) chunks.push(c)
      })
      req.on('end', () => !failed && resolve(Buffer.concat(chunks)))
      // a client that goes away mid-body (or a deadline that cut the body off) is no server
      // error: nobody reads the answer, and nothing was decoded or written
      const gone = (): void => reject(badRequest('the request body was not complete: the client closed the connection'))
      req.on('error', gone)
      req.on('close', () => !req.complete && gone())
    })
  }

  /** Reads and decodes a JSON or YAML body; anything else is a 400/415 Status, never a 500. */
  private async readBody(req: IncomingMessage, resource: ResourceInfo, patch: boolean): Promise<unknown> {
    const bytes = await this.readRaw(req)
    const type = String(req.headers['content-type'] ?? 'application/json')
      .split(';')[0]!
      .trim()
      .toLowerCase()
    // Go clients (kubectl's typed create commands) send built-in kinds as protobuf
    if (type === PROTOBUF_CONTENT_TYPE && !patch) return decodeProtobufObject(bytes)
    const raw = bytes.toString('utf8')
    if (patch) {
      if (!(PATCH_TYPES as readonly string[]).includes(type)) throw unsupportedMediaType(type, [...PATCH_TYPES])
      if (!raw.trim()) throw badRequest('the body of the request was empty')
      return decodePatch(type, raw, this.maxNestingDepth)
    }
    if (!raw.trim()) throw badRequest(`the body of the request was empty; expected a ${resource.kind} object`)
    if (type === 'application/json' || type === '' || type === '*/*') return decodeObjectBody('json', raw, resource.kind, this.maxNestingDepth)
    if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml')
      return decodeObjectBody('yaml', raw, resource.kind, this.maxNestingDepth)
    throw unsupportedMediaType(type, ['application/json', 'application/yaml', PROTOBUF_CONTENT_TYPE])
  }

  private async deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    const raw = (await this.readRaw(req)).toString('utf8').trim()
    const body = (raw ? decodeJson(raw, this.maxNestingDepth) : {}) as DeleteOptions & { kind?: string }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('DeleteOptions must be a JSON object')
    const opts: DeleteOptions = { ...body }
    const grace = int64Param(q, 'gracePeriodSeconds')
    if (grace !== undefined) opts.gracePeriodSeconds = grace
    const pp = q.get('propagationPolicy')
    if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy']
    if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
      throw new ApiError(
        422,
        'Invalid',
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
      )
    }
    if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
      throw badRequest(`invalid gracePeriodSeconds: ${String(opts.gracePeriodSeconds)}`)
    }
    return opts
  }

  // -------------------------------------------------------------------------------------------
  // responses

  private sendObjects(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ResourceInfo,
    code: number,
    o: KObject,
    q: URLSearchParams,
    rv?: RequestVersion,
  ): void {
    if (wantsTable(req.headers.accept)) {
      this.sendJson(
        res,
        code,
        toTable(this.registry.strategy(resource).printer, [o as never], o.metadata?.resourceVersion, q.get('includeObject') ?? 'Metadata'),
        TABLE_CONTENT_TYPE,
      )
    } else if (rv) this.sendJson(res, code, rv.out(o))
    else this.sendRaw(res, code, this.registry.encodedFor(o) ?? JSON.stringify(o))
  }

  /** Sends JSON text (the stored value's encoding, shared with watchers of the same write) as the serializer would. */
  private sendRaw(res: ServerResponse, code: number, text: string): void {
    this.writeJson(res, code, goJsonLine(text))
  }

  /**
   * An object, list, Table or discovery document as upstream's serializer writes it
   * (json.Encoder: Go's escapes and a trailing newline); a Status in metav1.Status's order.
   */
  private sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    this.writeJson(res, code, isStatus(body) ? `${encodeStatus(body)}\n` : goJsonLine(JSON.stringify(body)), contentType)
  }

  /** responsewriters.WriteRawJSON (/version): json.MarshalIndent with two spaces, no newline. */
  private sendIndented(res: ServerResponse, code: number, body: unknown): void {
    this.writeJson(res, code, goJson(JSON.stringify(body, null, 2)))
  }

  /** The one place a JSON answer's bytes leave the REST handler (Content-Length counts them all). */
  private writeJson(res: ServerResponse, code: number, text: string, contentType = 'application/json', headers: Record<string, string | number> = {}): void {
    res.writeHead(code, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' })
    res.end(text)
  }

  private sendText(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }

  /** A refusal: its Status as responsewriters.ErrorNegotiated writes it, with Retry-After when the details carry one. */
  sendStatus(res: ServerResponse, err: ApiError): void {
    const headers: Record<string, string | number> = {}
    if (err.details?.retryAfterSeconds) headers['Retry-After'] = err.details.retryAfterSeconds
    this.writeJson(res, err.code, `${encodeStatus(err.toStatus())}\n`, 'application/json', headers)
  }
}

function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status'
}

/** Whether this API server serves the group/version itself (else an APIService may name another server). */
function servesLocally(group: string, version: string): boolean {
  return servedGroups().some((g) => g.group === group && g.versions.includes(version))
}
