import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { ApiError } from '../../api/errors.js'
import { ApiClient } from '../../client/client.js'
import { createCertificateAuthority, Identities } from '../../pki/pki.js'
import { MemoryStore } from '../../store/memory.js'
import { ApiServer } from '../server.js'

describe('the aggregation layer', () => {
  let server: ApiServer
  let backend: https.Server
  let admin: ApiClient
  let alice: ApiClient
  const seen: { path: string; user?: string; groups?: string[]; proxyCN?: string }[] = []

  before(async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    const proxyClient = await ca.issue({ ...Identities.frontProxyClient, usage: 'client' })
    // a stand-in for metrics-server: answers with who the aggregator said the caller is
    const backendCert = await ca.issue({ commonName: 'metrics-server', ipAddresses: ['127.0.0.1'], usage: 'server' })
    backend = https.createServer(
      { key: backendCert.keyPem, cert: backendCert.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN
        seen.push({
          path: req.url ?? '',
          user: req.headersDistinct['x-remote-user']?.[0],
          groups: req.headersDistinct['x-remote-group'],
          proxyCN: Array.isArray(cn) ? cn[0] : cn,
        })
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: [] }))
      },
    )
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r))
    const port = (backend.address() as AddressInfo).port
    server = new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving, proxyClient, apiServiceCheckMs: 0 })
    await server.start()
    const a = await ca.issue({ ...Identities.admin, usage: 'client' })
    admin = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: a.certPem, keyPem: a.keyPem })
    const b = await ca.issue({ commonName: 'alice', organizations: ['dev'], usage: 'client' })
    alice = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: b.certPem, keyPem: b.keyPem })
    await admin.create(
      { group: '', version: 'v1', resource: 'services', namespace: 'kube-system' },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics-server', namespace: 'kube-system' }, spec: { ports: [{ port: 443, targetPort: port }] } },
    )
    await admin.create(
      { group: '', version: 'v1', resource: 'endpoints', namespace: 'kube-system' },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'metrics-server', namespace: 'kube-system' },
        subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }],
      },
    )
    await admin.create(
      { group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices' },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io' },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
          caBundle: Buffer.from(ca.certPem).toString('base64'),
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      },
    )
  })

  after(async () => {
    admin.close()
    alice.close()
    await server.stop()
    await new Promise<void>((r) => backend.close(() => r()))
  })

  it('lists the aggregated group in discovery, after the local ones', async () => {
    const groups = (await admin.request<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>('GET', '/apis')).groups
    assert.equal(groups.at(-1)?.name, 'metrics.k8s.io')
    assert.equal(groups.at(-1)?.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1')
    const local = await admin.get({ group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices', name: 'v1.apps' })
    assert.equal((local as { status?: { conditions?: { reason?: string }[] } }).status?.conditions?.[0]?.reason, 'Local')
  })

  it('proxies an authorized request with the front-proxy certificate and the caller in X-Remote-*', async () => {
    await admin.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { query: { labelSelector: 'app=web' } })
    const last = seen.at(-1)!
    assert.equal(last.path, '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb')
    assert.equal(last.proxyCN, 'front-proxy-client')
    assert.equal(last.user, 'kubernetes-admin')
    assert.ok(last.groups?.includes('system:masters'), JSON.stringify(last.groups))
  })

  it('authorizes before proxying: a user without a role gets 403 and the backend sees nothing', async () => {
    const before = seen.length
    await assert.rejects(
      alice.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'),
      (e: unknown) => e instanceof ApiError && e.code === 403 && e.reason === 'Forbidden',
    )
    assert.equal(seen.length, before)
  })
})
