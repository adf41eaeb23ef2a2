import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { Identities } from '../pki/pki.js'
import { Cluster } from './cluster.js'
import { UnsupportedTopologyError, validateTopology } from './topology.js'
import type { ApiClient } from '../client/client.js'

/** Polls until `cond` holds (a bounded wait for an asynchronous outcome, not a sleep). */
async function until<T>(what: string, probe: () => Promise<T> | T, cond: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms
  let last: T | undefined
  for (;;) {
    try {
      last = await probe()
      if (cond(last)) return last
    } catch {
      // not yet
    }
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const holder = async (c: ApiClient): Promise<string> =>
  (await c.request<{ spec?: { holderIdentity?: string } }>('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).spec
    ?.holderIdentity ?? ''

describe('topology validation', () => {
  const bad: [string, Parameters<typeof validateTopology>[0], RegExp][] = [
    ['zero masters', { masters: 0 }, /--masters/],
    ['a topology without etcd', { etcdTopology: 'external' }, /needs --store etcd/],
    ['members for stacked etcd', { store: 'etcd', etcdTopology: 'stacked', etcdMembers: 5 }, /external etcd/],
    ['an unknown topology', { store: 'etcd', etcdTopology: 'mesh' as never }, /stacked or external/],
  ]
  for (const [what, t, message] of bad) {
    it(`refuses ${what}`, () =>
      assert.throws(
        () => validateTopology(t),
        (e: unknown) => e instanceof UnsupportedTopologyError && message.test(e.message),
      ))
  }
  it('accepts 3 masters on external etcd with 5 members', () => validateTopology({ masters: 3, store: 'etcd', etcdTopology: 'external', etcdMembers: 5 }))
})

describe('a control plane of 3 masters (memory store)', () => {
  let cluster: Cluster
  let admin: ApiClient
  after(async () => {
    admin?.close()
    await cluster?.stop()
  })

  it('serves one address in front of 3 API servers, with exactly one controller manager leading', async () => {
    cluster = await Cluster.start({ masters: 3, leaderElection: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 } })
    admin = await cluster.client(Identities.admin)
    assert.equal(cluster.describe().masters.length, 3)
    assert.notEqual(cluster.url, cluster.masters[0]!.apiServerUrl, 'the cluster address is the load balancer')
    const leaders = cluster.masters.filter((m) => m.controllerManager.isLeader)
    assert.equal(leaders.length, 1)
    assert.equal(await holder(admin), leaders[0]!.controllerManager.identity, 'the Lease names the leader')
  })

  it('keeps answering through the load balancer when an API server dies', async () => {
    await cluster.killApiServer('master-1')
    // a connection the load balancer had sent to master-1 dies with it (as through HAProxy);
    // the client's next connection goes to a live API server, and from then on all answer
    await until(
      'an answer through the load balancer',
      () => admin.request('GET', '/api/v1/namespaces', { query: { limit: 1 } }),
      () => true,
      5_000,
    )
    for (let i = 0; i < 20; i++) await admin.request('GET', '/api/v1/namespaces', { query: { limit: 1 } })
    await cluster.restartApiServer('master-1')
    await admin.request('GET', '/api/v1/namespaces/default')
  })

  it('hands the Lease to a standby when the leader crashes, and the new leader acts', async () => {
    const old = cluster.controllerManagerLeader()!
    const oldIdentity = old.controllerManager.identity
    await cluster.crashControllerManager(old.name)
    const t0 = Date.now()
    const next = await until(
      'another holder',
      () => holder(admin),
      (h) => h !== '' && h !== oldIdentity,
      10_000,
    )
    const took = Date.now() - t0
    assert.ok(took <= 3000 + 2 * 500 + 1500, `failover took ${took} ms with a 3 s lease`)
    assert.ok(cluster.masters.some((m) => m.controllerManager.identity === next && m.controllerManager.isLeader))
    await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'gone-soon' } } })
    await admin.request('DELETE', '/api/v1/namespaces/gone-soon')
    await until(
      'namespace gone-soon to be finalized',
      () =>
        admin.request('GET', '/api/v1/namespaces/gone-soon').then(
          () => 'present',
          () => 'gone',
        ),
      (v) => v === 'gone',
      10_000,
    )
  })

  it('releases the Lease on a clean stop so a standby takes over at once', async () => {
    const leader = cluster.controllerManagerLeader()!
    await leader.controllerManager.stop()
    const released = await holder(admin)
    assert.notEqual(released, leader.controllerManager.identity)
    await until(
      'a new holder',
      () => holder(admin),
      (h) => h !== '' && h !== leader.controllerManager.identity,
      5_000,
    )
  })
})
