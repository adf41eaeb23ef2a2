import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { createCertificateAuthority } from '../pki/pki.js'
import { LoadBalancer } from './loadbalancer.js'

interface TestBackend {
  name: string
  url: string
  ready: boolean
  close(): Promise<void>
}

describe('control-plane load balancer', () => {
  let caPem: string
  let backends: TestBackend[]
  let lb: LoadBalancer
  let agent: https.Agent

  before(async () => {
    const ca = await createCertificateAuthority()
    caPem = ca.certPem
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    backends = []
    for (const name of ['a', 'b']) {
      const b: TestBackend = { name, url: '', ready: true, close: async () => undefined }
      const srv = https.createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
        if (req.url === '/readyz') res.writeHead(b.ready ? 200 : 500).end(b.ready ? 'ok' : 'etcd failed')
        else res.end(name)
      })
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
      b.url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`
      b.close = () =>
        new Promise((r) => {
          srv.closeAllConnections()
          srv.close(() => r())
        })
      backends.push(b)
    }
    lb = new LoadBalancer({ caPem, checkIntervalMs: 50, fall: 2, rise: 1 })
    for (const b of backends) lb.setBackend({ name: b.name, url: b.url })
    await lb.start()
    agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: caPem })
  })

  after(async () => {
    agent.destroy()
    await lb.stop()
    for (const b of backends) await b.close()
  })

  const get = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const u = new URL('/', lb.url)
      https
        .get({ hostname: u.hostname, port: u.port, path: '/', agent }, (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve(body))
        })
        .on('error', reject)
    })

  it('closes the connections of a backend that fails its checks, so a keep-alive client moves to a healthy one', async () => {
    const first = await get()
    assert.equal(await get(), first, 'a keep-alive connection sticks to its backend')
    backends.find((b) => b.name === first)!.ready = false
    // the client's next request, on a fresh connection, lands on the other backend
    const deadline = Date.now() + 5_000
    let answer = first
    while (answer === first && Date.now() < deadline) answer = await get().catch(() => first)
    assert.notEqual(answer, first)
    assert.equal(lb.health().find((h) => h.name === first)?.healthy, false)
  })
})
