// Steps about the control plane's shape and failures: how many masters, where etcd runs
// (stacked or external) and which endpoints each API server uses, API servers dying behind the
// load-balanced address, and the controller manager's leader election through its Lease.

import { Given, Then, When } from './define.js'
import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { describeAuditEvent, readAuditLog, WRITE_VERBS, type AuditEvent } from '../support/audit.js'
import { door, etcdMemberLists, kubeconfigFor, leaseHolder, requestsInARow, startMasters, stopEveryMaster, writeProbe } from '../support/controlplane.js'
import { consistently, eventually } from '../support/eventually.js'
import { controlPlaneMismatch } from '../support/targets/shape.js'
import { targetFor } from '../support/targets/registry.js'
import { UnservedOperationError } from '../support/targets/target.js'
import { configurable, stateTimings } from '../support/topology.js'
import type { OckWorld } from '../support/world.js'

/** The Lease holder a step last read, and when (so later steps can ask who acted since). */
const holders = new WeakMap<OckWorld, { holder: string; at: number }>()

/** Each master's audit log: the API server that handled a request is the one whose log records it. */
async function auditLogs(world: OckWorld): Promise<{ master: string; events: AuditEvent[] }[]> {
  const masters = door(await world.cluster()).shape().masters
  if (masters.some((m) => !m.auditLog)) throw new Error('this scenario has no audit log: add "Given the API server writes an audit log" (and the @audit tag)')
  return Promise.all(masters.map(async (m) => ({ master: m.name, events: await readAuditLog(m.auditLog!) })))
}

const at = (e: AuditEvent): number => Date.parse(e.requestReceivedTimestamp.replace(/(\.\d{3})\d*Z$/, '$1Z'))

function configure(world: OckWorld): OckWorld['topology'] {
  if (world.started) throw new Error('the cluster is already running; state its shape before the first step that uses it')
  return world.topology
}

// The built-in target starts a control plane of that shape; on a shared cluster the scenario
// runs when its configuration describes that shape (`controlPlane`), and is skipped otherwise.
Given(
  ['a control plane of {int} masters with {word} etcd', 'control plane فيه {int} masters بـ {word} etcd'],
  async function (this: OckWorld, masters: number, where: string) {
    if (where !== 'stacked' && where !== 'external') throw new Error(`etcd is stacked or external, not "${where}"`)
    if (!(await configurable(this))) {
      const described = targetFor(this.parameters).described?.()
      const why = controlPlaneMismatch(described?.controlPlane, { masters, etcdTopology: where }, described?.file)
      if (why) throw new UnservedOperationError(why)
      return
    }
    const t = configure(this)
    t.masters = masters
    t.store = 'etcd'
    t.etcdTopology = where
  },
)

// stated timings: the built-in cluster runs with them, a shared one's own stand in (stateTimings)
Given(
  [
    'the leader election lease duration is {duration}, renew deadline {duration} and retry period {duration}',
    'مدة الـ leader election lease هي {duration}، والـ renew deadline {duration}، والـ retry period {duration}',
  ],
  async function (this: OckWorld, lease: number, renew: number, retry: number) {
    await stateTimings(this, { leaseDuration: lease, renewDeadline: renew, retryPeriod: retry })
  },
)

Then(
  [
    "etcd's own member list names {int} members of one cluster, and every API server uses some of them",
    'الـ member list بتاعة etcd نفسه فيها {int} members من cluster واحد، وكل API Server بيستخدم شوية منهم',
  ],
  async function (this: OckWorld, n: number) {
    const shape = door(await this.cluster()).shape()
    // each member is asked on its own: members of one cluster agree on its id and its members
    const lists = await etcdMemberLists(shape.etcdMembers.map((m) => m.clientUrl))
    for (const l of lists) {
      expect(l.clusterId, `the cluster id ${l.endpoint} reports (others: ${lists.map((x) => x.clusterId).join(', ')})`).to.equal(lists[0]!.clusterId)
      expect(l.members.map((m) => m.name).sort(), `the members ${l.endpoint} lists`)
        .to.have.length(n)
        .and.deep.equal(lists[0]!.members.map((m) => m.name).sort())
    }
    const urls = new Set(lists[0]!.members.flatMap((m) => m.clientUrls))
    for (const m of shape.masters) {
      expect(m.etcdEndpoints, `etcd endpoints of ${m.name}'s API server`).to.not.be.empty
      for (const e of m.etcdEndpoints) expect([...urls], `client URLs of the etcd members (${m.name}'s API server uses ${e})`).to.include(e)
    }
  },
)

When(['the etcd member on {string} is killed', 'اتعمل kill للـ etcd member اللي على {string}'], async function (this: OckWorld, master: string) {
  const d = door(await this.cluster())
  const member = d.shape().etcdMembers.find((m) => m.host === master)
  if (!member) throw new Error(`no etcd member runs on ${master} (stacked etcd has one per master)`)
  await d.killEtcdMember(member.name)
})

