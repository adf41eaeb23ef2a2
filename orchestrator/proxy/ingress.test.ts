import { after, before, describe, it, test } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../api/meta.js'
import { hostMatches, IngressController, route } from './ingress.js'
import { endpointsOf, eventually, get, randomTestNet, ref, startBackend, startTestbed, type Backend, type Testbed } from './testbed.testing.js'

const ingress = (name: string, spec: Record<string, unknown>, namespace = 'default'): KObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace },
  spec,
})
const path = (p: string, service: string, pathType = 'Prefix', port: Record<string, unknown> = { number: 80 }) => ({
  path: p,
  pathType,
  backend: { service: { name: service, port } },
})

test('host matching: exact, one-label wildcards, any', () => {
  const table: [string | undefined, string, boolean][] = [
    [undefined, 'anything.example', true],
    ['shop.example', 'shop.example', true],
    ['shop.example', 'www.shop.example', false],
    ['*.example', 'shop.example', true],
    ['*.example', 'a.shop.example', false],
    ['*.example', 'example', false],
  ]
  for (const [rule, host, want] of table) assert.equal(hostMatches(rule, host), want, `${rule} vs ${host}`)
})

test('routing: longest path, Exact before Prefix, exact host before wildcard, then the default backend', () => {
  const ings = [
    ingress('a', {
      rules: [
        { host: 'shop.example', http: { paths: [path('/', 'front'), path('/api', 'api'), path('/api/v2', 'api-v2'), path('/login', 'login-exact', 'Exact')] } },
        { host: '*.example', http: { paths: [path('/', 'wild')] } },
        { http: { paths: [path('/status', 'status')] } },
      ],
    }),
    ingress('b', { defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } } }, 'other'),
  ]
  const table: [string, string, string | undefined][] = [
    ['shop.example', '/', 'front'],
    ['shop.example', '/cart', 'front'],
    ['shop.example', '/api', 'api'],
    ['shop.example', '/api/', 'api'],
    ['shop.example', '/apis', 'front'],
    ['shop.example', '/api/v2/items', 'api-v2'],
    ['shop.example', '/login', 'login-exact'],
    ['shop.example', '/login/x', 'front'],
    ['blog.example', '/post', 'wild'],
    ['elsewhere.test', '/status', 'status'],
    ['elsewhere.test', '/nothing', 'fallback'],
  ]
  for (const [host, p, want] of table) assert.equal(route(ings, host, p)?.service, want, `${host}${p}`)
  assert.deepEqual(route(ings, 'x.test', '/'), { namespace: 'other', ingress: 'b', service: 'fallback', port: 'http' })
  assert.equal(route([ings[0]!], 'x.test', '/'), undefined)
})

describe('IngressController against an in-process API server', { timeout: 60_000 }, () => {
  let bed: Testbed
  let ing: IngressController
  const backends: Backend[] = []
  const address = `${randomTestNet()}.1`

  before(async () => {
    bed = await startTestbed()
    ing = new IngressController(await bed.clientFor('system:serviceaccount:kube-system:ingress-controller'), { address, port: 0 })
    await ing.start()
  })
  after(async () => {
    await ing.stop()
    await bed.stop()
    for (const b of backends) await b.close()
  })

  async function backend(name: string): Promise<Backend> {
    const b = await startBackend(name)
    backends.push(b)
    return b
  }

  async function serviceWith(name: string, ready: Backend[]): Promise<void> {
    await bed.admin.create(ref.services(), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    })
    await bed.admin.create(ref.endpoints(), endpointsOf(name, ready, [], 'http'))
  }

  it('routes by host and path to the ready endpoints of Services, and publishes its address', async () => {
    const [shop1, shop2, api] = [await backend('shop-1'), await backend('shop-2'), await backend('api-1')]
    await serviceWith('shop', [shop1, shop2])
    await serviceWith('api', [api])
    await bed.admin.create(
      ref.ingresses(),
      ingress('web', { rules: [{ host: 'shop.example', http: { paths: [path('/', 'shop'), path('/api', 'api', 'Prefix', { name: 'http' })] } }] }),
    )
    const url = ing.url
    const r1 = await eventually('the shop answers through the ingress', async () => {
      const r = await get(`${url}/cart?x=1`, 'shop.example')
      return 'status' in r && r.status === 200 && r
    })
    assert.match(r1.body, /^shop-[12] GET \/cart\?x=1 host=shop\.example xff=127\.0\.0\.1/)
    const second = await get(`${url}/cart`, 'shop.example')
    assert.ok('status' in second && second.body.split(' ')[0] !== r1.body.split(' ')[0], 'round-robin over both endpoints')
    const a = await get(`${url}/api/items`, 'shop.example')
    assert.ok('status' in a && a.body.startsWith('api-1 GET /api/items'), JSON.stringify(a))
    const miss = await get(`${url}/`, 'nobody.example')
    assert.deepEqual(miss, { status: 404, body: 'default backend - 404\n' })
    const published = await eventually('the Ingress status names the ingress address', async () => {
      const o = await bed.admin.get(ref.ingresses('default', 'web'))
      return (o.status as { loadBalancer?: { ingress?: unknown[] } }).loadBalancer?.ingress?.length && o.status
    })
    assert.deepEqual(published, { loadBalancer: { ingress: [{ ip: address, ports: [{ port: ing.port, protocol: 'TCP' }] }] } })
  })

  it('answers 503 without ready endpoints and 502 when the endpoint refuses', async () => {
    const gone = await startBackend('gone')
    await gone.close()
    await serviceWith('empty', [])
    await serviceWith('dead', [gone])
    await bed.admin.create(
      ref.ingresses(),
      ingress('errs', { rules: [{ host: 'errs.example', http: { paths: [path('/empty', 'empty'), path('/dead', 'dead')] } }] }),
    )
    const e503 = await eventually('503', async () => {
      const r = await get(`${ing.url}/empty`, 'errs.example')
      return 'status' in r && r.status === 503 && r
    })
    assert.match(e503.body, /no ready endpoints for service default\/empty/)
    const e502 = await eventually('502', async () => {
      const r = await get(`${ing.url}/dead`, 'errs.example')
      return 'status' in r && r.status === 502 && r
    })
    assert.match(e502.body, /ECONNREFUSED/)
  })

  it('keeps serving from the last state it saw while the API server is down', async () => {
    const b = await backend('steady')
    await serviceWith('steady', [b])
    await bed.admin.create(ref.ingresses(), ingress('steady', { rules: [{ host: 'steady.example', http: { paths: [path('/', 'steady')] } }] }))
    await eventually('answers', async () => {
      const r = await get(`${ing.url}/`, 'steady.example')
      return 'status' in r && r.status === 200
    })
    await bed.server.stop()
    for (let i = 0; i < 5; i++) {
      const r = await get(`${ing.url}/`, 'steady.example')
      assert.ok('status' in r && r.status === 200 && r.body.startsWith('steady'), JSON.stringify(r))
    }
  })
})
