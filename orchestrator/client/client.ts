// The API client every orchestrator component uses: HTTPS (HTTP/2, one multiplexed connection
// per client, as client-go) to the API server with the component's own client certificate (or
// bearer token), JSON bodies, Kubernetes `Status` errors turned back into ApiError, and
// streaming watches. It plays client-go's rest.Interface role; informers and work queues build
// on it. The interfaces it implements (Reader, Writer, Watcher, Client) are what components
// take, so their tests can use the in-memory fake of fake.ts, as client-go's typed clientset
// interfaces let tests use its fake clientset.
// Simplifies: JSON only (no protobuf), no client-side rate limiting.
// Over 400 lines: the Reader / Writer / Watcher contracts (with their documented errors) and the
// one HTTPS implementation of them belong side by side.

import http2 from 'node:http2'
import { ApiError } from '../api/errors.js'
import type { KList, KObject, Status, WatchEvent } from '../api/meta.js'
import { apiVersionOf, type ResourceInfo } from '../api/resources.js'

export interface ClientConfig {
  /** https://127.0.0.1:<port> */
  server: string
  caPem: string
  certPem?: string
  keyPem?: string
  token?: string
  /** Sent as User-Agent; shows up in the API server's trace. */
  userAgent?: string
  /** Per-request timeout for non-watch calls. */
  timeoutMs?: number
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  accept?: string
  signal?: AbortSignal
  /** The caller does not need the answer's body: it is not parsed (resolves undefined). */
  discardBody?: boolean
}

/** Where an object lives in the REST API. */
export interface ResourceRef {
  group: string
  version: string
  resource: string
  namespace?: string
  name?: string
  subresource?: string
}

