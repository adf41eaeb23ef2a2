// The kubelet's own HTTPS endpoint (upstream's port 10250): the API server reaches a node
// through it for pods/log and pods/exec, and metrics collectors scrape node and pod usage. It
// serves a certificate of the cluster CA for the node's IP and accepts only callers with a
// client certificate of that CA whose identity the authorizer allows (upstream: the API
// server's kubelet client, kube-apiserver-kubelet-client in system:masters, checked with
// webhook authorization). Features mount their routes on it (`route('/containerLogs/', ...)`),
// and upgrade routes for streams (`upgradeRoute('/exec/', ...)`: WebSocket, SPDY).
// Mirrors pkg/kubelet/server. Simplifies: HTTP/1.1 only; no port 10255; authorization is a
// fixed allow-list instead of a SubjectAccessReview.

import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'

export interface KubeletCaller {
  user: string
  groups: string[]
}

/**
 * Contract: answer the request (status, headers, body) or throw; a thrown error becomes a 500
 * with its message. Handlers run only for authenticated, authorized callers.
 */
export type KubeletRoute = (req: IncomingMessage, res: ServerResponse, url: URL, caller: KubeletCaller) => Promise<void> | void

/**
 * Contract for an upgrade request (exec, attach, port-forward): the handler owns `socket`; it
 * either completes the upgrade (101) or answers with an HTTP error on it (refuse()) and ends it.
 */
export type KubeletUpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, caller: KubeletCaller) => Promise<void> | void

const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' }

/** Answers an upgrade request with a plain-text HTTP error on its raw socket and closes it. */
export function refuse(socket: Duplex, code: number, message: string): void {
  const body = Buffer.from(message, 'utf8')
  socket.end(
    `HTTP/1.1 ${code} ${REASONS[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`,
  )
}

export interface KubeletServerOptions {
  /** The node's IP (a loopback address); the server listens there. */
  host: string
  /** 0 picks a free port (the Node reports it in status.daemonEndpoints). */
  port?: number
  caPem: string
  serving: { certPem: string; keyPem: string }
  /** Who may call (default: members of system:masters, such as the API server's kubelet client). */
  authorize?: (caller: KubeletCaller, path: string) => boolean
}

const defaultAuthorize = (caller: KubeletCaller): boolean => caller.groups.includes('system:masters')

export class KubeletServer {
  private readonly server: https.Server
  private readonly routes: [string, KubeletRoute][] = []
  private readonly upgrades: [string, KubeletUpgradeRoute][] = []
  /** Upgraded connections (streams): the HTTP server no longer tracks them, stop() ends them. */
  private readonly streams = new Set<Duplex>()
  private address?: AddressInfo

  constructor(private readonly opts: KubeletServerOptions) {
    this.server = https.createServer(
      { key: opts.serving.keyPem, cert: opts.serving.certPem, ca: opts.caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      (req, res) => void this.handle(req, res),
    )
    this.server.on('tlsClientError', () => {
      /* a caller without a certificate of the cluster CA: the handshake fails */
    })
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head))
  }

  /** Mounts a handler for upgrade requests (WebSocket, SPDY) whose path starts with `prefix`. */
  upgradeRoute(prefix: string, handler: KubeletUpgradeRoute): void {
    this.upgrades.push([prefix, handler])
    this.upgrades.sort((a, b) => b[0].length - a[0].length)
  }

  /** Mounts a handler for every path that starts with `prefix` (longest prefix wins). */
  route(prefix: string, handler: KubeletRoute): void {
    this.routes.push([prefix, handler])
    this.routes.sort((a, b) => b[0].length - a[0].length)
  }

  get port(): number {
    if (!this.address) throw new Error('the kubelet server is not started')
    return this.address.port
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, this.opts.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.address = this.server.address() as AddressInfo
    return this.address.port
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    for (const s of this.streams) s.destroy()
    await closed
  }

  private caller(req: IncomingMessage): KubeletCaller {
    const cert = (req.socket as TLSSocket).getPeerCertificate()
    const cn = cert?.subject?.CN
    const o = cert?.subject?.O
    return { user: (Array.isArray(cn) ? cn[0] : cn) ?? '', groups: o === undefined ? [] : Array.isArray(o) ? o : [o] }
  }

  private forbidden(req: IncomingMessage, caller: KubeletCaller, url: URL): string | undefined {
    if ((this.opts.authorize ?? defaultAuthorize)(caller, url.pathname)) return undefined
    return `Forbidden (user=${caller.user}, verb=${(req.method ?? 'GET').toLowerCase()}, path=${url.pathname})`
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    this.streams.add(socket)
    socket.once('close', () => this.streams.delete(socket))
    const url = new URL(req.url ?? '/', `https://${this.opts.host}`)
    const caller = this.caller(req)
    const denied = this.forbidden(req, caller, url)
    if (denied) return refuse(socket, 403, denied)
    const route = this.upgrades.find(([prefix]) => url.pathname.startsWith(prefix))
    if (!route) return refuse(socket, 404, '404 page not found')
    try {
      await route[1](req, socket, head, url, caller)
    } catch (e) {
      if (socket.writable) refuse(socket, 500, e instanceof Error ? e.message : String(e))
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `https://${this.opts.host}`)
    const caller = this.caller(req)
    const denied = this.forbidden(req, caller, url)
    if (denied) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(denied)
      return
    }
    const route = this.routes.find(([prefix]) => url.pathname.startsWith(prefix))
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found')
      return
    }
    try {
      await route[1](req, res, url, caller)
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end(e instanceof Error ? e.message : String(e))
    }
  }
}