Then(
  [
    'within {duration} the API server of {string} refuses writes, and every other API server accepts them',
    'خلال {duration} الـ API Server بتاع {string} يرفض الـ writes، وكل API Server تاني يقبلها',
  ],
  async function (this: OckWorld, ms: number, master: string) {
    const s = await this.cluster()
    const masters = door(s).shape().masters
    const lost = masters.find((m) => m.name === master)
    if (!lost) throw new Error(`no master "${master}"`)
    const r = await eventually(
      () => writeProbe(this, kubeconfigFor(s.kubeconfig, lost.apiServer), s.namespace),
      (w) => !w.ok,
      ms,
      { describe: `a write through ${master}'s API server to be refused` },
    )
    if (r.ok) throw new Error('unreachable')
    expect(`${r.status.code} ${r.status.reason}`, `the refusal of ${master}'s API server: ${r.status.message}`).to.be.oneOf([
      '500 ServerTimeout',
      '504 Timeout',
    ])
    await writesThroughEach(
      this,
      masters.filter((m) => m !== lost),
    )
  },
)

Then(['every API server accepts writes', 'كل API Server بيقبل الـ writes'], async function (this: OckWorld) {
  await writesThroughEach(this, door(await this.cluster()).shape().masters)
})

/** Three writes straight to each of these masters' API servers, all acknowledged. */
async function writesThroughEach(world: OckWorld, masters: { name: string; apiServer: string }[]): Promise<void> {
  const s = await world.cluster()
  for (const m of masters) {
    for (let i = 0; i < 3; i++) {
      const w = await writeProbe(world, kubeconfigFor(s.kubeconfig, m.apiServer), s.namespace)
      if (!w.ok) throw new Error(`a write through ${m.name}'s API server was refused: ${w.status.code} ${w.status.reason}: ${w.status.message}`)
    }
  }
}

When(['the API server of {string} is killed', 'اتعمل kill للـ API Server بتاع {string}'], async function (this: OckWorld, master: string) {
  await door(await this.cluster()).killApiServer(master)
})

Then(
  ['{int} requests in a row through the cluster address succeed', '{int} request ورا بعض عن طريق الـ cluster address بينجحوا'],
  async function (this: OckWorld, n: number) {
    const s = await this.cluster()
    expect(await requestsInARow(s.kubeconfig, n), `failed requests out of ${n}`).to.deep.equal([])
  },
)

Then(
  [
    '{int} requests in a row through the cluster address succeed, answered by {int} API servers',
    '{int} request ورا بعض عن طريق الـ cluster address بينجحوا، ورد عليهم {int} API Servers',
  ],
  async function (this: OckWorld, n: number, servers: number) {
    const s = await this.cluster()
    const tag = `ock-probe=${randomUUID()}`
    expect(await requestsInARow(s.kubeconfig, n, tag), `failed requests out of ${n}`).to.deep.equal([])
    // a request is in the audit log of the API server that answered it
    const selector = encodeURIComponent(tag)
    const answered = await eventually(
      async () =>
        (await auditLogs(this)).map((l) => ({
          master: l.master,
          // answered with success: a request sent again after its connection was cut unanswered (requestsInARow) may end on the first API server too, refused
          n: l.events.filter((e) => e.stage === 'ResponseComplete' && (e.responseStatus?.code ?? 0) < 400 && e.requestURI.includes(selector)).length,
        })),
      (per) => per.reduce((a, p) => a + p.n, 0) === n,
      5_000,
      { describe: `the ${n} requests in the masters' audit logs` },
    )
    this.log(`requests answered per API server: ${answered.map((p) => `${p.master} ${p.n}`).join(', ')}`)
    expect(
      answered.filter((p) => p.n > 0).map((p) => p.master),
      `API servers that answered (of ${answered.map((p) => `${p.master}: ${p.n}`).join(', ')})`,
    ).to.have.length(servers)
  },
)

Given(['the controller manager is stopped', 'الـ Controller Manager وقف'], async function (this: OckWorld) {
  const d = door(await this.cluster())
  for (const m of d.shape().masters) await d.crashControllerManager(m.name)
})

When(['the controller manager is started', 'الـ Controller Manager اشتغل'], async function (this: OckWorld) {
  const d = door(await this.cluster())
  for (const m of d.shape().masters) await d.startControllerManager(m.name)
})

type Component = 'controller manager' | 'scheduler'

async function readActive(world: OckWorld, name: string, namespace: string): Promise<void> {
  const s = await world.cluster()
  const holder = await eventually(
    () => leaseHolder(s.kubeconfig, namespace, name),
    (h) => Boolean(h),
    10_000,
    { describe: `Lease ${namespace}/${name} to have a holder` },
  )
  expect(door(s).masterOfIdentity(holder!), `the master whose component is "${holder}"`).to.be.a('string')
  holders.set(world, { holder: holder!, at: Date.now() })
}

async function killActive(world: OckWorld, component: Component): Promise<void> {
  const s = await world.cluster()
  const holder = holders.get(world)?.holder
  if (!holder) throw new Error('no Lease holder was read in this scenario')
  const master = door(s).masterOfIdentity(holder)!
  if (component === 'scheduler') await door(s).crashScheduler(master)
  else await door(s).crashControllerManager(master)
}