export function resourcePath(ref: ResourceRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`
  let p = base
  if (ref.namespace) p += `/namespaces/${encodeURIComponent(ref.namespace)}`
  p += `/${ref.resource}`
  if (ref.name) p += `/${encodeURIComponent(ref.name)}`
  if (ref.subresource) p += `/${ref.subresource}`
  return p
}

/** A ResourceRef for an entry of the resource table. */
export function refFor(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): ResourceRef {
  const ref: ResourceRef = { group: info.group, version: info.version, resource: info.resource }
  if (info.namespaced && namespace) ref.namespace = namespace
  if (name) ref.name = name
  if (subresource) ref.subresource = subresource
  return ref
}

export interface WatchHandle {
  /** Stops the watch; `onClose` is called with no error. */
  stop(): void
  /** Resolves when the stream has ended for any reason. */
  done: Promise<void>
}

/** Query parameters of a call (labelSelector, fieldSelector, limit, continue, dryRun, ...). */
export type Query = RequestOptions['query']

// The interfaces components program against, so a test can hand them the in-memory fake
// (fake.ts) instead of a client of a running API server. client-go's equivalents are the typed
// clientset's Get / List / Create / Update / UpdateStatus / Patch / Delete and Watch. Errors:
// what the API server answers comes back as an ApiError (orchestrator/api/errors.ts) with the
// server's code and reason; a request that got no answer (connection refused or broken,
// timeout, abort) rejects with a plain Error. Any call may also answer 401 Unauthorized,
// 403 Forbidden (RBAC), 429 TooManyRequests, 500 InternalError / ServerTimeout or 504 Timeout.

/** Reading objects (a component's own reads, not its informer caches). */
export interface Reader {
  /**
   * The object at `ref` (namespace and name set), as stored: metadata.resourceVersion is the
   * version an update must carry. 404 NotFound (`pods "web" not found`) when there is none.
   */
  get<T extends KObject = KObject>(ref: ResourceRef, query?: Query): Promise<T>
  /**
   * The objects of `ref.resource` in `ref.namespace` (all namespaces without one), filtered by
   * `labelSelector` / `fieldSelector` in `query`; metadata.resourceVersion is the version to
   * watch from, metadata.continue the next page when `limit` cut it. 400 BadRequest for a
   * selector that does not parse; 410 Expired for a `continue` token too old.
   */
  list<T extends KObject = KObject>(ref: ResourceRef, query?: Query): Promise<KList<T>>
}

/** Writing objects. Each successful write gives the object a new resourceVersion. */
export interface Writer {
  /**
   * Stores `body` under `ref` (namespace set, no name; the name comes from metadata.name or
   * metadata.generateName) and answers the stored object (uid, resourceVersion,
   * creationTimestamp set). 409 AlreadyExists when the name is taken; 422 Invalid for a broken
   * object; 404 NotFound when the namespace does not exist; 403 Forbidden from admission
   * (quota, a terminating namespace).
   */
  create<T extends KObject = KObject>(ref: ResourceRef, body: KObject, query?: Query): Promise<T>
  /** As `create`, for writers that do not need the stored object; same errors. */
  createQuietly(ref: ResourceRef, body: KObject): Promise<void>
  /**
   * Replaces the object at `ref` (with `subresource: 'status'`: only its status, upstream's
   * UpdateStatus) and answers the stored object. 404 NotFound when it is gone; 409 Conflict
   * (`the object has been modified; ...`) when body.metadata.resourceVersion is not the stored
   * one: read again and retry; 422 Invalid for a broken object.
   */
  update<T extends KObject = KObject>(ref: ResourceRef, body: KObject, query?: Query): Promise<T>
  /**
   * Patches the object at `ref` (or its status), JSON merge patch unless `contentType` says
   * `application/strategic-merge-patch+json` or `application/json-patch+json`, and answers the
   * stored object. 404 NotFound when it is gone; 409 Conflict when the patch pins a
   * metadata.resourceVersion that is not the stored one; 422 Invalid when the result is
   * broken; 415 UnsupportedMediaType for another content type.
   */
  patch<T extends KObject = KObject>(ref: ResourceRef, body: unknown, contentType?: string): Promise<T>
  /** As `patch`, without reading the answer; same errors. */
  patchQuietly(ref: ResourceRef, body: unknown, contentType?: string): Promise<void>
  /**
   * Deletes the object at `ref` (DeleteOptions such as `gracePeriodSeconds`,
   * `propagationPolicy`, `preconditions` in `options`). Answers the object when it stays a
   * while (finalizers, graceful pod deletion, with metadata.deletionTimestamp set), else a
   * Success Status. 404 NotFound when it is already gone; 409 Conflict when a precondition
   * (uid, resourceVersion) does not hold.
   */
  delete<T = KObject | Status>(ref: ResourceRef, options?: Record<string, unknown>): Promise<T>
}

/** Reads and writes: what a reconciler uses besides its informers. */
export interface ReadWriter extends Reader, Writer {}

/** Watching, for informers (orchestrator/client/informer.ts). */
export interface Watcher {
  /**
   * Streams the changes of `ref.resource` after `query.resourceVersion` (ADDED, MODIFIED,
   * DELETED, BOOKMARK) to `onEvent`, in order. `onClose` is called exactly once: with no error
   * when stopped or when the stream ended (its timeoutSeconds), with an error when it broke;
   * a version too old to resume from is an ERROR event with a 410 Expired Status, or an
   * ApiError 410 Expired.
   */
  watch(ref: ResourceRef, query: Query, onEvent: (e: WatchEvent) => void, onClose: (err?: Error) => void): WatchHandle
}

/**
 * Everything a component's client does: reads, writes, watches, and the raw request for the
 * few paths the resource table does not describe as plain objects (namespaces/finalize,
 * pods/binding, metrics.k8s.io, Leases in leader election).
 */
export interface Client extends ReadWriter, Watcher {
  /**
   * One request to `path` (`/api/v1/...` or `/apis/<group>/<version>/...`); resolves with the
   * decoded JSON body of a 2xx answer; the errors of the verb it stands for.
   */
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<T>
}

/**
 * Contract: every call settles (2xx -> the decoded body; otherwise an ApiError carrying the
 * server's Status; a broken connection -> an Error); a dropped connection is re-established on
 * the next call. Requests and watches share one HTTP/2 connection, as client-go's do.
 */
export class ApiClient implements Client {
  private session?: http2.ClientHttp2Session
  private closed = false
  private readonly authority: string
  private readonly openStreams = new Set<http2.ClientHttp2Stream>()
  /** Request deadlines, checked by one coarse timer (a timer per request costs at high rates). */
  private readonly deadlines = new Map<http2.ClientHttp2Stream, { at: number; expire: () => void }>()
  private sweeper?: NodeJS.Timeout

  constructor(readonly config: ClientConfig) {
    const url = new URL(config.server)
    this.authority = `https://${url.host}`
  }

  /** The HTTP/2 session, (re)connected on demand. */
  private connection(): http2.ClientHttp2Session {
    const s = this.session
    if (s && !s.closed && !s.destroyed) return s
    const session = http2.connect(this.authority, {
      ca: this.config.caPem,
      cert: this.config.certPem,
      key: this.config.keyPem,
      // watches are long streams: do not let flow control stall the server on a busy client
      settings: { initialWindowSize: 4 * 1024 * 1024 },
    })
    session.on('error', () => {
      /* streams of the session fail on their own; the next call reconnects */
    })
    session.on('goaway', () => {
      if (this.session === session) this.session = undefined
    })
    session.on('close', () => {
      if (this.session === session) this.session = undefined
    })
    session.on('connect', () => session.setLocalWindowSize(16 * 1024 * 1024))
    this.session = session
    return session
  }

  /** Opens a stream, reconnecting once if the current session cannot take more. */
  private open(headers: http2.OutgoingHttpHeaders, endStream: boolean): http2.ClientHttp2Stream {
    if (this.closed) throw new Error('client is closed')
    try {
      return this.connection().request(headers, { endStream })
    } catch {
      this.session?.destroy()
      this.session = undefined
      return this.connection().request(headers, { endStream })
    }
  }

  /** Sends one request; resolves with the decoded JSON body; rejects with ApiError for non-2xx. */
  request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
      let stream: http2.ClientHttp2Stream
      try {
        stream = this.open({ ':method': method, ':path': path + queryString(opts.query), ...this.headers(body, opts) }, body === undefined)
      } catch (e) {
        return reject(e instanceof Error ? e : new Error(String(e)))
      }
      let settled = false
      let code = 0
      const chunks: Buffer[] = []
      const finish = (err?: Error): void => {
        if (settled) return
        settled = true
        this.openStreams.delete(stream)
        this.deadlines.delete(stream)
        opts.signal?.removeEventListener('abort', onAbort)
        if (err) return reject(err)
        if (code >= 200 && code < 300 && opts.discardBody) return resolve(undefined as T)
        const text = Buffer.concat(chunks).toString('utf8')
        if (code >= 200 && code < 300) {
          try {
            resolve((text ? JSON.parse(text) : undefined) as T)
          } catch {
            resolve(text as T)
          }
        } else reject(toApiError(code, text))
      }
      const onAbort = (): void => {
        stream.close(http2.constants.NGHTTP2_CANCEL)
        finish(new Error(`request aborted: ${method} ${path}`))
      }
      this.openStreams.add(stream)
      if (opts.signal) {
        if (opts.signal.aborted) return onAbort()
        opts.signal.addEventListener('abort', onAbort, { once: true })
      }
      const timeoutMs = this.config.timeoutMs ?? 30_000
      this.deadlines.set(stream, {
        at: performance.now() + timeoutMs,
        expire: () => {
          stream.close(http2.constants.NGHTTP2_CANCEL)
          finish(new Error(`request timed out after ${timeoutMs} ms: ${method} ${path}`))
        },
      })
      this.ensureSweeper()
      stream.on('response', (h) => (code = Number(h[':status'] ?? 0)))
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => finish())
      stream.on('error', (e) => finish(e))
      stream.on('close', () => finish(code ? undefined : new Error(`connection closed before an answer: ${method} ${path}`)))
      if (body !== undefined) stream.end(body)
    })
  }

  get<T extends KObject = KObject>(ref: ResourceRef, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', resourcePath(ref), { query })
  }

  list<T extends KObject = KObject>(ref: ResourceRef, query?: RequestOptions['query']): Promise<KList<T>> {
    return this.request<KList<T>>('GET', resourcePath(ref), { query })
  }

  create<T extends KObject = KObject>(ref: ResourceRef, body: KObject, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('POST', resourcePath(ref), { body, query })
  }

  /** Creates without reading the answer (for writers that do not need the stored object). */
  async createQuietly(ref: ResourceRef, body: KObject): Promise<void> {
    await this.request('POST', resourcePath(ref), { body, discardBody: true })
  }

  update<T extends KObject = KObject>(ref: ResourceRef, body: KObject, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('PUT', resourcePath(ref), { body, query })
  }

  /** JSON merge patch by default; pass contentType for json-patch or strategic merge. */
  patch<T extends KObject = KObject>(ref: ResourceRef, body: unknown, contentType = 'application/merge-patch+json'): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref), { body, contentType })
  }

  /** Patches without reading the answer. */
  async patchQuietly(ref: ResourceRef, body: unknown, contentType = 'application/merge-patch+json'): Promise<void> {
    await this.request('PATCH', resourcePath(ref), { body, contentType, discardBody: true })
  }

  delete<T = KObject | Status>(ref: ResourceRef, options?: Record<string, unknown>): Promise<T> {
    return this.request<T>('DELETE', resourcePath(ref), { body: options ? { kind: 'DeleteOptions', apiVersion: 'v1', ...options } : undefined })
  }

  /**
   * Opens a watch (`?watch=1`) and calls `onEvent` for each event in order. `onClose` is called
   * exactly once: with no error when stopped or when the server ended the stream, with an
   * error when the connection failed or the server answered non-2xx.
   */
  watch(ref: ResourceRef, query: RequestOptions['query'], onEvent: (e: WatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    let closed = false
    let stopped = false
    let resolveDone!: () => void
    const done = new Promise<void>((r) => (resolveDone = r))
    let stream: http2.ClientHttp2Stream | undefined
    const close = (err?: Error): void => {
      if (closed) return
      closed = true
      if (stream) this.openStreams.delete(stream)
      resolveDone()
      onClose(stopped ? undefined : err)
    }
    try {
      stream = this.open({ ':method': 'GET', ':path': resourcePath(ref) + queryString({ ...query, watch: 1 }), ...this.headers(undefined, {}) }, true)
    } catch (e) {
      queueMicrotask(() => close(e instanceof Error ? e : new Error(String(e))))
      return { stop: () => close(), done }
    }
    const s = stream
    this.openStreams.add(s)
    let code = 0
    let buf = ''
    const errorChunks: string[] = []
    s.setEncoding('utf8')
    s.on('response', (h) => (code = Number(h[':status'] ?? 0)))
    s.on('data', (chunk: string) => {
      if (closed) return
      if (code < 200 || code >= 300) {
        errorChunks.push(chunk)
        return
      }
      buf += chunk
      let nl: number
      let from = 0
      while ((nl = buf.indexOf('\n', from)) >= 0) {
        const line = buf.slice(from, nl).trim()
        from = nl + 1
        if (!line || closed) continue
        try {
          onEvent(JSON.parse(line) as WatchEvent)
        } catch (e) {
          s.close(http2.constants.NGHTTP2_CANCEL)
          close(e instanceof Error ? e : new Error(String(e)))
          return
        }
      }
      buf = buf.slice(from)
    })
    s.on('end', () => close(code && (code < 200 || code >= 300) ? toApiError(code, errorChunks.join('')) : undefined))
    s.on('error', (e) => close(e))
    s.on('close', () => close(code ? undefined : new Error('watch connection closed before an answer')))
    return {
      stop: () => {
        stopped = true
        s.close(http2.constants.NGHTTP2_CANCEL)
        close()
      },
      done,
    }
  }

  private ensureSweeper(): void {
    if (this.sweeper) return
    this.sweeper = setInterval(() => {
      const now = performance.now()
      for (const [, d] of this.deadlines) if (d.at <= now) d.expire()
      if (!this.deadlines.size) {
        clearInterval(this.sweeper)
        this.sweeper = undefined
      }
    }, 250)
    this.sweeper.unref()
  }

  close(): void {
    this.closed = true
    clearInterval(this.sweeper)
    this.sweeper = undefined
    for (const s of this.openStreams) s.close(http2.constants.NGHTTP2_CANCEL)
    this.openStreams.clear()
    this.session?.destroy()
    this.session = undefined
  }

  private headers(body: string | undefined, opts: RequestOptions): Record<string, string> {
    const h: Record<string, string> = { accept: opts.accept ?? 'application/json' }
    if (this.config.userAgent) h['user-agent'] = this.config.userAgent
    if (this.config.token) h.authorization = `Bearer ${this.config.token}`
    if (body !== undefined) {
      h['content-type'] = opts.contentType ?? 'application/json'
      h['content-length'] = String(Buffer.byteLength(body))
    }
    return h
  }
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v))
  const s = params.toString()
  return s ? `?${s}` : ''
}

/** Rebuilds the server's Status as an ApiError; falls back to the raw text for non-Status bodies. */
export function toApiError(code: number, text: string): ApiError {
  try {
    const s = JSON.parse(text) as Partial<Status>
    if (s && s.kind === 'Status') {
      return new ApiError(s.code ?? code, (s.reason ?? 'InternalError') as ApiError['reason'], s.message ?? text, s.details)
    }
  } catch {
    // not JSON
  }
  return new ApiError(code, code === 401 ? 'Unauthorized' : 'InternalError', text || `HTTP ${code}`)
}

/** `apiVersion` and `kind` for an object of a table entry. */
export function typeMeta(info: ResourceInfo): { apiVersion: string; kind: string } {
  return { apiVersion: apiVersionOf(info), kind: info.kind }
}
