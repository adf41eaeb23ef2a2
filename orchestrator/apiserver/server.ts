// The reference kube-apiserver: HTTPS only, on a loopback address, client certificates checked
// against the cluster CA. Every request is traced and walks the upstream pipeline in order:
// audit (the request is logged) -> authentication (x509, bearer tokens) -> impersonation ->
// authorization (system:masters, Node, RBAC) -> (for writes) decoding -> mutating admission ->
// validation -> validating admission -> store -> response, each verdict in the trace and, with
// an audit log path or an audit webhook, in the audit events. It is the only component that
// touches the store, and it writes the bootstrap RBAC policy when it starts.
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
// About 400 lines: options, TLS and HTTP/2 serving, and handle() (the pipeline of pipeline.ts, in
// order); filters and handlers are elsewhere.

import http2 from 'node:http2'
import { ensureBootstrapPolicy, ensureLocalAPIServices, ensureSystemNamespaces } from './bootstrap.js'
import { authenticate } from './filters/authentication.js'
import { UnionAuthorizer } from './filters/authorization.js'
import { impersonationFilter } from './filters/impersonation.js'
import { RestHandler } from './handlers/rest.js'
import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { ApiError, badRequest, internalError } from '../api/errors.js'
import { recordIncident } from '../host/guard.js'
import type { AdmissionChain } from '../admission/admission.js'
import { buildAdmissionChain } from '../admission/chain.js'
import type { Store } from '../store/store.js'
import { Aggregator } from './handlers/aggregator.js'
import { AuditLog, type AuditOptions } from './filters/audit.js'
import { ANONYMOUS, X509Authenticator, type Authenticator, type Authorizer, type UserInfo } from './auth.js'
import { BearerTokenAuthenticator } from './authn/bearer.js'
import { wantsImpersonation } from './authn/impersonation.js'
import type { ServiceAccountTokens } from './authn/serviceaccount.js'
import { NodeAuthorizer } from './authz/node.js'
import { PrivilegedGroupsAuthorizer, RBACAuthorizer, type RbacSource } from './authz/rbac.js'
import { upgradeHeads } from './handlers/streamproxy.js'
import { KubeletClient } from './handlers/kubeletclient.js'
import { requestInfo } from './filters/requestinfo.js'
import { isStackOverflow, MAX_NESTING_DEPTH } from './serializer/decode.js'
import { BAD_REQUEST_TEXT, MalformedRequestTarget, parseRequestTarget, type RequestTarget } from './filters/requesttarget.js'
import { installSecureServing, SERVING_DEFAULTS, tlsServingOptions, type ServingLimits } from './filters/secureserving.js'
import { armDeadline, DEFAULT_REQUEST_TIMEOUT_MS, isLongRunning, requestDeadlineMs, type Deadline } from './filters/timeout.js'
import { timeoutParam } from './handlers/queryparams.js'
import { Registry, type SemanticValidator } from './registry/store.js'
import type { RequestContext } from './registry/strategy.js'
import { Trace, type TraceOptions } from './trace.js'
import type { FieldValidation } from './registry/strategy.js'
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
  /**
   * Audit backends: audit.k8s.io/v1 events as JSON lines (--audit-log-path) and/or in batches to a
   * webhook (--audit-webhook-config-file). A webhook configuration that cannot work throws
   * AuditWebhookConfigError from the constructor.
   */
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

const SYSTEM_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] }

export class ApiServer {
  readonly name: string
  readonly trace: Trace
  readonly registry: Registry
  readonly serviceIPs: ServiceIPAllocator
  private readonly server: http2.Http2SecureServer
  private readonly authenticators: Authenticator[]
  private readonly authz: UnionAuthorizer
  private readonly rest: RestHandler
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
        escalation: {
          authorize: (attrs) => this.authz.decide(attrs),
          rulesFor: (user, ns) => rbac.rulesFor(user, ns),
          roleReferenceRules: (ref, ns) => rbac.roleReferenceRules(ref, ns),
        },
      }),
    })
    opts.tokens?.useLookup(this.registry)
    this.authenticators = opts.authenticators ?? [new X509Authenticator(), ...(opts.tokens ? [new BearerTokenAuthenticator([opts.tokens])] : [])]
    this.authz = new UnionAuthorizer(
      opts.authorizers ?? [new PrivilegedGroupsAuthorizer(), new NodeAuthorizer({ pods: (ns) => this.registry.listFrozen('', 'pods', ns) }), rbac],
      this.trace,
    )
    this.auditLog = new AuditLog(opts.audit)
    this.aggregator = new Aggregator(this.registry, { proxyClient: opts.proxyClient, availabilityCheckMs: opts.apiServiceCheckMs }, () => ({
      requestId: 'apiservice-availability',
      user: SYSTEM_USER,
    }))
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
    this.rest = new RestHandler({
      name: this.name,
      registry: this.registry,
      trace: this.trace,
      aggregator: this.aggregator,
      authorizers: [...this.authz.authorizers],
      decide: (attrs) => this.authz.decide(attrs),
      opts,
      kubelet: this.kubelet,
      maxBodyBytes: this.maxBodyBytes,
      maxNestingDepth: this.maxNestingDepth,
      bookmarkIntervalMs: this.bookmarkIntervalMs,
      openWatches: this.openWatches,
      address: () => this.address,
    })
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
      await ensureSystemNamespaces(this.registry)
      await this.serviceIPs.repair(await this.registry.list('', 'services', ''))
      if (this.opts.bootstrapPolicy !== false) await ensureBootstrapPolicy(this.registry)
      await ensureLocalAPIServices(this.registry)
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

  // -------------------------------------------------------------------------------------------

  /** Entry of every request: whatever happens while handling it, the process keeps serving. */
  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((e: unknown) => {
      // the request's own error handling failed: log it, record it, end the exchange
      const where = `${req.method ?? '?'} ${String(req.url)}`
      console.error(`[${this.name}] unexpected error answering ${where}:`, e)
      recordIncident({
        kind: 'internalError',
        source: `${this.name} ${where}`,
        message: e instanceof Error ? e.message : String(e),
        stack: e instanceof Error ? e.stack : undefined,
      })
      if (!res.headersSent) this.rest.sendStatus(res, internalError(e))
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
    this.trace.record({
      kind: 'phase',
      requestId,
      phase: 'audit',
      outcome: 'logged',
      attrs: { stage: 'RequestReceived', backend: this.auditLog.backends },
    })
    let user: UserInfo = ANONYMOUS
    let streaming = false
    let deadline: Deadline | undefined
    const answerError = (e: unknown): void => {
      const err = this.errorFor(e, `${method} ${target.rawPath}`)
      if (!res.headersSent) this.rest.sendStatus(res, err)
      else res.end()
      this.traceResponse(requestId, user, err.code, err.message)
      audit.complete(err.code, err.toStatus())
    }
    try {
      if (!isLongRunning(info)) {
        deadline = armDeadline(req, res, requestDeadlineMs(this.requestTimeoutMs, timeoutParam(target.query)), answerError)
      }
      user = await authenticate(this.authenticators, this.trace, req, requestId, target.path)
      audit.authenticated(user)
      if (wantsImpersonation(req)) user = await impersonationFilter(req, user, requestId, audit, this.trace, (attrs) => this.authz.decide(attrs))
      await this.authz.authorize(user, info, requestId, audit)
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
      streaming = await this.rest.route(req, res, target, info, ctx)
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
