// The reference kube-apiserver: HTTPS only, on a loopback address, client certificates checked
// against the cluster CA. Every request is traced and walks the upstream pipeline in order:
// audit (the request is logged) -> authentication (x509, bearer tokens) -> impersonation ->
// authorization (system:masters, Node, RBAC) -> (for writes) decoding -> mutating admission ->
// validation -> validating admission -> store -> response, each verdict in the trace and, with
// an audit log path, in the audit log. It is the only component that touches the store, and it
// writes the bootstrap RBAC policy when it starts.
// Mirrors k8s.io/apiserver's handler chain (WithAudit, WithAuthentication, WithImpersonation,
// WithAuthorization, the REST handlers) and serves discovery, Table printing and watch streams
// well enough for kubectl. Like kube-apiserver it speaks HTTP/2 (negotiated by ALPN; kubectl
// and the kit's components multiplex every request and watch over one connection) and
// HTTP/1.1 for other clients.
// API groups other servers serve (metrics.k8s.io from metrics-server) are listed in discovery
// and proxied to them after authentication and authorization (aggregator.ts).
// Every byte of a request is read inside its error handling: the request target is parsed as
// Go parses it (filters/requesttarget.ts: no dot-segment normalisation, an undecodable escape is
// a plain-text 400), the connection layer has Go's limits (filters/secureserving.ts), every
// request that is not long-running has kube-apiserver's 60 s deadline (filters/timeout.ts), and
// an error nobody expected is a 500 Status, logged with its stack and recorded as an incident
// (host/guard.ts) that fails the scenario or test that caused it.
// Simplifies: answers are JSON; requests JSON, YAML, or protobuf for the kinds kubectl's typed
// create commands send (protobuf.ts); no API priority and fairness.

import http2 from 'node:http2'
import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import {
  ApiError,
  badRequest,
  internalError,
  methodNotAllowed,
  requestEntityTooLarge,
  unauthorized,
  unsupportedMediaType,
} from '../api/errors.js'
import { recordIncident } from '../host/guard.js'
import type { KObject, Status } from '../api/meta.js'
import { lookupResource, servedGroups, type ResourceInfo } from '../api/resources.js'
import { parseFieldSelector, parseLabelSelector } from '../api/selectors.js'
import type { AdmissionChain } from '../admission/admission.js'
import { buildAdmissionChain } from '../admission/chain.js'
import type { Store } from '../store/store.js'
import { Aggregator, APIREGISTRATION_GROUP, localAPIServices } from './handlers/aggregator.js'
import { AuditLog, type AuditOptions, type AuditRecord } from './filters/audit.js'
import { ANONYMOUS, X509Authenticator, type AuthorizationAttributes, type Authenticator, type Authorizer, type UserInfo } from './auth.js'
import { BearerTokenAuthenticator } from './authn/bearer.js'
import { impersonate, wantsImpersonation } from './authn/impersonation.js'
import type { ServiceAccountTokens } from './authn/serviceaccount.js'
import { bootstrapObjects } from './authz/bootstrappolicy.js'
import { NodeAuthorizer } from './authz/node.js'
import { PrivilegedGroupsAuthorizer, RBACAuthorizer, type RbacSource } from './authz/rbac.js'
import './handlers/tokenrequest.js'
import './handlers/eviction.js'
import { upgradeHeads } from './handlers/podconnect.js'
import { KubeletClient } from './handlers/kubeletclient.js'
import { apiGroup, apiGroupList, apiResourceList, apiVersions, openApiV3Document, openApiV3Root, versionInfo } from './handlers/discovery.js'
import { forbiddenMessage } from './filters/forbidden.js'
import { applyPatch, PATCH_TYPES } from './handlers/patch.js'
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from './serializer/protobuf.js'
import { requestInfo, type RequestInfo } from './filters/requestinfo.js'
import { decodeJson, decodeObjectBody, decodePatch, isStackOverflow, MAX_NESTING_DEPTH } from './serializer/decode.js'
import { BAD_REQUEST_TEXT, MalformedRequestTarget, parseRequestTarget, type RequestTarget } from './filters/requesttarget.js'
import { installSecureServing, SERVING_DEFAULTS, tlsServingOptions, type ServingLimits } from './filters/secureserving.js'
import { armDeadline, DEFAULT_REQUEST_TIMEOUT_MS, isLongRunning, requestDeadlineMs, type Deadline } from './filters/timeout.js'
import { int64Param, timeoutParam } from './handlers/queryparams.js'
import { Registry, type SemanticValidator } from './registry/store.js'
import type { DeleteOptions, RequestContext } from './registry/strategy.js'
import { answerReview } from './handlers/reviews.js'
import { checkRoute, notFoundRoute } from './handlers/routes.js'
import { subresourceHandler } from './handlers/subresources.js'
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './registry/printers.js'
import { Trace, type TraceOptions } from './trace.js'
import type { FieldValidation } from './registry/strategy.js'
import { serveWatch } from './handlers/watch.js'
import { ServiceIPAllocator } from './registry/ipallocator.js'
import { buildStrategies } from './registry/strategies/index.js'

