// For unit tests only: an audit webhook receiver on loopback (HTTPS on a CA of its own) that
// records every POST and answers what the test says (200, an error code, or nothing at all),
// and writes a kube-apiserver audit webhook config file naming it. The kit's receiver for
// scenarios is support/auditwebhook.ts (the orchestrator's tests may not import the harness).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { stringify } from 'yaml'
import { createCertificateAuthority, type KeyPair } from '../../pki/pki.js'
import type { AuditEvent } from './auditevent.js'

export interface ReceivedPost {
  path: string
  headers: Record<string, string | string[] | undefined>
  /** CN of the client certificate the sender presented, if any. */
  clientCN?: string
  body: { kind?: string; apiVersion?: string; items?: AuditEvent[] }
}

export interface TestReceiver {
  /** The config file naming this receiver (a kubeconfig, as --audit-webhook-config-file). */
  configFile: string
  dir: string
  url: string
  caPem: string
  /** A client certificate of the receiver's CA (for config files that present one). */
  client: KeyPair
  /** Every POST, in order of arrival, answered or not. */
  posts: ReceivedPost[]
  /** The status code of the next answers; 0: never answer (a webhook that hangs). */
  answer: number
  /** Events of the posts answered 2xx, in order of arrival. */
  events(): AuditEvent[]
  /** Writes another config file beside the first; `user` is the kubeconfig user entry. */
  writeConfig(name: string, user?: Record<string, string>, server?: string): string
  /** Stops listening (a receiver that is down); the config file stays. */
  close(): Promise<void>
  /** Stops and removes the config files. */
  stop(): Promise<void>
}

export async function startTestReceiver(opts: { path?: string } = {}): Promise<TestReceiver> {
  const ca = await createCertificateAuthority('audit-webhook-test-ca')
  const serving = await ca.issue({ commonName: 'audit-webhook', ipAddresses: ['127.0.0.1'], usage: 'server' })
  const client = await ca.issue({ commonName: 'kube-apiserver-audit', usage: 'client' })
  const dir = mkdtempSync(join(tmpdir(), 'ock-auditwebhook-test-'))
  const sockets = new Set<TLSSocket>()
  const hanging = new Set<() => void>()
  const r = {
    posts: [] as ReceivedPost[],
    answer: 200,
    answered: new Set<ReceivedPost>(),
  }
  const server = https.createServer(
    { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const sock = req.socket as TLSSocket
        const peer = sock.authorized ? sock.getPeerCertificate() : undefined
        const post: ReceivedPost = { path: req.url ?? '', headers: req.headers, clientCN: peer?.subject?.CN as string | undefined, body: {} }
        try {
          post.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedPost['body']
        } catch {
          /* recorded as an empty body */
        }
        r.posts.push(post)
        if (r.answer === 0) return hanging.add(() => res.destroy())
        if (r.answer >= 200 && r.answer < 300) r.answered.add(post)
        res.writeHead(r.answer, { 'Content-Type': 'text/plain' }).end(r.answer < 300 ? '' : 'receiver told to fail')
      })
    },
  )
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}${opts.path ?? '/audit'}`
  const writeConfig = (name: string, user: Record<string, string> = {}, serverUrl = url): string => {
    const file = join(dir, name)
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'audit', cluster: { server: serverUrl, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
      users: [{ name: 'kube-apiserver', user }],
      contexts: [{ name: 'webhook', context: { cluster: 'audit', user: 'kube-apiserver' } }],
      'current-context': 'webhook',
    }
    writeFileSync(file, stringify(config), { mode: 0o600 })
    return file
  }
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    for (const h of hanging) h()
    const done = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const s of sockets) s.destroy()
    await done
  }
  const receiver: TestReceiver = {
    configFile: writeConfig('webhook.kubeconfig'),
    dir,
    url,
    caPem: ca.certPem,
    client,
    posts: r.posts,
    get answer() {
      return r.answer
    },
    set answer(code: number) {
      r.answer = code
    },
    events: () => r.posts.filter((p) => r.answered.has(p)).flatMap((p) => p.body.items ?? []),
    writeConfig,
    close,
    stop: async () => {
      await close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return receiver
}

/** An event as the API server writes one, numbered: auditID id-<n>, configmap c<n>. */
export function fakeEvent(n: number): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${n}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/default/configmaps/c${n}`,
    verb: 'get',
    user: { username: 'alice', groups: ['dev'] },
    sourceIPs: ['127.0.0.1'],
    objectRef: { resource: 'configmaps', namespace: 'default', name: `c${n}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2026-12-07T01:00:00.000000Z',
    stageTimestamp: '2026-12-07T01:00:00.001000Z',
  }
}
