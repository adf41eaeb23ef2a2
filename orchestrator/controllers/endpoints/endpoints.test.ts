import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { Endpoints, Pod, Service } from '../../api/types.js'
import { ApiServer } from '../../apiserver/server.js'
import { ApiClient } from '../../client/client.js'
import { createCertificateAuthority, Identities } from '../../pki/pki.js'
import { MemoryStore } from '../../store/memory.js'
import { ControllerManager } from '../manager.js'
import type { KObject } from '../../api/meta.js'
import { pod as build, type PodOptions } from '../../testing/objects.js'
import { fakeBed } from '../fake.testing.js'
import { canonical, desiredSubsets, EndpointsController, findPort, podInEndpoints } from './endpoints.js'

/** A pod of the `web` service in `shop`, Running and ready on node-1, serving `http` on 8080. */
function pod(name: string, o: PodOptions & { ports?: { name: string; containerPort: number }[] } = {}): Pod {
  const { ports = [{ name: 'http', containerPort: 8080 }], ...rest } = o
  return build({
    name,
    namespace: 'shop',
    labels: { app: 'web' },
    node: 'node-1',
    phase: 'Running',
    ready: true,
    containers: [{ name: 'app', image: 'i', ports }],
    ...rest,
  })
}

function service(
  ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never,
  extra: Partial<NonNullable<Service['spec']>> = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, ports, ...extra },
  }
}

const addr = (ip: string, name: string) => ({ ip, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'shop', name, uid: `uid-${name}` } })

describe('endpoints of a service', () => {
  it('finds the target port by number or by container port name', () => {
    const p = pod('a', { ports: [{ name: 'http', containerPort: 8080 }] })
    assert.equal(findPort(p, { port: 80, targetPort: 8080 }), 8080)
    assert.equal(findPort(p, { port: 80, targetPort: 'http' }), 8080)
    assert.equal(findPort(p, { port: 80 }), 80)
    assert.equal(findPort(p, { port: 80, targetPort: 'metrics' }), undefined)
    assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' }), undefined)
  })

  it('leaves out pods without an IP, finished pods and pods being deleted', () => {
    const table: [Pod, boolean, boolean][] = [
      [pod('a', { ip: '127.1.0.2' }), false, true],
      [pod('a'), false, false],
      [pod('a', { ip: '127.1.0.2', phase: 'Succeeded' }), false, false],
      [pod('a', { ip: '127.1.0.2', phase: 'Failed' }), true, false],
      [pod('a', { ip: '127.1.0.2', deleting: true }), false, false],
      [pod('a', { ip: '127.1.0.2', deleting: true }), true, true],
    ]
    for (const [p, includeTerminating, want] of table)
      assert.equal(podInEndpoints(p, includeTerminating), want, JSON.stringify([p.status, p.metadata?.deletionTimestamp, includeTerminating]))
  })

  it('lists ready pods as addresses and the others as notReadyAddresses, with the service port names', () => {
    const svc = service([{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }])
    const pods = [
      pod('b', { ip: '127.1.0.10' }),
      pod('a', { ip: '127.1.0.9' }),
      pod('c', { ip: '127.1.0.3', ready: false }),
      pod('d'),
      pod('e', { ip: '127.1.0.4', deleting: true }),
    ]
    assert.deepEqual(desiredSubsets(svc, pods), [
      {
        addresses: [addr('127.1.0.9', 'a'), addr('127.1.0.10', 'b')],
        notReadyAddresses: [addr('127.1.0.3', 'c')],
        ports: [{ name: 'web', port: 8080, protocol: 'TCP' as const }],
      },
    ])
  })

  it('gives a pod its hostname when its subdomain names the service (StatefulSet pods), not otherwise', () => {
    const svc = service([{ port: 80, targetPort: 8080, protocol: 'TCP' }], { clusterIP: 'None' })
    const named = (name: string, ip: string, subdomain: string): Pod => {
      const p = pod(name, { ip })
      p.spec = { ...p.spec!, hostname: name, subdomain }
      return p
    }
    const subsets = desiredSubsets(svc, [named('web-0', '127.1.0.2', 'web'), named('other-0', '127.1.0.3', 'other')])
    assert.deepEqual(
      subsets?.[0]?.addresses?.map((a) => [a.targetRef?.name, a.hostname]),
      [
        ['web-0', 'web-0'],
        ['other-0', undefined],
      ],
    )
  })

  it('puts pods whose ports resolve differently in subsets of their own, and skips pods without the port', () => {
    const svc = service([{ port: 80, targetPort: 'http', protocol: 'TCP' }])
    const pods = [
      pod('a', { ip: '127.1.0.2' }),
      pod('b', { ip: '127.1.0.3', ports: [{ name: 'http', containerPort: 9090 }] }),
      pod('c', { ip: '127.1.0.4', ports: [] }),
    ]
    assert.deepEqual(desiredSubsets(svc, pods), [
      { addresses: [addr('127.1.0.2', 'a')], ports: [{ port: 8080, protocol: 'TCP' }] },
      { addresses: [addr('127.1.0.3', 'b')], ports: [{ port: 9090, protocol: 'TCP' }] },
    ])
  })

  it('publishes unready pods as ready when the service says so; leaves services without a selector alone', () => {
    const svc = service([{ port: 80, targetPort: 8080, protocol: 'TCP' }], { publishNotReadyAddresses: true })
    assert.deepEqual(
      desiredSubsets(svc, [pod('a', { ip: '127.1.0.2', ready: false })])?.[0]?.addresses?.map((a) => a.ip),
      ['127.1.0.2'],
    )
    assert.equal(desiredSubsets({ ...svc, spec: { ports: svc.spec!.ports } }, []), undefined)
    assert.deepEqual(desiredSubsets(service([{ port: 80, protocol: 'TCP' }]), []), [])
  })

  it('compares what the API returns with what is wanted regardless of key order and empty lists', () => {
    assert.equal(
      canonical([{ ports: [{ port: 1, name: 'a' }], addresses: [], notReadyAddresses: [{ ip: 'x' }] }]),
      canonical([{ notReadyAddresses: [{ ip: 'x' }], ports: [{ name: 'a', port: 1 }] }]),
    )
    assert.notEqual(canonical([{ addresses: [{ ip: 'x' }] }]), canonical([{ notReadyAddresses: [{ ip: 'x' }] }]))
  })
})

