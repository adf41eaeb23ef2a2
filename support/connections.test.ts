import assert from 'node:assert/strict'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { kubeconfigYaml } from '../orchestrator/cluster/kubeconfig.js'
import { createCertificateAuthority } from '../orchestrator/pki/pki.js'
import { freshConnections } from './connections.js'

describe('client-node connections (support/connections.ts)', () => {
  let server: https.Server
  let yaml: string
  let connections = 0
  before(async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'api', ipAddresses: ['127.0.0.1'], usage: 'server' })
    const admin = await ca.issue({ commonName: 'admin', organizations: ['system:masters'], usage: 'client' })
    // answers every request with an empty NamespaceList, and counts TLS connections
    server = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }))
    })
    server.on('secureConnection', () => connections++)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    yaml = kubeconfigYaml({
      clusterName: 'c',
      server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      caPem: ca.certPem,
      userName: 'u',
      certPem: admin.certPem,
      keyPem: admin.keyPem,
    })
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  // undici may open a second keep-alive connection while the first answer is still being read
  const cases: [string, (kc: KubeConfig) => KubeConfig, number[]][] = [
    ['a KubeConfig keeps its connections for its requests (20 requests, 1 or 2 connections)', (kc) => kc, [1, 2]],
    ['freshConnections opens one per request, as that many clients would', (kc) => freshConnections(kc), [20]],
  ]
  for (const [what, prepare, expected] of cases)
    it(what, async () => {
      const kc = new KubeConfig()
      kc.loadFromString(yaml)
      const before = connections
      const api = prepare(kc).makeApiClient(CoreV1Api)
      for (let i = 0; i < 20; i++) await api.listNamespace({ limit: 1 })
      assert.ok(expected.includes(connections - before), `${connections - before} connections for 20 requests`)
    })
})