Then(
  ['the Lease {string} in {string} names the active controller manager', 'الـ Lease {string} في {string} فيها اسم الـ Controller Manager الـ active'],
  async function (this: OckWorld, name: string, namespace: string) {
    await readActive(this, name, namespace)
  },
)

Then(
  ['the Lease {string} in {string} names the active scheduler', 'الـ Lease {string} في {string} فيها اسم الـ Scheduler الـ active'],
  async function (this: OckWorld, name: string, namespace: string) {
    await readActive(this, name, namespace)
  },
)

When(['the active controller manager is killed', 'اتعمل kill للـ Controller Manager الـ active'], async function (this: OckWorld) {
  await killActive(this, 'controller manager')
})

When(['the active scheduler is killed', 'اتعمل kill للـ Scheduler الـ active'], async function (this: OckWorld) {
  await killActive(this, 'scheduler')
})

Then(
  ['within {duration} the Lease {string} in {string} names another holder', 'خلال {duration} الـ Lease {string} في {string} يبقى فيها اسم holder تاني'],
  async function (this: OckWorld, ms: number, name: string, namespace: string) {
    const s = await this.cluster()
    const before = holders.get(this)?.holder
    const t0 = performance.now()
    const now = await eventually(
      () => leaseHolder(s.kubeconfig, namespace, name),
      (h) => Boolean(h) && h !== before,
      ms,
      { describe: `Lease ${namespace}/${name} to name a holder other than ${before}` },
    )
    this.log(`Lease ${namespace}/${name}: ${before} -> ${now} after ${Math.round(performance.now() - t0)} ms`)
    holders.set(this, { holder: now!, at: Date.now() })
  },
)

Then(
  ['for {duration} no write as {string} succeeds, and its requests fail', 'لمدة {duration} مفيش write باسم {string} بتنجح، والـ requests بتاعته بتفشل'],
  async function (this: OckWorld, ms: number, user: string) {
    const since = Date.now()
    let seen: AuditEvent[] = []
    // every API server's audit log: a component may talk to any of them
    await consistently(
      async () =>
        (seen = (await auditLogs(this)).flatMap((l) => l.events.filter((e) => e.stage === 'ResponseComplete' && e.user.username === user && at(e) >= since))),
      (events) =>
        void expect(
          events.filter((e) => WRITE_VERBS.includes(e.verb) && (e.responseStatus?.code ?? 0) < 400).map(describeAuditEvent),
          `writes as ${user} answered with success`,
        ).to.deep.equal([]),
      ms,
      { describe: `no write as ${user} succeeding`, intervalMs: 500 },
    )
    const failed = seen.filter((e) => (e.responseStatus?.code ?? 0) >= 500)
    expect(failed.length, `requests as ${user} answered with a 5xx (it kept trying: ${seen.length} requests)`).to.be.greaterThan(0)
    this.log(`${seen.length} requests as ${user}, ${failed.length} answered 5xx, no write succeeded`)
  },
)

Then(
  [
    'only the master holding the Lease {string} in {string} has written as {string} since the Lease was read',
    'الـ master اللي ماسك الـ Lease {string} في {string} هو بس اللي كتب باسم {string} من ساعة ما الـ Lease اتقرت',
  ],
  async function (this: OckWorld, name: string, namespace: string, user: string) {
    const s = await this.cluster()
    const read = holders.get(this)
    if (!read) throw new Error('no earlier step read the Lease ("the Lease ... names the active ...")')
    // leadership that moved or flapped since is itself a second component acting
    expect(await leaseHolder(s.kubeconfig, namespace, name), `the holder of Lease ${namespace}/${name} now`).to.equal(read.holder)
    const holderMaster = door(s).masterOfIdentity(read.holder)
    const writes = (await auditLogs(this)).map((l) => ({
      master: l.master,
      writes: l.events.filter((e) => e.stage === 'ResponseComplete' && e.user.username === user && WRITE_VERBS.includes(e.verb) && at(e) >= read.at),
    }))
    const elsewhere = writes.filter((w) => w.master !== holderMaster).flatMap((w) => w.writes.map((e) => `${w.master}: ${describeAuditEvent(e)}`))
    expect(elsewhere, `writes as ${user} through the API servers of masters other than ${holderMaster} (the Lease holder's)`).to.deep.equal([])
    const own = writes.find((w) => w.master === holderMaster)?.writes ?? []
    expect(own.length, `writes as ${user} through ${holderMaster}'s API server (its component must have acted)`).to.be.greaterThan(0)
    this.log(`${own.length} writes as ${user}, all from ${holderMaster}`)
  },
)

When(['every master is stopped', 'كل الـ masters وقفت'], async function (this: OckWorld) {
  this.remembered.stoppedMasters = await stopEveryMaster(door(await this.cluster()))
})

When(['every stopped master is started again', 'كل الـ masters اللي وقفت رجعت اشتغلت'], async function (this: OckWorld) {
  const names = this.remembered.stoppedMasters
  if (!names) throw new Error('no earlier step stopped the masters ("every master is stopped")')
  await startMasters(door(await this.cluster()), names)
})
