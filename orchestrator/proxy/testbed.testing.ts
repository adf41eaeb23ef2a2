// Test support for the proxy and ingress tests (not used at run time): an in-process API server
// on a random loopback service range, clients for any identity, and plain HTTP servers on
// loopback addresses standing in for pods.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KObject } from '../api/meta.js'
import { ApiClient } from '../client/client.js'
import { createCertificateAuthority, Identities, type CertificateAuthority } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import { ApiServer } from '../apiserver/server.js'

export interface Testbed {
  server: ApiServer
  ca: CertificateAuthority
  admin: ApiClient
  serviceCIDR: string
  clientFor(commonName: string): Promise<ApiClient>
  stop(): Promise<void>
}

/** Tests stay outside the ranges clusters lease (127.100-251.x): 127.90-99.x.y. */
export function randomTestNet(): string {
  return `127.${90 + Math.floor(Math.random() * 10)}.${Math.floor(Math.random() * 256)}`
}

export async function startTestbed(): Promise<Testbed> {
  const ca = await createCertificateAuthority()
  const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
  const serviceCIDR = `${randomTestNet()}.0/24`
  const server = new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving, serviceClusterIPRange: serviceCIDR })
  await server.start()
  const clients: ApiClient[] = []
  const clientFor = async (commonName: string): Promise<ApiClient> => {
    const creds = await ca.issue({ commonName, usage: 'client', organizations: commonName === Identities.admin.commonName ? ['system:masters'] : [] })
    const c = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: commonName, timeoutMs: 2_000 })
    clients.push(c)
    return c
  }
  const admin = await clientFor(Identities.admin.commonName)
  return {
    server,
    ca,
    admin,
    serviceCIDR,
    clientFor,
    async stop() {
      for (const c of clients) c.close()
      await server.stop()
    },
  }
}

export interface Backend {
  ip: string
  port: number
  name: string
  hits: number
  close(): Promise<void>
}

/** An HTTP server on a random loopback address that answers with its name (a stand-in pod). */
export async function startBackend(name: string, port = 0): Promise<Backend> {
  for (;;) {
    const ip = `${randomTestNet()}.${2 + Math.floor(Math.random() * 250)}`
    const b: Backend = { ip, port: 0, name, hits: 0, close: async () => undefined }
    const srv = http.createServer((req, res) => {
      b.hits++
      res.end(`${name} ${req.method} ${req.url} host=${req.headers.host} xff=${req.headers['x-forwarded-for'] ?? ''}`)
    })
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false))
      srv.listen(port, ip, () => resolve(true))
    })
    if (!ok) continue
    b.port = (srv.address() as AddressInfo).port
    b.close = () =>
      new Promise((resolve) => {
        srv.close(() => resolve())
        srv.closeAllConnections()
      })
    return b
  }
}

export const ref = {
  services: (namespace = 'default', name?: string) => ({ group: '', version: 'v1', resource: 'services', namespace, name }),
  endpoints: (namespace = 'default', name?: string) => ({ group: '', version: 'v1', resource: 'endpoints', namespace, name }),
  ingresses: (namespace = 'default', name?: string) => ({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespace, name }),
}

export function endpointsOf(name: string, ready: Backend[], notReady: Backend[] = [], portName?: string): KObject {
  const port = (ready[0] ?? notReady[0])?.port ?? 8080
  const addr = (b: Backend) => ({ ip: b.ip, targetRef: { kind: 'Pod', name: b.name, namespace: 'default' } })
  // one subset per backend port (test backends listen on different ports)
  const subsets = [...ready.map((b) => ({ b, ready: true })), ...notReady.map((b) => ({ b, ready: false }))].map(({ b, ready }) => ({
    [ready ? 'addresses' : 'notReadyAddresses']: [addr(b)],
    ports: [{ port: b.port, protocol: 'TCP', ...(portName ? { name: portName } : {}) }],
  }))
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name }, subsets: subsets.length ? subsets : port ? [] : [] }
}

/** GET through a URL; a refused or reset connection comes back as its error code. */
export async function get(url: string, host?: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const u = new URL(url)
    const req = http.get(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { host } : {}, agent: false, timeout: 3_000 },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
  })
}

export { eventually } from '../testing/eventually.js'