export interface ApiServerOptions {
  /** Instance name in traces (`apiserver-0`). */
  name?: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  store: Store
  caPem: string
  serving: { certPem: string; keyPem: string }
  /** Default: x509 client certificates, then bearer tokens of `tokens`. */
  authenticators?: Authenticator[]
  /** Default: system:masters, then the Node authorizer, then RBAC (kubeadm's Node,RBAC). */
  authorizers?: Authorizer[]
  /** Default: the built-in chain with no policies configured (admission/chain.ts). */
  admission?: AdmissionChain
  /** Issues and verifies service account tokens (serviceaccounts/token). */
  tokens?: ServiceAccountTokens
  /** Writes audit.k8s.io/v1 events as JSON lines. */
  audit?: AuditOptions
  /** Write the bootstrap RBAC roles and bindings at start (default true). */
  bootstrapPolicy?: boolean
  semanticValidators?: SemanticValidator[]
  trace?: TraceOptions
  storeTimeoutMs?: number
  /** Largest accepted request body; upstream's limit is 3 MiB (413 beyond it). */
  maxBodyBytes?: number
  /** Deepest nesting of a JSON or YAML body (upstream's decoders: 10,000; 400 beyond it). */
  maxNestingDepth?: number
  /** Deadline of a request that is not long-running (--request-timeout; upstream 60 s; 504 after it). */
  requestTimeoutMs?: number
  /** Time for a connection's TLS handshake and a request's headers (upstream ReadHeaderTimeout 32 s). */
  readHeaderTimeoutMs?: number
  /** Idle time allowed between requests of an HTTP/1.1 connection (upstream IdleTimeout 90 s). */
  idleTimeoutMs?: number
  /** Largest request header block (upstream MaxHeaderBytes 1 MiB; 431 beyond it). */
  maxHeaderBytes?: number
  /** Bytes of watch output held for a client that does not read before its watch is ended (default 4 MiB). */
  watchBufferBytes?: number
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK. */
  bookmarkIntervalMs?: number
  /** ClusterIPs of Services come from this range (kube-apiserver --service-cluster-ip-range). */
  serviceClusterIPRange?: string
  /**
   * The client certificate the API server presents to kubelets for pods/log and pods/exec
   * (--kubelet-client-certificate / --kubelet-client-key); kubelets' serving certificates are
   * checked against `caPem`. Without it those subresources answer 503.
   */
  kubeletClient?: { certPem: string; keyPem: string }
  /** The client certificate the aggregation layer shows aggregated API servers (--proxy-client-cert-file). */
  proxyClient?: { certPem: string; keyPem: string }
  /** How often the Available condition of aggregated APIServices is checked (default 5 s). */
  apiServiceCheckMs?: number
}

/** The service range of an API server started without one (clusters pass their leased range). */
export const DEFAULT_SERVICE_CIDR = '127.96.0.0/16'

/** Paths any caller may read without credentials (upstream's system:public-info-viewer). */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version'])
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const SYSTEM_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] }

