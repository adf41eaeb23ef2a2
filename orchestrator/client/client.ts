// The API client every orchestrator component uses: HTTPS to the API server with the
// component's own client certificate (or bearer token), JSON bodies, Kubernetes `Status`
// errors turned back into ApiError, and streaming watches. It plays client-go's rest.Interface
// role; informers and work queues build on it.
// Simplifies: JSON only (no protobuf), no client-side rate limiting unless asked.

import https from 'node:https'
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
  /** Concurrent connections for non-watch calls. */
  maxSockets?: number
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  accept?: string
  signal?: AbortSignal
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

export class ApiClient {
  private readonly agent: https.Agent
  private readonly watchAgent: https.Agent
  private readonly url: URL
  private closed = false

  constructor(readonly config: ClientConfig) {
    this.url = new URL(config.server)
    const tls = { ca: config.caPem, cert: config.certPem, key: config.keyPem }
    this.agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: config.maxSockets ?? 32 })
    this.watchAgent = new https.Agent({ ...tls, keepAlive: false })
  }

  /** Sends one request; resolves with the decoded JSON body; rejects with ApiError for non-2xx. */
  request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) return reject(new Error('client is closed'))
      const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
      const req = https.request(
        {
          protocol: 'https:',
          hostname: this.url.hostname,
          port: this.url.port,
          method,
          path: path + queryString(opts.query),
          agent: this.agent,
          headers: this.headers(body, opts),
          signal: opts.signal,
          timeout: this.config.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            const code = res.statusCode ?? 0
            if (code >= 200 && code < 300) {
              try {
                resolve((text ? JSON.parse(text) : undefined) as T)
              } catch {
                resolve(text as T)
              }
            } else {
              reject(toApiError(code, text))
            }
          })
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`request timed out after ${this.config.timeoutMs ?? 30_000} ms: ${method} ${path}`)))
      req.on('error', reject)
      req.end(body)
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

  update<T extends KObject = KObject>(ref: ResourceRef, body: KObject, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('PUT', resourcePath(ref), { body, query })
  }

  /** JSON merge patch by default; pass contentType for json-patch or strategic merge. */
  patch<T extends KObject = KObject>(ref: ResourceRef, body: unknown, contentType = 'application/merge-patch+json'): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref), { body, contentType })
  }

  delete<T = KObject | Status>(ref: ResourceRef, options?: Record<string, unknown>): Promise<T> {
    return this.request<T>('DELETE', resourcePath(ref), { body: options ? { kind: 'DeleteOptions', apiVersion: 'v1', ...options } : undefined })
  }

  /**
   * Opens a watch (`?watch=1`) and calls `onEvent` for each event in order. `onClose` is called
   * exactly once: with no error when stopped or when the server ended the stream, with an
   * error when the connection failed or the server answered non-2xx.
   */
  watch(
    ref: ResourceRef,
    query: RequestOptions['query'],
    onEvent: (e: WatchEvent) => void,
    onClose: (err?: Error) => void,
  ): WatchHandle {
    const controller = new AbortController()
    let closed = false
    let resolveDone!: () => void
    const done = new Promise<void>((r) => (resolveDone = r))
    const close = (err?: Error): void => {
      if (closed) return
      closed = true
      resolveDone()
      onClose(err)
    }
    const req = https.request(
      {
        protocol: 'https:',
        hostname: this.url.hostname,
        port: this.url.port,
        method: 'GET',
        path: resourcePath(ref) + queryString({ ...query, watch: 1 }),
        agent: this.watchAgent,
        headers: this.headers(undefined, {}),
        signal: controller.signal,
      },
      (res) => {
        const code = res.statusCode ?? 0
        if (code < 200 || code >= 300) {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => close(toApiError(code, Buffer.concat(chunks).toString('utf8'))))
          return
        }
        let buf = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buf += chunk
          let nl: number
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim()
            buf = buf.slice(nl + 1)
            if (!line || closed) continue
            try {
              onEvent(JSON.parse(line) as WatchEvent)
            } catch (e) {
              close(e instanceof Error ? e : new Error(String(e)))
              controller.abort()
              return
            }
          }
        })
        res.on('end', () => close())
        res.on('error', (e) => close(controller.signal.aborted ? undefined : e))
      },
    )
    req.on('error', (e) => close(controller.signal.aborted ? undefined : e))
    req.end()
    return {
      stop: () => {
        controller.abort()
        close()
      },
      done,
    }
  }

  close(): void {
    this.closed = true
    this.agent.destroy()
    this.watchAgent.destroy()
  }

  private headers(body: string | undefined, opts: RequestOptions): Record<string, string> {
    const h: Record<string, string> = { Accept: opts.accept ?? 'application/json' }
    if (this.config.userAgent) h['User-Agent'] = this.config.userAgent
    if (this.config.token) h.Authorization = `Bearer ${this.config.token}`
    if (body !== undefined) {
      h['Content-Type'] = opts.contentType ?? 'application/json'
      h['Content-Length'] = String(Buffer.byteLength(body))
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
