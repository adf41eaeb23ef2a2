// The service proxy, as kube-proxy in its userspace mode: it watches Services and Endpoints
// through the API server (as system:kube-proxy), listens on each Service's ClusterIP and port
// (a loopback address leased to the cluster), and forwards every TCP connection to a ready
// endpoint, round-robin, trying the next one when an endpoint refuses. Endpoints that are not
// ready (notReadyAddresses) get no traffic. Listeners and backends follow the API as it changes;
// while the API server is unreachable the proxy keeps forwarding with the last state it saw.
// Simplifies: TCP only; a Service without ready endpoints accepts and resets connections
// (iptables mode would refuse them); no session affinity.

import net from 'node:net'
import type { ApiClient } from '../client/client.js'
import { ServiceTable, type Backend, type ServicePortView } from './servicetable.js'

export interface ServiceProxyOptions {
  /** How long to wait for an endpoint to accept before trying the next one. */
  connectTimeoutMs?: number
  /** How often listeners that could not bind are retried. */
  retryBindMs?: number
}

interface Listener {
  key: string
  view: ServicePortView
  server?: net.Server
  /** Why binding failed, while it does. */
  error?: string
  next: number
}

/** A Runnable (started and stopped by the cluster). */
export class ServiceProxy {
  readonly name = 'kube-proxy'
  private readonly table: ServiceTable
  private readonly listeners = new Map<string, Listener>()
  private readonly sockets = new Set<net.Socket>()
  private retryTimer?: NodeJS.Timeout
  private syncing?: Promise<void>
  private stopped = false

  constructor(
    private readonly client: ApiClient,
    private readonly opts: ServiceProxyOptions = {},
  ) {
    this.table = new ServiceTable(client)
    this.table.onChange(() => this.sync())
  }

  /** Starts watching; listeners open as the first list arrives (see `synced`), not before start returns. */
  async start(): Promise<void> {
    this.syncing = this.table.start().then(() => this.sync())
    this.retryTimer = setInterval(() => this.sync(), this.opts.retryBindMs ?? 2_000)
    this.retryTimer.unref()
  }

  /** Resolves once the first list of Services and Endpoints is in and the listeners are open. */
  synced(): Promise<void> {
    return this.syncing ?? Promise.reject(new Error('the proxy is not started'))
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.retryTimer)
    this.table.stop()
    await Promise.all([...this.listeners.values()].map((l) => closeServer(l.server)))
    this.listeners.clear()
    for (const s of this.sockets) s.destroy()
    this.client.close()
  }

  /** Where the proxy listens now (`ip:port`), and listeners that failed to bind with the reason. */
  status(): { serving: string[]; failing: Record<string, string> } {
    const serving: string[] = []
    const failing: Record<string, string> = {}
    for (const l of this.listeners.values()) {
      if (l.server?.listening) serving.push(l.key)
      else if (l.error) failing[l.key] = l.error
    }
    return { serving: serving.sort(), failing }
  }

  /** A Service's ClusterIP by DNS-style name (`web.default.svc`), from the proxy's own view. */
  lookup(name: string, defaultNamespace?: string): string | undefined {
    return this.table.lookup(name, defaultNamespace)
  }

  /** Level-based: makes the listeners match the Services, whatever changed. */
  private sync(): void {
    if (this.stopped) return
    const desired = new Map<string, ServicePortView>()
    for (const v of this.table.ports()) desired.set(`${v.clusterIP}:${v.port}`, v)
    for (const [key, l] of this.listeners) {
      if (desired.has(key)) continue
      this.listeners.delete(key)
      void closeServer(l.server) // open connections stay, as conntrack keeps them
    }
    for (const [key, view] of desired) {
      let l = this.listeners.get(key)
      if (!l) {
        l = { key, view, next: 0 }
        this.listeners.set(key, l)
      }
      l.view = view
      if (!l.server) this.listen(l)
    }
  }

  private listen(l: Listener): void {
    const server = net.createServer({ pauseOnConnect: true }, (sock) => this.accept(l, sock))
    l.server = server
    server.once('error', (e: NodeJS.ErrnoException) => {
      l.error = `cannot listen on ${l.key}: ${e.code ?? e.message}`
      if (l.server === server) l.server = undefined // retried by the next sync
    })
    server.listen(l.view.port, l.view.clusterIP, () => {
      l.error = undefined
      if (this.stopped || this.listeners.get(l.key) !== l) void closeServer(server)
    })
  }

  private accept(l: Listener, client: net.Socket): void {
    this.track(client)
    client.on('error', () => client.destroy()) // a client gone before its endpoint answered
    const backends = l.view.backends
    if (!backends.length) {
      client.resetAndDestroy()
      return
    }
    const first = l.next++ % backends.length
    const attempt = (tried: number): void => {
      if (tried >= backends.length || client.destroyed) {
        client.resetAndDestroy()
        return
      }
      const b: Backend = backends[(first + tried) % backends.length]!
      const upstream = net.connect({ host: b.ip, port: b.port })
      upstream.setTimeout(this.opts.connectTimeoutMs ?? 2_000)
      const fail = (): void => {
        upstream.destroy()
        attempt(tried + 1)
      }
      upstream.once('timeout', fail)
      upstream.once('error', fail)
      upstream.once('connect', () => {
        upstream.off('timeout', fail)
        upstream.off('error', fail)
        upstream.setTimeout(0)
        this.track(upstream)
        splice(client, upstream)
      })
    }
    attempt(0)
  }

  private track(s: net.Socket): void {
    this.sockets.add(s)
    s.once('close', () => this.sockets.delete(s))
  }
}

/** Pipes two sockets into each other; either side failing closes both. */
function splice(a: net.Socket, b: net.Socket): void {
  const close = (): void => {
    a.destroy()
    b.destroy()
  }
  a.on('error', close)
  b.on('error', close)
  a.pipe(b)
  b.pipe(a)
  a.resume()
}

function closeServer(server: net.Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve()
  return new Promise((resolve) => server.close(() => resolve()))
}
