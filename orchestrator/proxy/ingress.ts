// The ingress controller: one loopback address and port in front of every Service named by an
// Ingress (networking.k8s.io/v1). HTTP requests are routed by Host header and path (Exact and
// Prefix path types, longest match first, exact hosts before wildcards, then the default
// backend) straight to the Service's ready endpoints, round-robin, as ingress-nginx does; each
// Ingress's status.loadBalancer names the address. Routes and endpoints come from informers, so
// with every API server down the ingress keeps serving from the last state it saw (CP-07).
// Simplifies: HTTP/1.1 only, no TLS, no IngressClass selection (it serves every Ingress),
// no upgrades (websockets), no annotations.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KObject } from '../api/meta.js'
import type { ApiClient, ResourceRef } from '../client/client.js'
import { Informer } from '../client/informer.js'
import { ServiceTable, type Backend } from './servicetable.js'

export const INGRESSES: ResourceRef = { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' }

interface ServiceBackendRef {
  service?: { name: string; port?: { number?: number; name?: string } }
}

interface IngressPath {
  path?: string
  pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific'
  backend: ServiceBackendRef
}

interface IngressSpec {
  defaultBackend?: ServiceBackendRef
  rules?: { host?: string; http?: { paths?: IngressPath[] } }[]
}

export interface Route {
  namespace: string
  ingress: string
  service: string
  port: number | string | undefined
}

/** Whether a rule's host (exact, `*.example.com`, or none) matches the request's host. */
export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (!ruleHost) return true
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1) // `.example.com`
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length
  }
  return ruleHost === host
}

/** Ingress path matching: Exact is string equality; Prefix matches whole path elements (`/foo` matches `/foo/bar`, not `/foobar`). */
export function pathMatches(p: IngressPath, path: string): boolean {
  const want = p.path ?? '/'
  if (p.pathType === 'Exact') return path === want
  if (want === '/') return true
  const trimmed = want.replace(/\/+$/, '')
  return path === trimmed || path.startsWith(`${trimmed}/`)
}

/** The route for a request among the Ingresses (sorted for a stable choice), or undefined (404). */
export function route(ingresses: KObject[], host: string, path: string): Route | undefined {
  type Candidate = { route: Route; hostRank: number; length: number; exact: boolean }
  const candidates: Candidate[] = []
  for (const ing of ingresses) {
    const spec = (ing.spec ?? {}) as IngressSpec
    const ns = ing.metadata?.namespace ?? ''
    for (const rule of spec.rules ?? []) {
      if (!hostMatches(rule.host, host)) continue
      const hostRank = !rule.host ? 0 : rule.host.startsWith('*.') ? 1 : 2
      for (const p of rule.http?.paths ?? []) {
        if (!pathMatches(p, path) || !p.backend.service) continue
        const svc = p.backend.service
        candidates.push({
          route: { namespace: ns, ingress: ing.metadata?.name ?? '', service: svc.name, port: svc.port?.number ?? svc.port?.name },
          hostRank,
          length: (p.path ?? '/').length,
          exact: p.pathType === 'Exact',
        })
      }
    }
  }
  candidates.sort((a, b) => b.hostRank - a.hostRank || b.length - a.length || Number(b.exact) - Number(a.exact))
  if (candidates[0]) return candidates[0].route
  for (const ing of ingresses) {
    const d = ((ing.spec ?? {}) as IngressSpec).defaultBackend?.service
    if (d) return { namespace: ing.metadata?.namespace ?? '', ingress: ing.metadata?.name ?? '', service: d.name, port: d.port?.number ?? d.port?.name }
  }
  return undefined
}

export interface IngressOptions {
  /** The loopback address to listen on (the cluster's leased ingress address). */
  address: string
  /** Default 80; 0 picks a free port. */
  port?: number
  /** When the port cannot be bound (80 needs privileges), listen on a free port instead. */
  fallbackToFreePort?: boolean
}

/** A Runnable (started and stopped by the cluster). */
export class IngressController {
  readonly name = 'ingress-controller'
  private readonly table: ServiceTable
  private readonly ingresses: Informer
  private readonly server: http.Server
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  private readonly next = new Map<string, number>()
  private address?: AddressInfo
  private syncing?: Promise<void>
  private stopped = false

