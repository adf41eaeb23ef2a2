// Steps about etcd, the cluster's store: its members (killed, restarted, lost with their data),
// its leader, snapshots and restores, writes through the API while members come and go (every
// acknowledged write is remembered and checked later), and write latency through the API by
// etcd cluster size.

import { Given, Then, When } from './define.js'
import { expect } from 'chai'
import {
  acknowledgedWrites,
  door,
  latencyTable,
  lostWrites,
  measureApiWriteLatency,
  writeProbe,
  type ApiWriteLatency,
  type WriteOutcome,
} from '../support/controlplane.js'
import { targetFor } from '../support/targets/registry.js'
import { eventually } from '../support/eventually.js'
import type { OckWorld } from '../support/world.js'

/** Members this scenario killed, most recent last (so "restarted" brings back the right one). */
const killed = new WeakMap<OckWorld, string[]>()
const snapshots = new WeakMap<OckWorld, string>()
const leaders = new WeakMap<OckWorld, string>()
const latencies = new WeakMap<OckWorld, ApiWriteLatency[]>()

function remember(world: OckWorld, name: string): void {
  killed.set(world, [...(killed.get(world) ?? []).filter((n) => n !== name), name])
}

Given('an etcd cluster of {int} members', function (this: OckWorld, n: number) {
  if (this.started) throw new Error('the cluster is already running; state its etcd cluster first')
  this.topology.store = 'etcd'
  this.topology.etcdTopology = 'external'
  this.topology.etcdMembers = n
})

When(['the etcd member {string} is killed', 'اتعمل kill للـ etcd member {string}'], async function (this: OckWorld, name: string) {
  await door(await this.cluster()).killEtcdMember(name)
  remember(this, name)
})

When(['the etcd leader is killed', 'اتعمل kill للـ etcd leader'], async function (this: OckWorld) {
  const d = door(await this.cluster())
  const leader = await d.waitForEtcdLeader(10_000)
  leaders.set(this, leader)
  await d.killEtcdMember(leader)
  remember(this, leader)
})

When(['every etcd member is killed', 'اتعمل kill لكل الـ etcd members'], async function (this: OckWorld) {
  const d = door(await this.cluster())
  for (const m of await d.etcdMembers()) {
    await d.killEtcdMember(m.name)
    remember(this, m.name)
  }
})

When(['the etcd member {string} is restarted', 'اتعمل restart للـ etcd member {string}'], async function (this: OckWorld, name: string) {
  await door(await this.cluster()).restartEtcdMember(name)
  killed.set(
    this,
    (killed.get(this) ?? []).filter((n) => n !== name),
  )
})

When(['every killed etcd member is restarted', 'اتعمل restart لكل الـ etcd members اللي اتعملها kill'], async function (this: OckWorld) {
  const d = door(await this.cluster())
  for (const name of killed.get(this) ?? []) await d.restartEtcdMember(name)
  killed.set(this, [])
  await d.waitForEtcdLeader(30_000)
})

Then(['the etcd cluster has exactly one leader', 'الـ etcd cluster ليه leader واحد بس'], async function (this: OckWorld) {
  const d = door(await this.cluster())
  const members = await eventually(
    () => d.etcdMembers(),
    (ms) => ms.filter((m) => m.leader).length === 1,
    10_000,
    { describe: 'exactly one etcd member to report itself leader' },
  )
  leaders.set(this, members.find((m) => m.leader)!.name)
  expect(
    members.filter((m) => m.leader).map((m) => m.name),
    'members that report themselves leader',
  ).to.have.length(1)
})

Then(
  ['within {duration} the etcd cluster has a new leader', 'خلال {duration} الـ etcd cluster يبقى ليه leader جديد'],
  async function (this: OckWorld, ms: number) {
    const d = door(await this.cluster())
    const before = leaders.get(this)
    const members = await eventually(
      () => d.etcdMembers(),
      (all) => {
        const now = all.filter((m) => m.leader)
        return now.length === 1 && now[0]!.name !== before
      },
      ms,
      { describe: `one etcd leader other than ${before ?? '(none recorded)'}` },
    )
    this.log(`etcd leader: ${before} -> ${members.find((m) => m.leader)!.name}`)
  },
)

When(['I take a snapshot of etcd', 'عملت snapshot للـ etcd'], async function (this: OckWorld) {
  snapshots.set(this, await door(await this.cluster()).snapshotEtcd())
})

When(
  [
    'every etcd member is lost with its data, and etcd is restored from the snapshot',
    'كل الـ etcd members ضاعت بالـ data بتاعتها، واتعمل restore للـ etcd من الـ snapshot',
  ],
  async function (this: OckWorld) {
    const file = snapshots.get(this)
    if (!file) throw new Error('no snapshot was taken in this scenario')
    const d = door(await this.cluster())
    await d.loseEtcd()
    await d.restoreEtcd(file)
  },
)

Then(['writes through the API succeed', 'الـ writes عن طريق الـ API بتنجح'], async function (this: OckWorld) {
  const s = await this.cluster()
  for (let i = 0; i < 3; i++) {
    const r = await writeProbe(this, s.kubeconfig, s.namespace)
    if (!r.ok) throw new Error(`a write was refused: ${r.status.code} ${r.status.reason}: ${r.status.message}`)
  }
})

Then(['within {duration} writes through the API succeed', 'خلال {duration} الـ writes عن طريق الـ API ترجع تنجح'], async function (this: OckWorld, ms: number) {
  const s = await this.cluster()
  await eventually(
    () => writeProbe(this, s.kubeconfig, s.namespace),
    (r) => r.ok,
    ms,
    { describe: 'a write through the API to be acknowledged' },
  )
})

