import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../api/meta.js'
import { ServiceProxy } from './proxy.js'
import { readyBackends } from './servicetable.js'
import { endpointsOf, eventually, get, ref, startBackend, startTestbed, type Backend, type Testbed } from './testbed.testing.js'

const service = (name: string, spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
})

describe('readyBackends', () => {
  it("takes ready addresses of the port with the Service port's name, never notReadyAddresses", () => {
    const eps: KObject = {
      subsets: [
        {
          addresses: [{ ip: '127.1.0.1', targetRef: { kind: 'Pod', name: 'a' } }],
          notReadyAddresses: [{ ip: '127.1.0.2' }],
          ports: [
            { name: 'http', port: 8080 },
            { name: 'admin', port: 9090 },
          ],
        },
        { addresses: [{ ip: '127.1.0.3' }], ports: [{ name: 'http', port: 8081 }] },
      ],
    }
    assert.deepEqual(readyBackends(eps, { name: 'http', port: 80 }), [
      { ip: '127.1.0.1', port: 8080, pod: 'a' },
      { ip: '127.1.0.3', port: 8081 },
    ])
    assert.deepEqual(readyBackends(eps, { name: 'admin', port: 81 }), [{ ip: '127.1.0.1', port: 9090, pod: 'a' }])
    assert.deepEqual(readyBackends(eps, { port: 80 }), [])
    assert.deepEqual(readyBackends(undefined, { port: 80 }), [])
  })
})

describe('ServiceProxy against an in-process API server', { timeout: 60_000 }, () => {
  let bed: Testbed
  let proxy: ServiceProxy
  const backends: Backend[] = []

  before(async () => {
    bed = await startTestbed()
    proxy = new ServiceProxy(await bed.clientFor('system:kube-proxy'), { retryBindMs: 200 })
    await proxy.start()
  })
  after(async () => {
    await proxy.stop()
    await bed.stop()
    for (const b of backends) await b.close()
  })

  async function backend(name: string): Promise<Backend> {
    const b = await startBackend(name)
    backends.push(b)
    return b
  }

  it('listens on the ClusterIP and spreads connections over ready endpoints only', async () => {
    const [a, b, c] = [await backend('pod-a'), await backend('pod-b'), await backend('pod-c')]
    const svc = await bed.admin.create(ref.services(), service('web'))
    const ip = (svc.spec as { clusterIP: string }).clusterIP
    await bed.admin.create(ref.endpoints(), endpointsOf('web', [a, b], [c]))
    const url = `http://${ip}:80/hello`
    await eventually('the service answers', async () => 'status' in (await get(url)))
    const seen = new Map<string, number>()
    for (let i = 0; i < 12; i++) {
      const r = await get(url)
      assert.ok('status' in r, JSON.stringify(r))
      const who = r.body.split(' ')[0]!
      seen.set(who, (seen.get(who) ?? 0) + 1)
    }
    assert.deepEqual([...seen.keys()].sort(), ['pod-a', 'pod-b'])
    assert.equal(seen.get('pod-a'), 6, 'round-robin')
    assert.equal(c.hits, 0, 'a not-ready endpoint gets no traffic')
    assert.ok(proxy.status().serving.includes(`${ip}:80`))
    assert.equal(proxy.lookup('web.default.svc'), ip)
    assert.equal(proxy.lookup('web.default.svc.cluster.local'), ip)
    assert.equal(proxy.lookup('web', 'default'), ip)
    assert.equal(proxy.lookup('nope.default.svc'), undefined)
    // it watched as system:kube-proxy
    const entries = bed.server.trace.since(0).entries
    const watches = new Set(entries.filter((e) => e.kind === 'request' && e.verb === 'watch').map((e) => e.requestId))
    const watchers = new Set(entries.filter((e) => e.phase === 'authentication' && watches.has(e.requestId)).map((e) => e.user))
    assert.ok(watchers.has('system:kube-proxy'), [...watchers].join(','))
  })

  it('follows endpoint changes, skips endpoints that refuse, and resets when none is ready', async () => {
    const [a, b] = [await backend('pod-x'), await backend('pod-y')]
    const svc = await bed.admin.create(ref.services(), service('churn', { ports: [{ name: 'http', port: 8000, targetPort: 8080 }] }))
    const url = `http://${(svc.spec as { clusterIP: string }).clusterIP}:8000/`
    await bed.admin.create(ref.endpoints(), endpointsOf('churn', [a], [], 'http'))
    await eventually('pod-x answers', async () => {
      const r = await get(url)
      return 'status' in r && r.body.startsWith('pod-x')
    })
    await bed.admin.update(ref.endpoints('default', 'churn'), endpointsOf('churn', [b], [a], 'http'))
    await eventually('only pod-y answers', async () => {
      const r = await get(url)
      return 'status' in r && r.body.startsWith('pod-y')
    })
    const gone = await startBackend('pod-gone')
    await gone.close() // an endpoint that refuses connections
    await bed.admin.update(ref.endpoints('default', 'churn'), endpointsOf('churn', [gone], [], 'http'))
    await eventually('the only endpoint refuses: the connection is reset', async () => {
      const r = await get(url)
      return 'error' in r && r.error === 'ECONNRESET'
    })
    await bed.admin.update(ref.endpoints('default', 'churn'), endpointsOf('churn', [gone, b], [], 'http'))
    await eventually('pod-y is back', async () => {
      const r = await get(url)
      return 'status' in r
    })
    for (let i = 0; i < 6; i++) {
      const r = await get(url)
      assert.ok('status' in r && r.body.startsWith('pod-y'), `request ${i}: ${JSON.stringify(r)}`)
    }
    await bed.admin.update(ref.endpoints('default', 'churn'), endpointsOf('churn', [], [b], 'http'))
    await eventually('no ready endpoint: the connection is reset', async () => {
      const r = await get(url)
      return 'error' in r && r.error === 'ECONNRESET'
    })
  })

  it('stops listening when the Service is deleted', async () => {
    const a = await backend('pod-del')
    const svc = await bed.admin.create(ref.services(), service('del'))
    const ip = (svc.spec as { clusterIP: string }).clusterIP
    await bed.admin.create(ref.endpoints(), endpointsOf('del', [a]))
    await eventually('answers', async () => 'status' in (await get(`http://${ip}:80/`)))
    await bed.admin.delete(ref.services('default', 'del'))
    await eventually('refused', async () => {
      const r = await get(`http://${ip}:80/`)
      return 'error' in r && r.error === 'ECONNREFUSED'
    })
    assert.ok(!proxy.status().serving.includes(`${ip}:80`))
  })

  it('keeps forwarding with the last state it saw while the API server is down', async () => {
    const a = await backend('pod-last')
    const svc = await bed.admin.create(ref.services(), service('last'))
    const url = `http://${(svc.spec as { clusterIP: string }).clusterIP}:80/`
    await bed.admin.create(ref.endpoints(), endpointsOf('last', [a]))
    await eventually('answers', async () => 'status' in (await get(url)))
    await bed.server.stop()
    for (let i = 0; i < 5; i++) {
      const r = await get(url)
      assert.ok('status' in r && r.status === 200 && r.body.startsWith('pod-last'), JSON.stringify(r))
    }
  })
})
