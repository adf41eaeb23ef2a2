// The kit's audit webhook receiver: an HTTPS server the harness runs so that any API server can
// show it its audit events, through the door a real cluster has (kube-apiserver's
// --audit-webhook-config-file), instead of the reference cluster's own trace or log file. It
// makes its own CA and serving certificate, writes the webhook config file that points at
// itself (a kubeconfig: the server URL, the CA as certificate-authority-data, and the credential
// the API server must present: a bearer token by default, or a client certificate of its CA),
// takes the audit.k8s.io/v1 EventLists the API server POSTs in batches, answers 200 as
// upstream's webhook client expects (any other answer makes the API server retry the batch),
// and offers the events through the same reading API as an audit log file
// (support/audit.ts's readAuditLog), so steps read either source alike.
// Events are kept in the order they were made: batches can arrive out of order (an API server
// sends several at once), so batches are ordered by the stageTimestamp of their first event,
// then by arrival.

import { randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { kubeconfigYaml } from '../orchestrator/cluster/kubeconfig.js'
import { createCertificateAuthority } from '../orchestrator/pki/pki.js'
import type { AuditEvent, AuditEventSource } from './audit.js'

export interface AuditWebhookReceiverOptions {
  /** Where the config file is written; default: a temp dir of the receiver's own, removed by stop(). */
  dir?: string
  /** Address to listen on (default 127.0.0.1). */
  host?: string
  /** Address the API server reaches it at, in the config file and the certificate (default: host). */
  advertise?: string
  port?: number
  /** Path the events are POSTed to (default /audit). */
  path?: string
  /** What the API server must present: a bearer token (default), a client certificate of the receiver's CA, or nothing. */
  clientAuth?: 'token' | 'certificate' | 'none'
}

/** One POST the receiver took: when, and how many events. */
export interface ReceivedBatch {
  receivedAt: number
  events: AuditEvent[]
}

/** A request the receiver refused, for failure messages. */
export interface RefusedRequest {
  code: number
  reason: string
}

const MAX_BODY_BYTES = 64 * 1024 * 1024

export class AuditWebhookReceiver implements AuditEventSource {
  private readonly received: ReceivedBatch[] = []
  private readonly refusedRequests: RefusedRequest[] = []
  private readonly sockets = new Set<TLSSocket>()
  private stopped = false

  private constructor(
    private readonly server: https.Server,
    /** The webhook config file (kube-apiserver's --audit-webhook-config-file). */
    readonly configFile: string,
    /** Where the API server POSTs its EventLists. */
    readonly url: string,
    private readonly ownDir: string | undefined,
    private readonly token: string | undefined,
    private readonly path: string,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.serve(req, res))
    server.on('secureConnection', (s: TLSSocket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    server.on('tlsClientError', () => {
      /* a sender without the client certificate: its handshake fails, as with any TLS server */
    })
  }

  /** Starts listening and writes the config file that names this receiver. */
  static async start(opts: AuditWebhookReceiverOptions = {}): Promise<AuditWebhookReceiver> {
    const host = opts.host ?? '127.0.0.1'
    const advertise = opts.advertise ?? host
    const clientAuth = opts.clientAuth ?? 'token'
    const path = opts.path ?? '/audit'
    const ca = await createCertificateAuthority('ock-audit-webhook-ca', 30)
    const isIp = /^[\d.]+$|:/.test(advertise)
    const serving = await ca.issue({
      commonName: 'ock-audit-webhook',
      ipAddresses: [...new Set(['127.0.0.1', ...(isIp ? [advertise] : [])])],
      dnsNames: [...new Set(['localhost', ...(isIp ? [] : [advertise])])],
      usage: 'server',
      validDays: 30,
    })
    const server = https.createServer({
      key: serving.keyPem,
      cert: serving.certPem,
      ca: ca.certPem,
      requestCert: clientAuth === 'certificate',
      rejectUnauthorized: clientAuth === 'certificate',
      minVersion: 'TLSv1.2',
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const port = (server.address() as AddressInfo).port
    const url = `https://${advertise.includes(':') ? `[${advertise}]` : advertise}:${port}${path}`
    const ownDir = opts.dir ? undefined : await mkdtemp(join(tmpdir(), 'ock-auditwebhook-'))
    const dir = opts.dir ?? ownDir!
    const token = clientAuth === 'token' ? randomBytes(24).toString('base64url') : undefined
    const client = clientAuth === 'certificate' ? await ca.issue({ commonName: 'kube-apiserver-audit', usage: 'client', validDays: 30 }) : undefined
    const configFile = join(dir, 'audit-webhook.kubeconfig')
    const config = kubeconfigYaml({
      clusterName: 'ock-audit-webhook',
      server: url,
      caPem: ca.certPem,
      userName: 'kube-apiserver',
      certPem: client?.certPem,
      keyPem: client?.keyPem,
      token,
    })
    // serving before the file names it: no sender knows the address until then
    const receiver = new AuditWebhookReceiver(server, configFile, url, ownDir, token, path)
    try {
      await writeFile(configFile, config, { mode: 0o600 })
    } catch (e) {
      await receiver.stop()
      throw e
    }
    return receiver
  }

  /** Every event received so far, in the order the API servers made them (see the file's header). */
  async readAuditLog(): Promise<AuditEvent[]> {
    return this.events()
  }

  /** As readAuditLog, synchronously. */
  events(): AuditEvent[] {
    const first = (b: ReceivedBatch): string => b.events[0]?.stageTimestamp ?? ''
    return this.received
      .map((b, i) => ({ b, i }))
      .sort((x, y) => first(x.b).localeCompare(first(y.b)) || x.i - y.i)
      .flatMap(({ b }) => b.events)
  }

  /** The batches taken, in order of arrival. */
  get batches(): readonly ReceivedBatch[] {
    return this.received
  }

  /** Requests refused (wrong path, method, credential or body), in order. */
  get refused(): readonly RefusedRequest[] {
    return this.refusedRequests
  }

  /** Stops listening, cuts open connections, and removes the config file when it made its own dir. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    await closed
    if (this.ownDir) await rm(this.ownDir, { recursive: true, force: true })
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const refuse = (code: number, reason: string): void => {
      this.refusedRequests.push({ code, reason })
      if (!res.headersSent) res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' })
      res.end(`${reason}\n`)
      req.resume()
    }
    const path = (req.url ?? '').split('?')[0]
    if (path !== this.path) return refuse(404, `no audit webhook at ${path}; POST to ${this.path}`)
    if (req.method !== 'POST') return refuse(405, `${req.method} is not allowed: POST an audit.k8s.io/v1 EventList`)
    if (this.token !== undefined && !sameSecret(req.headers.authorization ?? '', `Bearer ${this.token}`)) return refuse(401, 'Unauthorized')
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY_BYTES) chunks.push(c)
    })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return refuse(413, `the batch is larger than ${MAX_BODY_BYTES} bytes`)
      let list: { kind?: unknown; apiVersion?: unknown; items?: unknown }
      try {
        list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof list
      } catch (e) {
        return refuse(400, `the body is not JSON: ${(e as Error).message}`)
      }
      if (list?.kind !== 'EventList' || list.apiVersion !== 'audit.k8s.io/v1' || !Array.isArray(list.items))
        return refuse(400, `expected an audit.k8s.io/v1 EventList, got kind ${JSON.stringify(list?.kind)} apiVersion ${JSON.stringify(list?.apiVersion)}`)
      this.received.push({ receivedAt: Date.now(), events: list.items as AuditEvent[] })
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
    })
  }
}

function sameSecret(got: string, want: string): boolean {
  const a = Buffer.from(got)
  const b = Buffer.from(want)
  return a.length === b.length && timingSafeEqual(a, b)
}