export class ApiServer {
  readonly name: string
  readonly trace: Trace
  readonly registry: Registry
  readonly serviceIPs: ServiceIPAllocator
  private readonly server: http2.Http2SecureServer
  private readonly authenticators: Authenticator[]
  private readonly authorizers: Authorizer[]
  private readonly auditLog: AuditLog
  private readonly aggregator: Aggregator
  private readonly maxBodyBytes: number
  private readonly maxNestingDepth: number
  private readonly requestTimeoutMs: number
  private readonly connections: { destroyAll(): void }
  private readonly bookmarkIntervalMs: number
  private readonly openWatches = new Set<ServerResponse>()
  private readonly sockets = new Set<TLSSocket>()
  private readonly kubelet?: KubeletClient
  private address?: AddressInfo

  constructor(private readonly opts: ApiServerOptions) {
    this.name = opts.name ?? 'apiserver'
    this.trace = new Trace(this.name, opts.trace)
    this.maxBodyBytes = opts.maxBodyBytes ?? 3 * 1024 * 1024
    this.maxNestingDepth = opts.maxNestingDepth ?? MAX_NESTING_DEPTH
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    const limits: ServingLimits = {
      readHeaderTimeoutMs: opts.readHeaderTimeoutMs ?? SERVING_DEFAULTS.readHeaderTimeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs ?? SERVING_DEFAULTS.idleTimeoutMs,
      maxHeaderBytes: opts.maxHeaderBytes ?? SERVING_DEFAULTS.maxHeaderBytes,
    }
    const tlsLimits = tlsServingOptions(limits)
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 10_000
    const admission = opts.admission ?? buildAdmissionChain()
    this.serviceIPs = new ServiceIPAllocator(opts.store, opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR)
    const rbacSource: RbacSource = {
      list: (resource, namespace) => this.registry.listFrozen('rbac.authorization.k8s.io', resource, namespace),
      get: (resource, namespace, name) => this.registry.getFrozen('rbac.authorization.k8s.io', resource, namespace, name),
    }
    const rbac = new RBACAuthorizer(rbacSource)
    this.registry = new Registry(opts.store, this.trace, admission, {
      storeTimeoutMs: opts.storeTimeoutMs,
      semanticValidators: opts.semanticValidators,
      strategies: buildStrategies({
        serviceIPs: this.serviceIPs,
        // RBAC escalation prevention: the union authorizer decides `escalate` / `bind`, RBAC's rules what a user holds
        escalation: { authorize: (attrs) => this.decide(attrs), rulesFor: (user, ns) => rbac.rulesFor(user, ns), roleReferenceRules: (ref, ns) => rbac.roleReferenceRules(ref, ns) },
      }),
    })
    opts.tokens?.useLookup(this.registry)
    this.authenticators = opts.authenticators ?? [new X509Authenticator(), ...(opts.tokens ? [new BearerTokenAuthenticator([opts.tokens])] : [])]
    this.authorizers = opts.authorizers ?? [
      new PrivilegedGroupsAuthorizer(),
      new NodeAuthorizer({ pods: (ns) => this.registry.listFrozen('', 'pods', ns) }),
      rbac,
    ]
    this.auditLog = new AuditLog(opts.audit)
    this.aggregator = new Aggregator(this.registry, { proxyClient: opts.proxyClient, availabilityCheckMs: opts.apiServiceCheckMs }, () => ({ requestId: 'apiservice-availability', user: SYSTEM_USER }))
    this.server = http2.createSecureServer(
      {
        key: opts.serving.keyPem,
        cert: opts.serving.certPem,
        ca: opts.caPem,
        // As kube-apiserver (tls.RequestClientCert): a client certificate is asked for, never
        // required at the TLS layer; the x509 authenticator trusts only one the cluster CA
        // signed, and a request nothing authenticates is a 401.
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        allowHTTP1: true,
        handshakeTimeout: tlsLimits.handshakeTimeout,
        // kube-apiserver's --http2-max-streams-per-connection default; Go's header list limit
        settings: { maxConcurrentStreams: 1000, maxHeaderListSize: tlsLimits.maxHeaderListSize },
      },
      // The HTTP/2 compatibility objects implement the HTTP/1 request/response surface the
      // handlers use (headers, streams, writeHead/write/end, 'close').
      (req, res) => this.serve(req as unknown as IncomingMessage, res as unknown as ServerResponse),
    )
    this.connections = installSecureServing(this.server, limits)
    this.server.on('secureConnection', (socket: TLSSocket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.server.on('tlsClientError', () => {
      /* a refused or abandoned handshake: the client sees the connection fail */
    })
    // HTTP/1.1 upgrade requests (kubectl exec over WebSocket) walk the same pipeline; a handler
    // that upgrades takes the socket over, anything else answers on it and closes it
    // Node hands an HTTP/1.1 CONNECT request to a 'connect' listener (and drops the connection
    // when there is none); Go's server routes it as any request, so does this
    const takeOver = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      const res = new ServerResponse(req)
      res.assignSocket(socket as never)
      res.shouldKeepAlive = false
      res.once('finish', () => socket.end())
      socket.on('error', () => socket.destroy())
      upgradeHeads.set(req, head)
      this.serve(req, res)
    }
    this.server.on('upgrade', takeOver)
    this.server.on('connect', takeOver)
    if (opts.kubeletClient) this.kubelet = new KubeletClient({ caPem: opts.caPem, ...opts.kubeletClient })
  }

  get url(): string {
    if (!this.address) throw new Error('API server is not started')
    return `https://${this.address.address}:${this.address.port}`
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.address = this.server.address() as AddressInfo
    // the informer caches admission reads (until they have listed, admission reads live)
    this.registry.admissionCache.start()
    try {
      await this.ensureSystemNamespaces()
      await this.serviceIPs.repair(await this.registry.list('', 'services', ''))
      if (this.opts.bootstrapPolicy !== false) await this.ensureBootstrapPolicy()
      await this.ensureLocalAPIServices()
    } catch (e) {
      this.registry.admissionCache.stop()
      throw e
    }
    this.aggregator.start()
    return this.url
  }

  /** Stops accepting requests, ends open watches and closes every connection. */
  async stop(): Promise<void> {
    for (const res of this.openWatches) res.end()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    this.connections.destroyAll()
    this.kubelet?.close()
    await closed
    this.aggregator.stop()
    this.registry.admissionCache.stop()
    await this.auditLog.close()
  }

  /** Upstream's rbac/bootstrap-roles post-start hook: create the default roles and bindings that are missing. */
  private async ensureBootstrapPolicy(): Promise<void> {
    for (const { resource, object } of bootstrapObjects()) {
      const info = lookupResource('rbac.authorization.k8s.io', resource)!
      try {
        await this.registry.create({ requestId: 'bootstrap', user: SYSTEM_USER }, info, '', object)
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e
      }
    }
  }

  /** Upstream's autoregister controller: an APIService named "Local" for every group served here. */
  private async ensureLocalAPIServices(): Promise<void> {
    const info = lookupResource(APIREGISTRATION_GROUP, 'apiservices')!
    for (const object of localAPIServices()) {
      try {
        await this.registry.create({ requestId: 'bootstrap', user: SYSTEM_USER }, info, '', object)
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e
      }
    }
  }

  private async ensureSystemNamespaces(): Promise<void> {
    const info = lookupResource('', 'namespaces')!
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.registry.create({ requestId: 'bootstrap', user: SYSTEM_USER }, info, '', { metadata: { name } })
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Entry of every request: whatever happens while handling it, the process keeps serving. */
  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((e: unknown) => {
      // the request's own error handling failed: log it, record it, end the exchange
      const where = `${req.method ?? '?'} ${String(req.url)}`
      console.error(`[${this.name}] unexpected error answering ${where}:`, e)
      recordIncident({ kind: 'internalError', source: `${this.name} ${where}`, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined })
      if (!res.headersSent) this.sendStatus(res, internalError(e))
      else res.destroy()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID()
    const method = req.method ?? 'GET'
    let target: RequestTarget
    try {
      target = parseRequestTarget(req.url ?? '')
    } catch (e) {
      if (!(e instanceof MalformedRequestTarget)) throw e
      // Go's HTTP server refuses it before any handler: plain text, and the connection closes
      return this.sendPlainRefusal(req, res, BAD_REQUEST_TEXT)
    }
    if (req.httpVersion === '1.1' && !req.headers.host) return this.sendPlainRefusal(req, res, '400 Bad Request: missing required Host header')
    const info = requestInfo(method, target)
    res.setHeader('Audit-Id', requestId)
    const resourceName = info.resource ? (info.apiGroup ? `${info.resource}.${info.apiGroup}` : info.resource) : undefined
    this.trace.record({
      kind: 'request',
      requestId,
      verb: info.isResourceRequest ? info.verb : method.toLowerCase(),
      resource: resourceName,
      subresource: info.subresource || undefined,
      namespace: info.namespace || undefined,
      name: info.name || undefined,
      message: `${method} ${target.rawPath}${target.search}`,
      attrs: req.headers['user-agent'] ? { userAgent: String(req.headers['user-agent']) } : undefined,
    })
    // Logging comes first: the request is on record before anyone looks at who sent it.
    const audit = this.auditLog.begin(requestId, req, info, `${target.rawPath}${target.search}`)
    this.trace.record({ kind: 'phase', requestId, phase: 'audit', outcome: 'logged', attrs: { stage: 'RequestReceived', backend: this.auditLog.enabled ? 'log' : 'trace' } })
    let user: UserInfo = ANONYMOUS
    let streaming = false
    let deadline: Deadline | undefined
    const answerError = (e: unknown): void => {
      const err = this.errorFor(e, `${method} ${target.rawPath}`)
      if (!res.headersSent) this.sendStatus(res, err)
      else res.end()
      this.traceResponse(requestId, user, err.code, err.message)
      audit.complete(err.code, err.toStatus())
    }
    try {
      if (!isLongRunning(info)) {
        deadline = armDeadline(req, res, requestDeadlineMs(this.requestTimeoutMs, timeoutParam(target.query)), answerError)
      }
      user = await this.authenticate(req, requestId, target.path)
      audit.authenticated(user)
      if (wantsImpersonation(req)) user = await this.impersonate(req, user, requestId, audit)
      await this.authorize(user, info, requestId, audit)
      const ctx: RequestContext = {
        requestId,
        user,
        dryRun: target.query.get('dryRun') === 'All',
        fieldValidation: fieldValidationOf(target.query.get('fieldValidation')),
        warn: (message) => {
          // a header value carries only visible ASCII (RFC 9110 field-value); anything else in a
          // client's field names is escaped so a warning can never fail the request
          if (!res.headersSent) res.appendHeader('Warning', `299 - ${headerSafe(JSON.stringify(message))}`)
        },
        annotate: (key, value) => audit.annotate(key, value),
        onObject: (namespace, name) => audit.object(namespace, name),
      }
      streaming = await this.route(req, res, target, info, ctx)
      if (deadline?.expired) return
      if (!streaming) {
        this.traceResponse(requestId, user, res.statusCode)
        audit.complete(res.statusCode)
      } else {
        audit.started(res.statusCode)
        res.once('close', () => audit.complete(res.statusCode))
      }
    } catch (e) {
      // after the 504 the handler's own outcome goes nowhere, as upstream's post-timeout work
      if (deadline?.expired) return
      answerError(e)
    } finally {
      deadline?.clear()
    }
  }

  /**
   * The Status of an error a handler threw. An ApiError is the answer; a stack overflow from a
   * value nested deeper than this server's recursion reaches is the client's 400; anything else
   * is a 500 InternalError, logged with its stack. Every 500 InternalError is recorded as an
   * incident (host/guard.ts), which fails the scenario or test that caused it.
   */
  private errorFor(e: unknown, where: string): ApiError {
    let err: ApiError
    if (e instanceof ApiError) err = e
    else if (isStackOverflow(e)) err = badRequest(`the request's value is nested too deeply for this server to process (${(e as Error).message})`)
    else {
      console.error(`[${this.name}] internal error on ${where}:`, e)
      err = internalError(e)
    }
    if (err.code === 500 && err.reason === 'InternalError') {
      recordIncident({ kind: 'internalError', source: `${this.name} ${where}`, message: err.message, stack: e instanceof Error ? e.stack : undefined })
    }
    return err
  }

  /** Go's net/http answer to a request it cannot read: plain text, then the connection closes. */
  private sendPlainRefusal(req: IncomingMessage, res: ServerResponse, status: string): void {
    const [code, ...reason] = status.split(' ')
    const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(status) }
    // HTTP/2 has no reason phrase and no Connection header
    if (req.httpVersionMajor < 2) res.writeHead(Number(code), reason.join(' '), { ...headers, Connection: 'close' })
    else res.writeHead(Number(code), headers)
    res.end(status)
  }

  private traceResponse(requestId: string, user: UserInfo, code: number, message?: string): void {
    this.trace.record({ kind: 'response', requestId, user: user.name, code, outcome: code < 400 ? 'ok' : 'error', message })
  }

  private async authenticate(req: IncomingMessage, requestId: string, path: string): Promise<UserInfo> {
    for (const a of this.authenticators) {
      let user: UserInfo | undefined
      try {
        user = await a.authenticate(req)
      } catch (e) {
        this.trace.record({ kind: 'phase', requestId, phase: 'authentication', outcome: 'denied', message: e instanceof Error ? e.message : String(e), attrs: { authenticator: a.name } })
        throw e instanceof ApiError ? e : unauthorized()
      }
      if (user) {
        const by = user.authenticator ?? a.name
        this.trace.record({ kind: 'phase', requestId, user: user.name, groups: user.groups, phase: 'authentication', outcome: 'allowed', attrs: { authenticator: by } })
        return { ...user, authenticator: by }
      }
    }
    if (PUBLIC_PATHS.has(path)) {
      this.trace.record({ kind: 'phase', requestId, user: ANONYMOUS.name, phase: 'authentication', outcome: 'allowed', attrs: { authenticator: 'anonymous' } })
      return ANONYMOUS
    }
    this.trace.record({ kind: 'phase', requestId, user: ANONYMOUS.name, phase: 'authentication', outcome: 'denied', message: 'no valid credentials' })
    throw unauthorized()
  }

  private async impersonate(req: IncomingMessage, real: UserInfo, requestId: string, audit: AuditRecord): Promise<UserInfo> {
    try {
      const user = await impersonate(req, real, async (attrs) => {
        const { decision, reasons } = await this.decide(attrs)
        if (decision !== 'allow') throw forbiddenMessage(attrs, reasons)
      })
      this.trace.record({ kind: 'phase', requestId, user: user.name, groups: user.groups, phase: 'impersonation', outcome: 'allowed', attrs: { by: real.name } })
      audit.impersonating(user)
      return user
    } catch (e) {
      this.trace.record({ kind: 'phase', requestId, user: real.name, phase: 'impersonation', outcome: 'denied', message: e instanceof Error ? e.message : String(e) })
      throw e
    }
  }

  /** The union authorizer: the first decisive answer wins. */
  private async decide(attrs: AuthorizationAttributes): Promise<{ decision: 'allow' | 'deny' | 'noOpinion'; by?: string; reason?: string; reasons: string[] }> {
    const reasons: string[] = []
    for (const a of this.authorizers) {
      const { decision, reason } = await a.authorize(attrs)
      if (reason) reasons.push(reason)
      if (decision === 'allow') return { decision, by: a.name, reason, reasons }
      if (decision === 'deny') return { decision, by: a.name, reason, reasons }
    }
    return { decision: 'noOpinion', reasons }
  }

  private async authorize(user: UserInfo, info: RequestInfo, requestId: string, audit: AuditRecord): Promise<void> {
    if (user === ANONYMOUS) return // public paths only
    const attrs: AuthorizationAttributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    }
    const { decision, by, reason, reasons } = await this.decide(attrs)
    if (decision === 'allow') {
      this.trace.record({ kind: 'phase', requestId, user: user.name, phase: 'authorization', outcome: 'allowed', message: reason || undefined, attrs: { authorizer: by! } })
      audit.annotate('authorization.k8s.io/decision', 'allow')
      audit.annotate('authorization.k8s.io/reason', reason ?? '')
      return
    }
    const err = forbiddenMessage(attrs, decision === 'deny' ? reasons : [])
    this.trace.record({ kind: 'phase', requestId, user: user.name, phase: 'authorization', outcome: 'denied', message: err.message })
    audit.annotate('authorization.k8s.io/decision', 'forbid')
    audit.annotate('authorization.k8s.io/reason', reasons.filter(Boolean).join(', '))
    throw err
  }

  /** Returns true when the response is a stream that outlives this call (watch, logs). */
  private async route(req: IncomingMessage, res: ServerResponse, target: RequestTarget, info: RequestInfo, ctx: RequestContext): Promise<boolean> {
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
    if (!resource || resource.version !== info.apiVersion) throw notFoundRoute()
    checkRoute(req.method ?? 'GET', info, resource)
    const ns = resource.namespaced ? info.namespace : ''
    const q = target.query

    if (resource.ephemeral) {
      if (info.verb !== 'create' || info.subresource || info.name) throw methodNotAllowed()
      const body = await this.readBody(req, resource, false)
      this.sendJson(res, 201, await answerReview(resource, body, ctx.user, (attrs) => this.decide(attrs), this.authorizers))
      return false
    }
    if (info.subresource) {
      if (!resource.subresources.includes(info.subresource)) throw notFoundRoute()
      if (info.subresource === 'status') return this.statusSubresource(req, res, resource, ns, info, ctx, q)
      const handler = subresourceHandler(resource, info.subresource)
      if (!handler) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${info.resource}/${info.subresource} is not served by this API server)`)
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
        this.sendObjects(req, res, resource, 200, o, q)
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
          this.sendJson(res, 200, toTable(this.registry.strategy(resource).printer, list.items, list.metadata.resourceVersion, q.get('includeObject') ?? 'Metadata', list.metadata.continue), TABLE_CONTENT_TYPE)
        } else this.sendJson(res, 200, list)
        return false
      }
      case 'watch': {
        let fieldSel = q.get('fieldSelector')
        if (info.name) fieldSel = [fieldSel, `metadata.name=${info.name}`].filter(Boolean).join(',')
        const opts = {
          resourceVersion: q.get('resourceVersion') ?? undefined,
          labelSelector: parseLabelSelector(q.get('labelSelector')),
          fieldSelector: parseFieldSelector(fieldSel, resource.kind),
          allowBookmarks: q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1',
          timeoutSeconds: int64Param(q, 'timeoutSeconds'),
          table: wantsTable(req.headers.accept),
          includeObject: q.get('includeObject') ?? 'Metadata',
          bookmarkIntervalMs: this.bookmarkIntervalMs,
          maxBufferedBytes: this.opts.watchBufferBytes,
        }
        this.openWatches.add(res)
        this.traceResponse(ctx.requestId, ctx.user, 200, 'watch stream opened')
        serveWatch(res, this.registry, this.trace, ctx, resource, ns, opts, () => this.openWatches.delete(res))
        return true
      }
      case 'create': {
        const body = await this.readBody(req, resource, false)
        const o = await this.registry.create(ctx, resource, ns, body)
        this.sendObjects(req, res, resource, 201, o, q)
        return false
      }
      case 'update': {
        const body = await this.readBody(req, resource, false)
        const { obj, created } = await this.registry.update(ctx, resource, ns, info.name, '', body)
        this.sendObjects(req, res, resource, created ? 201 : 200, obj, q)
        return false
      }
      case 'patch': {
        const patch = await this.readBody(req, resource, true)
        const contentType = String(req.headers['content-type'] ?? '')
        // server-side apply creates what does not exist yet
        const allowCreate = contentType.startsWith('application/apply-patch+yaml')
          ? () => {
              const body = this.registry.checkBody(resource, ns, structuredClone(patch), info.name)
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
            const patched = applyPatch(contentType, current, patch) as KObject
            return this.registry.checkBody(resource, ns, patched, info.name)
          },
          { allowCreate },
        )
        this.sendObjects(req, res, resource, created ? 201 : 200, obj, q)
        return false
      }
      case 'delete': {
        const options = await this.deleteOptions(req, q)
        const { obj } = await this.registry.delete(ctx, resource, ns, info.name, options)
        this.sendObjects(req, res, resource, 200, obj, q)
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
        this.sendJson(res, 200, { ...list, items: deleted })
        return false
      }
      default:
        throw methodNotAllowed()
    }
  }

  private async statusSubresource(req: IncomingMessage, res: ServerResponse, resource: ResourceInfo, ns: string, info: RequestInfo, ctx: RequestContext, q: URLSearchParams): Promise<boolean> {
    switch (req.method) {
      case 'GET':
        this.sendObjects(req, res, resource, 200, await this.registry.read(resource, ns, info.name), q)
        return false
      case 'PUT': {
        const body = await this.readBody(req, resource, false)
        const { obj } = await this.registry.update(ctx, resource, ns, info.name, 'status', body)
        this.sendJson(res, 200, obj)
        return false
      }
      case 'PATCH': {
        const patch = await this.readBody(req, resource, true)
        const contentType = String(req.headers['content-type'] ?? '')
        const { obj } = await this.registry.guaranteedUpdate(ctx, resource, ns, info.name, 'status', (current) => applyPatch(contentType, current, patch) as KObject)
        this.sendJson(res, 200, obj)
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
    if (p === '/version') return this.sendJson(res, 200, versionInfo())
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
    if (p === '/openapi/v3') return this.sendJson(res, 200, openApiV3Root())
    const oa = p.match(/^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/)
    if (oa) {
      const doc = oa[1] ? openApiV3Document('', oa[1]) : openApiV3Document(oa[2]!, oa[3]!)
      if (doc) return this.sendJson(res, 200, doc)
    }
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
    const type = String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase()
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
    if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return decodeObjectBody('yaml', raw, resource.kind, this.maxNestingDepth)
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
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`)
    }
    if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
      throw badRequest(`invalid gracePeriodSeconds: ${String(opts.gracePeriodSeconds)}`)
    }
    return opts
  }

  // -------------------------------------------------------------------------------------------
  // responses

  private sendObjects(req: IncomingMessage, res: ServerResponse, resource: ResourceInfo, code: number, o: KObject, q: URLSearchParams): void {
    if (wantsTable(req.headers.accept)) {
      this.sendJson(res, code, toTable(this.registry.strategy(resource).printer, [o as never], o.metadata?.resourceVersion, q.get('includeObject') ?? 'Metadata'), TABLE_CONTENT_TYPE)
    } else this.sendRaw(res, code, this.registry.encodedFor(o) ?? JSON.stringify(o))
  }

  /** Sends JSON text as is (the stored value's encoding, shared with watchers of the same write). */
  private sendRaw(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' })
    res.end(text)
  }

  private sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    const text = JSON.stringify(body)
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' })
    res.end(text)
  }

  private sendText(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }

  private sendStatus(res: ServerResponse, err: ApiError): void {
    const status: Status = err.toStatus()
    const headers: Record<string, string | number> = {}
    if (err.details?.retryAfterSeconds) headers['Retry-After'] = err.details.retryAfterSeconds
    const text = JSON.stringify(status)
    res.writeHead(err.code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' })
    res.end(text)
  }
}

/** Whether this API server serves the group/version itself (else an APIService may name another server). */
function servesLocally(group: string, version: string): boolean {
  return servedGroups().some((g) => g.group === group && g.version === version)
}

const FIELD_VALIDATION: FieldValidation[] = ['Ignore', 'Warn', 'Strict']

/** The fieldValidation query parameter (default Warn, as upstream). */
function fieldValidationOf(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn'
  const match = FIELD_VALIDATION.find((m) => m.toLowerCase() === v.toLowerCase())
  if (!match) throw badRequest(`fieldValidation parameter unsupported: ${JSON.stringify(v)}; supported values: "Ignore", "Warn", "Strict"`)
  return match
}

/** Escapes what may not appear in an HTTP header value (controls, non-ASCII) as \uXXXX. */
function headerSafe(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
