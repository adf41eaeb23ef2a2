// The control-plane load balancer: one loopback TCP address in front of every API server, as
// the HAProxy / keepalived pair of kubeadm's HA guide. TLS passes through untouched (the API
// servers' certificate names this address). Backends are health-checked with GET /readyz
// (which fails when an API server's etcd does), and a connection to a dead backend fails over
// to the next one. When a backend is marked down its open connections are closed (HAProxy's
// `on-marked-down shutdown-sessions`), so clients that keep connections open (HTTP/2, keep-alive)
// reconnect to a healthy API server instead of staying on one that cannot reach its etcd.
// Simplifies: round robin only; no PROXY protocol; checks are unauthenticated (readyz is public).

import https from 'node:https'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export interface Backend {
  name: string
  /** https://127.0.0.1:<port> */
  url: string
}

export interface LoadBalancerOptions {
  host?: string
  port?: number
  /** CA that signed the backends' serving certificates (for the health checks). */
  caPem: string
  /** Time between health checks of one backend. */
  checkIntervalMs?: number
  /** Consecutive failed checks before a backend leaves the rotation (HAProxy `fall`). */
  fall?: number
  /** Consecutive good checks before it comes back (HAProxy `rise`). */
  rise?: number
}

interface BackendState extends Backend {
  host: string
  port: number
  healthy: boolean
  good: number
  bad: number
  /** Client connections currently proxied to this backend. */
  clients: Set<net.Socket>
}

export class LoadBalancer {
  private readonly server: net.Server
  private readonly backends: BackendState[] = []
  private readonly sockets = new Set<net.Socket>()
  private next = 0
  private timer?: NodeJS.Timeout
  private address?: AddressInfo
  private stopped = false

  constructor(private readonly opts: LoadBalancerOptions) {
    this.server = net.createServer((client) => this.accept(client))
  }

  get url(): string {
    if (!this.address) throw new Error('load balancer is not started')
    return `https://${this.address.address}:${this.address.port}`
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1'
  }

  /** Adds or replaces a backend (an API server that was restarted may come back on a new port). */
  setBackend(b: Backend): void {
    const u = new URL(b.url)
    const state: BackendState = { ...b, host: u.hostname, port: Number(u.port), healthy: true, good: 0, bad: 0, clients: new Set() }
    const i = this.backends.findIndex((x) => x.name === b.name)
    if (i >= 0) this.backends[i] = state
    else this.backends.push(state)
  }

  /** Which backends take new connections now. */
  health(): { name: string; url: string; healthy: boolean }[] {
    return this.backends.map((b) => ({ name: b.name, url: b.url, healthy: b.healthy }))
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, this.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.address = this.server.address() as AddressInfo
    this.scheduleChecks()
    return this.url
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    const closed = new Promise<void>((r) => this.server.close(() => r()))
    for (const s of this.sockets) s.destroy()
    await closed
  }

  // -------------------------------------------------------------------------------------------

  /** Healthy backends first, in round-robin order, then the rest (better a try than a refusal). */
  private order(): BackendState[] {
    const n = this.backends.length
    const rotated = Array.from({ length: n }, (_, i) => this.backends[(this.next + i) % n]!)
    this.next = (this.next + 1) % Math.max(1, n)
    return [...rotated.filter((b) => b.healthy), ...rotated.filter((b) => !b.healthy)]
  }

  private accept(client: net.Socket): void {
    this.track(client)
    client.pause()
    const candidates = this.order()
    const tryNext = (i: number): void => {
      const b = candidates[i]
      if (!b || client.destroyed) {
        client.destroy()
        return
      }
      const upstream = net.connect({ host: b.host, port: b.port })
      const onError = (): void => {
        upstream.destroy()
        b.healthy = false
        b.good = 0
        tryNext(i + 1)
      }
      upstream.once('error', onError)
      upstream.once('connect', () => {
        upstream.off('error', onError)
        this.track(upstream)
        b.clients.add(client)
        client.on('close', () => b.clients.delete(client))
        upstream.on('error', () => client.destroy())
        client.on('error', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
        client.on('close', () => upstream.destroy())
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
    }
    tryNext(0)
  }

  private track(s: net.Socket): void {
    this.sockets.add(s)
    s.on('close', () => this.sockets.delete(s))
  }

  private scheduleChecks(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      void Promise.all(this.backends.map((b) => this.check(b))).finally(() => this.scheduleChecks())
    }, this.opts.checkIntervalMs ?? 500)
  }

  private async check(b: BackendState): Promise<void> {
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.request(
        { host: b.host, port: b.port, path: '/readyz', method: 'GET', ca: this.opts.caPem, agent: false, timeout: 2000, servername: undefined },
        (res) => {
          res.resume()
          resolve(res.statusCode === 200)
        },
      )
      req.on('timeout', () => req.destroy(new Error('health check timed out')))
      req.on('error', () => resolve(false))
      req.end()
    })
    if (ok) {
      b.bad = 0
      b.good++
      if (!b.healthy && b.good >= (this.opts.rise ?? 1)) b.healthy = true
    } else {
      b.good = 0
      b.bad++
      if (b.healthy && b.bad >= (this.opts.fall ?? 2)) {
        b.healthy = false
        for (const c of b.clients) c.destroy()
        b.clients.clear()
      }
    }
  }
}