describe('the endpoints controller against the fake client (no API server)', () => {
  const svc = (extra: Partial<NonNullable<Service['spec']>> = {}): Service => service([{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }], extra)
  const subsets = (ready: [string, string][], notReady: [string, string][] = []): NonNullable<Endpoints['subsets']> => [
    {
      addresses: ready.map(([ip, name]) => addr(ip, name)),
      ...(notReady.length ? { notReadyAddresses: notReady.map(([ip, name]) => addr(ip, name)) } : {}),
      ports: [{ name: 'web', port: 8080, protocol: 'TCP' as const }],
    },
  ]
  const endpoints = (subsets: Endpoints['subsets'], labels: Record<string, string> = { tier: 'front' }): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'shop', labels },
    subsets,
  })
  const other = build({ name: 'other', namespace: 'shop', labels: { app: 'db' }, phase: 'Running', ready: true, ip: '127.1.0.99' })

  const cases: { name: string; objects: KObject[]; writes: string[]; subsets?: Endpoints['subsets']; labels?: Record<string, string> }[] = [
    {
      name: 'creates the Endpoints of a new service: ready pods as addresses, unready ones apart, other pods left out',
      objects: [svc(), pod('a', { ip: '127.1.0.2' }), pod('b', { ip: '127.1.0.3', ready: false }), pod('c'), other],
      writes: ['create endpoints web'],
      subsets: subsets([['127.1.0.2', 'a']], [['127.1.0.3', 'b']]),
      labels: { tier: 'front' },
    },
    {
      name: 'creates empty Endpoints for a service no pod matches',
      objects: [svc(), other],
      writes: ['create endpoints web'],
      subsets: [],
    },
    {
      name: 'writes nothing when the Endpoints are already right',
      objects: [svc(), pod('a', { ip: '127.1.0.2' }), endpoints(subsets([['127.1.0.2', 'a']]))],
      writes: [],
    },
    {
      name: 'updates Endpoints that fell behind: a pod turned ready',
      objects: [svc(), pod('a', { ip: '127.1.0.2' }), pod('b', { ip: '127.1.0.3' }), endpoints(subsets([['127.1.0.2', 'a']], [['127.1.0.3', 'b']]))],
      writes: ['update endpoints web'],
      subsets: subsets([
        ['127.1.0.2', 'a'],
        ['127.1.0.3', 'b'],
      ]),
    },
    {
      name: 'updates the labels when only the service labels changed; a headless service marks its Endpoints',
      objects: [svc({ clusterIP: 'None' }), endpoints([])],
      writes: ['update endpoints web'],
      subsets: [],
      labels: { tier: 'front', 'service.kubernetes.io/headless': '' },
    },
    {
      name: 'publishes unready pods as ready when the service says so',
      objects: [svc({ publishNotReadyAddresses: true }), pod('a', { ip: '127.1.0.2', ready: false })],
      writes: ['create endpoints web'],
      subsets: subsets([['127.1.0.2', 'a']]),
    },
    {
      name: 'deletes the Endpoints of a service that is gone',
      objects: [pod('a', { ip: '127.1.0.2' }), endpoints(subsets([['127.1.0.2', 'a']]))],
      writes: ['delete endpoints web'],
    },
    {
      name: "leaves a service without a selector alone (its Endpoints are the user's)",
      objects: [{ ...svc(), spec: { ports: [{ port: 80 }] } }, endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])],
      writes: [],
    },
    {
      name: 'leaves an ExternalName service alone',
      objects: [svc({ type: 'ExternalName', externalName: 'example.com' }), pod('a', { ip: '127.1.0.2' })],
      writes: [],
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects)
      try {
        await bed.sync(new EndpointsController(bed.ctx), 'shop/web')
        assert.deepEqual(bed.writes(), tc.writes)
        const stored = bed.client.stored<Endpoints>({ group: '', version: 'v1', resource: 'endpoints', namespace: 'shop', name: 'web' })
        if (tc.subsets) assert.equal(canonical(stored?.subsets ?? []), canonical(tc.subsets))
        if (tc.labels) assert.deepEqual(stored?.metadata?.labels, tc.labels)
        assert.deepEqual(bed.recorder.events, [])
      } finally {
        bed.stop()
      }
    })
  }

  it('a conflict on update is returned for a retry, without an event (the cache is behind)', async () => {
    const bed = fakeBed([svc(), pod('a', { ip: '127.1.0.2' }), endpoints([])])
    try {
      bed.client.prependReactor(
        'update',
        'endpoints',
        () =>
          new ApiError(
            409,
            'Conflict',
            'Operation cannot be fulfilled on endpoints "web": the object has been modified; please apply your changes to the latest version and try again',
          ),
      )
      await assert.rejects(bed.sync(new EndpointsController(bed.ctx), 'shop/web'), /the object has been modified/)
      assert.deepEqual(bed.recorder.events, [])
    } finally {
      bed.stop()
    }
  })
})