Then(
  [
    'within {duration} writes through the API fail with a storage error naming the operation',
    'خلال {duration} الـ writes عن طريق الـ API تفشل بـ storage error فيه اسم الـ operation',
  ],
  async function (this: OckWorld, ms: number) {
    const s = await this.cluster()
    const r = await eventually(
      () => writeProbe(this, s.kubeconfig, s.namespace),
      (r) => !r.ok,
      ms,
      { describe: 'a write through the API to be refused' },
    )
    if (r.ok) throw new Error('unreachable')
    // upstream answers 500 ServerTimeout when storage is unavailable, 504 Timeout when it does not answer in time
    expect(`${r.status.code} ${r.status.reason}`, r.status.message).to.be.oneOf(['500 ServerTimeout', '504 Timeout'])
    expect(r.status.message.toLowerCase()).to.include('create operation against configmaps')
  },
)

Then(
  [
    'within {duration} writes through the API are refused for lack of quorum, and none is acknowledged',
    'خلال {duration} الـ writes عن طريق الـ API تترفض عشان مفيش quorum، ومفيش ولا write تتأكد',
  ],
  async function (this: OckWorld, ms: number) {
    const s = await this.cluster()
    const seen: WriteOutcome[] = []
    // until the store says it has no quorum (500 ServerTimeout); a write sent while the members
    // were still noticing may time out first (504, outcome unknown); none may be acknowledged
    await eventually(
      () => writeProbe(this, s.kubeconfig, s.namespace),
      (r) => {
        seen.push(r)
        return r.ok || `${r.status.code} ${r.status.reason}` === '500 ServerTimeout'
      },
      ms,
      { describe: 'a write through the API to be refused as storage unavailable (500 ServerTimeout)' },
    )
    expect(
      seen.flatMap((r) => (r.ok ? [r.write.name] : [])),
      'writes acknowledged without a quorum',
    ).to.deep.equal([])
    const last = seen.at(-1)!
    if (last.ok) throw new Error('unreachable')
    expect(last.status.message.toLowerCase()).to.include('create operation against configmaps')
    this.log(`refusals: ${seen.map((r) => (r.ok ? 'ok' : `${r.status.code} ${r.status.reason}`)).join(', ')}`)
  },
)

Then(['every write the API acknowledged is still readable', 'كل write الـ API أكدها لسه بتتقري'], async function (this: OckWorld) {
  const s = await this.cluster()
  const acked = acknowledgedWrites(this)
  expect(acked.length, 'writes acknowledged in this scenario').to.be.greaterThan(0)
  // reads go through the load balancer like any client's: right after a failover a request may
  // fail in flight, so they are retried (a write that is really missing stays missing)
  await eventually(
    () => lostWrites(this, s.kubeconfig, s.namespace),
    (lost) => void expect(lost, `lost among ${acked.length} acknowledged writes`).to.deep.equal([]),
    20_000,
    { describe: `every one of ${acked.length} acknowledged writes to be readable through the API` },
  )
  this.log(`${acked.length} acknowledged writes, 0 lost`)
})

When(
  [
    'I measure the write latency through the API of clusters with {int}, {int} and {int} etcd members',
    'قست الـ write latency عن طريق الـ API على clusters فيها {int} و {int} و {int} etcd members',
  ],
  async function (this: OckWorld, a: number, b: number, c: number) {
    const target = targetFor(this.parameters)
    const sizes = [a, b, c]
    // clusters alike but for their etcd: one master, an external etcd cluster, no worker nodes
    const opened = await Promise.allSettled(
      sizes.map((n) => target.open(`${this.scenarioId}-${n}m`, { store: 'etcd', etcdTopology: 'external', etcdMembers: n, nodes: 0, auditLog: true })),
    )
    const sessions = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
    try {
      const failed = opened.find((o) => o.status === 'rejected')
      if (failed) throw failed.reason
      const rows = await measureApiWriteLatency(
        sessions.map((s, i) => ({ etcdMembers: sizes[i]!, kubeconfig: s.kubeconfig, namespace: s.namespace, auditLogFile: s.auditLogFile! })),
        60,
      )
      latencies.set(this, rows)
      this.attach(latencyTable(rows), { mediaType: 'text/markdown', fileName: 'api-write-latency.md' })
      this.attach(JSON.stringify({ measured: new Date().toISOString(), unit: 'ms', sequentialCreatesPerCluster: 60, results: rows }, null, 2), {
        mediaType: 'application/json',
        fileName: 'api-write-latency.json',
      })
    } finally {
      await Promise.all(sessions.map((s) => s.close()))
    }
  },
)

Then(
  [
    'as the API servers time them, writes on {int} and {int} members are not faster than on {int} member, and on {int} members slower',
    'بتوقيت الـ API Servers، الـ writes على {int} و {int} members مش أسرع من {int} member، وعلى {int} members أبطأ',
  ],
  function (this: OckWorld, b: number, c: number, a: number, slower: number) {
    const rows = latencies.get(this)
    if (!rows) throw new Error('no latency was measured in this scenario')
    const p50 = (n: number): number => rows.find((r) => r.etcdMembers === n)!.serverP50
    // only the leader writes and it waits for a quorum to persist: more members add work, never
    // remove it. Timed from request received to response sent (the audit log's timestamps), the
    // store's share is large enough to see; timed at the client, TLS handshakes drown it.
    for (const n of [b, c]) expect(p50(n), `median write time on ${n} members vs ${p50(a)} ms on ${a}`).to.be.at.least(p50(a))
    // the replication work shows (here 5 members took 1.25-2x the time of 1): equal times would
    // mean the members do not all take part in a write
    expect(p50(slower), `median write time on ${slower} members vs ${p50(a)} ms on ${a}`).to.be.above(p50(a))
  },
)
