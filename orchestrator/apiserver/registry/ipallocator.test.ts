import { after, before, describe, it, test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { ApiClient } from '../../client/client.js'
import { createCertificateAuthority, Identities } from '../../pki/pki.js'
import { MemoryStore } from '../../store/memory.js'
import { ApiServer } from '../server.js'
import { AllocationError, formatIPv4, inRange, IP_PREFIX, parseCIDR, parseIPv4, ServiceIPAllocator } from './ipallocator.js'
import { validateServiceIPs } from './strategies/service.js'

test('IPv4 range arithmetic', () => {
  const cases: [string, string, number][] = [
    ['127.160.0.0/16', '127.160.0.1-127.160.255.254', 65534],
    ['10.96.0.0/12', '10.96.0.1-10.111.255.254', 1048574],
    ['127.161.3.77/24', '127.161.3.1-127.161.3.254', 254],
    ['192.168.0.0/30', '192.168.0.1-192.168.0.2', 2],
  ]
  for (const [cidr, span, size] of cases) {
    const r = parseCIDR(cidr)
    assert.equal(`${formatIPv4(r.first)}-${formatIPv4(r.last)}`, span, cidr)
    assert.equal(r.size, size)
  }
  assert.equal(parseCIDR('127.161.3.77/24').cidr, '127.161.3.0/24')
  for (const bad of ['127.0.0.0', '127.0.0.0/33', 'x/16', '127.0.0.256/16', '127.0.0.0/4']) assert.throws(() => parseCIDR(bad), /invalid service CIDR/, bad)
  for (const bad of ['1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.999', 'fd00::1', '']) assert.equal(parseIPv4(bad), undefined, bad)
  const r = parseCIDR('127.160.0.0/16')
  assert.deepEqual(
    ['127.160.0.0', '127.160.0.1', '127.160.255.254', '127.160.255.255', '127.161.0.1'].map((ip) => inRange(r, ip)),
    [false, true, true, false, false],
  )
})

test('validation of the clusterIP fields', () => {
  const svc = (spec: Record<string, unknown>): KObject => ({ metadata: { name: 's' }, spec })
  const table: [string, KObject, KObject | undefined, string[]][] = [
    ['auto', svc({}), undefined, []],
    ['requested', svc({ clusterIP: '127.160.0.9' }), undefined, []],
    ['headless', svc({ clusterIP: 'None' }), undefined, []],
    ['not an IP', svc({ clusterIP: 'abc' }), undefined, ['spec.clusterIPs[0]: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['IPv6', svc({ clusterIPs: ['fd00::1'] }), undefined, ['spec.clusterIPs[0]: IPv6 is not configured on this cluster']],
    ['IPv6 family', svc({ ipFamilies: ['IPv6'] }), undefined, ['spec.ipFamilies[0]: not configured on this cluster']],
    [
      'mismatch',
      svc({ clusterIP: '127.160.0.9', clusterIPs: ['127.160.0.8'] }),
      undefined,
      ['spec.clusterIPs[0]: must match `clusterIP` when both are specified'],
    ],
    ['ExternalName with IP', svc({ type: 'ExternalName', clusterIP: '127.160.0.9' }), undefined, ['spec.clusterIPs: may not be set for ExternalName services']],
    ['kept', svc({ clusterIP: '127.160.0.9', clusterIPs: ['127.160.0.9'] }), svc({ clusterIP: '127.160.0.9', clusterIPs: ['127.160.0.9'] }), []],
    ['changed', svc({ clusterIPs: ['127.160.0.8'] }), svc({ clusterIPs: ['127.160.0.9'] }), ['spec.clusterIPs[0]: may not change once set']],
    ['to headless', svc({ clusterIPs: ['None'] }), svc({ clusterIPs: ['127.160.0.9'] }), ['spec.clusterIPs[0]: may not change once set']],
    ['from ExternalName', svc({ clusterIP: '127.160.0.9' }), svc({ type: 'ExternalName' }), []],
  ]
  for (const [name, obj, old, want] of table) {
    assert.deepEqual(
      validateServiceIPs(obj, old).map((e) => `${e.field}: ${e.detail}`),
      want,
      name,
    )
  }
})

describe('ServiceIPAllocator on a store', () => {
  const owner = { namespace: 'ns', name: 'svc' }

  it('allocates requested and random addresses once, and releases them', async () => {
    const store = new MemoryStore()
    const a = new ServiceIPAllocator(store, '127.160.0.0/16')
    await a.allocate('127.160.0.10', owner)
    await assert.rejects(a.allocate('127.160.0.10', owner), (e: AllocationError) => e.kind === 'allocated' && e.message === 'provided IP is already allocated')
    await assert.rejects(
      a.allocate('127.161.0.10', owner),
      (e: AllocationError) => e.kind === 'notInRange' && e.message === 'provided IP 127.161.0.10 is not in the valid range',
    )
    await assert.rejects(a.allocate('127.160.0.0', owner), (e: AllocationError) => e.kind === 'notInRange')
    const ips = new Set<string>()
    for (let i = 0; i < 50; i++) ips.add(await a.allocateNext(owner))
    assert.equal(ips.size, 50)
    assert.ok(!ips.has('127.160.0.10'))
    for (const ip of ips) assert.ok(inRange(a.range, ip))
    await a.release('127.160.0.10')
    await a.release('127.160.0.10') // idempotent
    await a.allocate('127.160.0.10', owner)
    const rec = JSON.parse((await store.get(`${IP_PREFIX}127.160.0.10`))!.value)
    assert.deepEqual(rec.spec.parentRef, { group: '', resource: 'services', namespace: 'ns', name: 'svc' })
  })

  it('two allocators sharing a store (two API servers) never hand out one address twice', async () => {
    const store = new MemoryStore()
    const [a, b] = [new ServiceIPAllocator(store, '127.160.0.0/28'), new ServiceIPAllocator(store, '127.160.0.0/28')]
    const got = await Promise.all(Array.from({ length: 14 }, (_, i) => (i % 2 ? a : b).allocateNext(owner)))
    assert.equal(new Set(got).size, 14)
    await assert.rejects(a.allocateNext(owner), (e: AllocationError) => e.kind === 'full' && e.message === 'range is full')
  })

  it('dry runs take nothing', async () => {
    const a = new ServiceIPAllocator(new MemoryStore(), '127.160.0.0/30')
    await a.allocateNext(owner, true)
    await a.allocate('127.160.0.1', owner, true)
    assert.equal((await a.allocated()).size, 0)
  })

  it('repair claims addresses of stored Services and releases old orphans only', async () => {
    const store = new MemoryStore()
    const a = new ServiceIPAllocator(store, '127.160.0.0/24')
    await a.allocate('127.160.0.5', owner) // orphan, but young
    await store.create(`${IP_PREFIX}127.160.0.6`, JSON.stringify({ metadata: { creationTimestamp: '2020-01-01T00:00:00Z' } })) // old orphan
    const services: KObject[] = [
      { metadata: { name: 'x', namespace: 'ns' }, spec: { clusterIP: '127.160.0.7', clusterIPs: ['127.160.0.7'] } },
      { metadata: { name: 'h' }, spec: { clusterIP: 'None' } },
    ]
    const r = await a.repair(services)
    assert.deepEqual(r, { claimed: ['127.160.0.7'], released: ['127.160.0.6'] })
    assert.deepEqual([...(await a.allocated())].sort(), ['127.160.0.5', '127.160.0.7'])
  })
})

describe('Services through the API server', () => {
  let server: ApiServer
  let store: MemoryStore
  let client: ApiClient
  const svcs = { group: '', version: 'v1', resource: 'services', namespace: 'default' }
  const svc = (name: string, spec: Record<string, unknown> = {}): KObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  })
  const ipOf = (o: KObject) => (o.spec as { clusterIP?: string }).clusterIP
  async function rejects(p: Promise<unknown>, code: number, reason: string): Promise<ApiError> {
    try {
      await p
    } catch (e) {
      assert.ok(e instanceof ApiError, String(e))
      assert.equal(e.code, code, e.message)
      assert.equal(e.reason, reason, e.message)
      return e
    }
    assert.fail(`expected ${code} ${reason}`)
  }

  before(async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    store = new MemoryStore()
    server = new ApiServer({ store, caPem: ca.certPem, serving, serviceClusterIPRange: '127.165.0.0/29' })
    await server.start()
    const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
    client = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem })
  })
  after(async () => {
    client.close()
    await server.stop()
  })

  it('gives a Service a ClusterIP of the range and keeps it through updates that omit it', async () => {
    const s = await client.create(svcs, svc('web'))
    const ip = ipOf(s)!
    assert.ok(inRange(parseCIDR('127.165.0.0/29'), ip), ip)
    assert.deepEqual((s.spec as Record<string, unknown>).clusterIPs, [ip])
    assert.deepEqual((s.spec as Record<string, unknown>).ipFamilies, ['IPv4'])
    // a PUT of the manifest as written (no clusterIP) keeps the address
    const updated = await client.update(
      { ...svcs, name: 'web' },
      { ...svc('web', { ports: [{ port: 81, targetPort: 8080 }] }), metadata: { name: 'web', resourceVersion: s.metadata!.resourceVersion } },
    )
    assert.equal(ipOf(updated), ip)
    const patched = await client.patch({ ...svcs, name: 'web' }, { spec: { selector: { app: 'other' } } })
    assert.equal(ipOf(patched), ip)
    const other = ip === '127.165.0.6' ? '127.165.0.5' : '127.165.0.6'
    const e = await rejects(client.patch({ ...svcs, name: 'web' }, { spec: { clusterIP: other, clusterIPs: [other] } }), 422, 'Invalid')
    assert.equal(e.message, `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["${other}"]: may not change once set`)
    await client.delete({ ...svcs, name: 'web' })
    const again = await client.create(svcs, svc('web2', { clusterIP: ip }))
    assert.equal(ipOf(again), ip, 'a deleted Service gives its address back')
    await client.delete({ ...svcs, name: 'web2' })
  })

  it('honours a requested address in range; conflicts and out-of-range requests are 422 on spec.clusterIPs', async () => {
    const s = await client.create(svcs, svc('pinned', { clusterIP: '127.165.0.2' }))
    assert.equal(ipOf(s), '127.165.0.2')
    let e = await rejects(client.create(svcs, svc('clash', { clusterIP: '127.165.0.2' })), 422, 'Invalid')
    assert.equal(
      e.message,
      'Service "clash" is invalid: spec.clusterIPs: Invalid value: ["127.165.0.2"]: failed to allocate IP 127.165.0.2: provided IP is already allocated',
    )
    assert.equal(e.details?.causes?.[0]?.field, 'spec.clusterIPs')
    e = await rejects(client.create(svcs, svc('far', { clusterIP: '127.1.2.3' })), 422, 'Invalid')
    assert.equal(
      e.message,
      'Service "far" is invalid: spec.clusterIPs: Invalid value: ["127.1.2.3"]: failed to allocate IP 127.1.2.3: provided IP 127.1.2.3 is not in the valid range',
    )
    e = await rejects(client.create(svcs, svc('junk', { clusterIP: 'junk' })), 422, 'Invalid')
    assert.match(e.message, /spec.clusterIPs\[0\]: Invalid value: "junk": must be a valid IP address/)
    await rejects(client.get({ ...svcs, name: 'clash' }), 404, 'NotFound')
    await client.delete({ ...svcs, name: 'pinned' })
  })

  it('ExternalName and headless Services get no address; dry runs take none', async () => {
    const ext = await client.create(svcs, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'example.com' },
    })
    assert.equal(ipOf(ext), undefined)
    const e = await rejects(
      client.create(svcs, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ext2' },
        spec: { type: 'ExternalName', externalName: 'example.com', clusterIP: '127.165.0.3' },
      }),
      422,
      'Invalid',
    )
    assert.match(e.message, /spec.clusterIPs: Forbidden: may not be set for ExternalName services/)
    const headless = await client.create(svcs, svc('headless', { clusterIP: 'None' }))
    assert.equal(ipOf(headless), 'None')
    const before = await server.serviceIPs.allocated()
    const dry = await client.create(svcs, svc('dry'), { dryRun: 'All' })
    assert.ok(inRange(parseCIDR('127.165.0.0/29'), ipOf(dry)!))
    assert.deepEqual(await server.serviceIPs.allocated(), before)
    // ExternalName -> ClusterIP allocates, and back releases
    const toIP = await client.patch(
      { ...svcs, name: 'ext' },
      { spec: { type: 'ClusterIP', externalName: null, selector: { app: 'x' }, ports: [{ port: 80 }] } },
    )
    const ip = ipOf(toIP)!
    assert.ok((await server.serviceIPs.allocated()).has(ip))
    await client.patch({ ...svcs, name: 'ext' }, { spec: { type: 'ExternalName', externalName: 'example.com', clusterIP: null, clusterIPs: null } })
    assert.ok(!(await server.serviceIPs.allocated()).has(ip))
    for (const n of ['ext', 'headless']) await client.delete({ ...svcs, name: n })
  })

  it('a full range is a 500 from the allocator, and nothing is written', async () => {
    const made: string[] = []
    for (let i = 0; ; i++) {
      try {
        await client.create(svcs, svc(`fill-${i}`))
        made.push(`fill-${i}`)
      } catch (e) {
        assert.ok(e instanceof ApiError)
        assert.equal(e.code, 500)
        assert.equal(e.reason, 'InternalError')
        assert.equal(e.message, 'Internal error occurred: failed to allocate a serviceIP: range is full')
        break
      }
    }
    assert.equal(made.length, 6) // a /29 has 6 assignable addresses
    await rejects(client.get({ ...svcs, name: `fill-${made.length}` }), 404, 'NotFound')
    for (const n of made) await client.delete({ ...svcs, name: n })
    assert.equal((await server.serviceIPs.allocated()).size, 0)
  })
})
