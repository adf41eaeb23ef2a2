import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import { createCertificateAuthority, Identities, type KeyPair } from '../pki/pki.js'
import { KubeletServer } from './server.js'

describe('the kubelet server', () => {
  let server: KubeletServer
  let caPem: string
  let apiserverClient: KeyPair
  let stranger: KeyPair
  let foreign: KeyPair

  before(async () => {
    const ca = await createCertificateAuthority()
    caPem = ca.certPem
    const serving = await ca.issue({ commonName: 'node-1', ipAddresses: ['127.0.0.1'], usage: 'server' })
    apiserverClient = await ca.issue({ ...Identities.apiserverKubeletClient, usage: 'client' })
    stranger = await ca.issue({ commonName: 'alice', usage: 'client' })
    foreign = await (await createCertificateAuthority('other')).issue({ ...Identities.apiserverKubeletClient, usage: 'client' })
    server = new KubeletServer({ host: '127.0.0.1', caPem, serving })
    server.route('/healthz', (_req, res) => void res.end('ok'))
    server.route('/containerLogs/', (_req, res, url) => void res.end(`logs of ${url.pathname.split('/').slice(2).join('/')}`))
    await server.start()
  })

  after(() => server.stop())

  const get = (path: string, creds?: KeyPair): Promise<{ code: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: server.port, path, ca: caPem, cert: creds?.certPem, key: creds?.keyPem, agent: false }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
    })

  it("serves routes by prefix to the API server's kubelet client", async () => {
    assert.deepEqual(await get('/containerLogs/ns/pod/app', apiserverClient), { code: 200, body: 'logs of ns/pod/app' })
    assert.equal((await get('/nothing', apiserverClient)).code, 404)
  })

  it('refuses other identities with 403 and callers without a certificate of the cluster CA at the handshake', async () => {
    assert.equal((await get('/healthz', stranger)).code, 403)
    await assert.rejects(get('/healthz'))
    await assert.rejects(get('/healthz', foreign))
  })
})