describe('the endpoints controller in a control plane', () => {
  let server: ApiServer
  let admin: ApiClient
  let manager: ControllerManager
  before(async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    server = new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving, serviceClusterIPRange: '127.95.7.0/24' })
    await server.start()
    const client = async (id: { commonName: string; organizations: readonly string[] }) => {
      const creds = await ca.issue({ ...id, organizations: [...id.organizations], usage: 'client' })
      return new ApiClient({ server: server.url, caPem: ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: id.commonName, timeoutMs: 5_000 })
    }
    admin = await client(Identities.admin)
    // the controller manager's own identity: RBAC must let it write endpoints
    manager = new ControllerManager(await client(Identities.controllerManager), { controllers: ['endpoint'] })
    await manager.start()
  })
  after(async () => {
    await manager.stop()
    admin.close()
    await server.stop()
  })

  const ref = (resource: string, name?: string, subresource?: string) => ({ group: '', version: 'v1', resource, namespace: 'default', name, subresource })
  const until = async <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + 5_000
    let last: unknown
    for (;;) {
      try {
        const v = await fn()
        if (v !== undefined) return v
      } catch (e) {
        last = e
      }
      if (Date.now() > end) assert.fail(`${what} (last error: ${last instanceof Error ? last.message : String(last)})`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  const endpoints = () => admin.get<Endpoints>(ref('endpoints', 'web'))

  it('follows pods as they get IPs, turn ready or unready, and go away; deletes the endpoints with the service', async () => {
    await admin.create(ref('services'), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    })
    const empty = await until('an empty Endpoints', async () => endpoints())
    assert.deepEqual(empty.subsets ?? [], [])
    assert.deepEqual(empty.metadata?.labels, { tier: 'front' })
    await admin.create(ref('serviceaccounts'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })
    for (const name of ['a', 'b']) {
      await admin.create(ref('pods'), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'web' } },
        spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'i', ports: [{ name: 'http', containerPort: 8080 }] }] },
      })
    }
    const status = (name: string, ip: string, ready: boolean) =>
      admin.patch(ref('pods', name, 'status'), { status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } })
    await status('a', '127.95.8.2', true)
    await status('b', '127.95.8.3', false)
    const both = await until('a ready and b not ready', async () => {
      const e = await endpoints()
      return e.subsets?.[0]?.addresses?.length === 1 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined
    })
    assert.deepEqual(both.subsets, [
      {
        addresses: [
          {
            ip: '127.95.8.2',
            nodeName: 'node-1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: (await admin.get(ref('pods', 'a'))).metadata?.uid },
          },
        ],
        notReadyAddresses: [
          {
            ip: '127.95.8.3',
            nodeName: 'node-1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: (await admin.get(ref('pods', 'b'))).metadata?.uid },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ])
    await status('b', '127.95.8.3', true)
    await until('both ready', async () => ((await endpoints()).subsets?.[0]?.addresses?.length === 2 ? true : undefined))
    await admin.delete(ref('pods', 'a'), { gracePeriodSeconds: 0 })
    await until('a gone', async () => {
      const ips = (await endpoints()).subsets?.flatMap((s) => s.addresses ?? []).map((x) => x.ip)
      return ips?.length === 1 && ips[0] === '127.95.8.3' ? true : undefined
    })
    // someone else's edit is put right
    await admin.update(ref('endpoints', 'web'), { ...(await endpoints()), subsets: [] })
    await until('repaired', async () => ((await endpoints()).subsets?.[0]?.addresses?.length === 1 ? true : undefined))
    // settled: no further writes
    const rv = (await endpoints()).metadata?.resourceVersion
    await new Promise((r) => setTimeout(r, 300))
    assert.equal((await endpoints()).metadata?.resourceVersion, rv)
    await admin.delete(ref('services', 'web'))
    await until('the endpoints are deleted with the service', async () => {
      try {
        await endpoints()
        return undefined
      } catch (e) {
        return (e as { code?: number }).code === 404 ? true : undefined
      }
    })
  })
})