  constructor(
    private readonly client: ApiClient,
    private readonly opts: IngressOptions,
  ) {
    this.table = new ServiceTable(client)
    this.ingresses = new Informer(client, INGRESSES, { backoffMs: { initial: 200, max: 2_000 } })
    this.ingresses.on({ add: (o) => void this.publish(o), update: (_old, o) => void this.publish(o) })
    this.server = http.createServer((req, res) => this.serve(req, res))
    this.server.keepAliveTimeout = 5_000
  }

  /** `http://<address>:<port>` once started. */
  get url(): string {
    if (!this.address) throw new Error('the ingress is not started')
    return `http://${this.address.address}:${this.address.port}`
  }

  get port(): number {
    if (!this.address) throw new Error('the ingress is not started')
    return this.address.port
  }

  /** Listens at once (so the address is known); routes fill in as the first lists arrive (see `synced`). */
  async start(): Promise<void> {
    const want = this.opts.port ?? 80
    try {
      await this.listen(want)
    } catch (e) {
      if (!this.opts.fallbackToFreePort || want === 0) throw e
      await this.listen(0)
    }
    this.syncing = Promise.all([this.table.start(), this.ingresses.start()]).then(() => {
      for (const o of this.ingresses.list()) void this.publish(o)
    })
  }

  /** Resolves once the first lists of Ingresses, Services and Endpoints are in. */
  synced(): Promise<void> {
    return this.syncing ?? Promise.reject(new Error('the ingress is not started'))
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e)
      this.server.once('error', onError)
      this.server.listen(port, this.opts.address, () => {
        this.server.off('error', onError)
        this.address = this.server.address() as AddressInfo
        resolve()
      })
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.table.stop()
    this.ingresses.stop()
    await new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve()
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
    this.agent.destroy()
    this.client.close()
  }

  /** Writes the ingress address into the Ingress's status (as ingress-nginx publishes its Service's address). */
  private async publish(o: KObject): Promise<void> {
    if (this.stopped || !this.address) return
    const entry: Record<string, unknown> = { ip: this.address.address }
    if (this.address.port !== 80) entry.ports = [{ port: this.address.port, protocol: 'TCP' }]
    const want = { ingress: [entry] }
    const have = (o.status as { loadBalancer?: unknown } | undefined)?.loadBalancer
    if (JSON.stringify(have) === JSON.stringify(want)) return
    try {
      await this.client.patch(
        { ...INGRESSES, namespace: o.metadata?.namespace, name: o.metadata?.name, subresource: 'status' },
        { status: { loadBalancer: want } },
      )
    } catch {
      // the API server may be down or the Ingress gone; the next event publishes again
    }
  }

  private pick(r: Route): Backend | undefined {
    const backends = this.table.backends(r.namespace, r.service, r.port)
    if (!backends.length) return undefined
    const k = `${r.namespace}/${r.service}/${String(r.port)}`
    const n = this.next.get(k) ?? 0
    this.next.set(k, n + 1)
    return backends[n % backends.length]
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
    const url = new URL(req.url ?? '/', 'http://ingress')
    const r = route(this.ingresses.list(), host, url.pathname)
    if (!r) return plain(res, 404, 'default backend - 404')
    const b = this.pick(r)
    if (!b) return plain(res, 503, `503 Service Temporarily Unavailable: no ready endpoints for service ${r.namespace}/${r.service}`)
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ')
    const upstream = http.request(
      {
        host: b.ip,
        port: b.port,
        method: req.method,
        path: req.url,
        agent: this.agent,
        headers: {
          ...req.headers,
          'x-forwarded-for': forwardedFor,
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-proto': 'http',
          'x-real-ip': req.socket.remoteAddress ?? '',
        },
        timeout: 60_000,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')))
    upstream.on('error', (e) => {
      if (!res.headersSent) plain(res, 502, `502 Bad Gateway: ${r.namespace}/${r.service} at ${b.ip}:${b.port}: ${e.message}`)
      else res.destroy()
    })
    req.pipe(upstream)
  }
}

function plain(res: http.ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text + '\n') })
  res.end(text + '\n')
}
