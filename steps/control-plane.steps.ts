// Steps about the control plane's shape and failures: how many masters, where etcd runs
// (stacked or external) and which endpoints each API server uses, API servers dying behind the
// load-balanced address, and the controller manager's leader election through its Lease.

import { Given, Then, When } from './define.js'
import { expect } from 'chai'
import { door, leaseHolder, requestsInARow, startMasters, stopEveryMaster } from '../support/controlplane.js'
import { eventually } from '../support/eventually.js'
import type { OckWorld } from '../support/world.js'

const holders = new WeakMap<OckWorld, string>()

function configure(world: OckWorld): OckWorld['topology'] {
  if (world.started) throw new Error('the cluster is already running; state its shape before the first step that uses it')
  return world.topology
}

Given('a control plane of {int} masters with {word} etcd', function (this: OckWorld, masters: number, where: string) {
  if (where !== 'stacked' && where !== 'external') throw new Error(`etcd is stacked or external, not "${where}"`)
  const t = configure(this)
  t.masters = masters
  t.store = 'etcd'
  t.etcdTopology = where
})

Given('the leader election lease duration is {duration}, renew deadline {duration} and retry period {duration}', function (this: OckWorld, lease: number, renew: number, retry: number) {
  const t = configure(this)
  t.timings = { ...t.timings, leaseDuration: lease, renewDeadline: renew, retryPeriod: retry }
})

Then('each API server uses only the etcd member on its own master', async function (this: OckWorld) {
  const shape = door(await this.cluster()).shape()
  expect(shape.etcdTopology).to.equal('stacked')
  expect(shape.etcdMembers.length, 'one etcd member per master').to.equal(shape.masters.length)
  shape.masters.forEach((m, i) => expect(m.etcdEndpoints, `etcd endpoints of ${m.name}'s API server`).to.deep.equal([shape.etcdMembers[i]!.clientUrl]))
})

Then('every API server uses every member of the separate etcd cluster', async function (this: OckWorld) {
  const shape = door(await this.cluster()).shape()
  expect(shape.etcdTopology).to.equal('external')
  const all = shape.etcdMembers.map((m) => m.clientUrl)
  for (const m of shape.masters) expect(m.etcdEndpoints, `etcd endpoints of ${m.name}'s API server`).to.deep.equal(all)
})

Then('the cluster address is a load balancer in front of {int} API servers', async function (this: OckWorld, n: number) {
  const s = await this.cluster()
  const shape = door(s).shape()
  expect(shape.loadBalancer, 'the load balancer address').to.equal(s.server)
  expect(shape.masters.filter((m) => m.up).length, 'API servers up').to.equal(n)
})

When('the API server of {string} is killed', async function (this: OckWorld, master: string) {
  await door(await this.cluster()).killApiServer(master)
})

Then('{int} requests in a row through the cluster address succeed', async function (this: OckWorld, n: number) {
  const s = await this.cluster()
  expect(await requestsInARow(s.kubeconfig, n), `failed requests out of ${n}`).to.deep.equal([])
})

Given('the controller manager is stopped', async function (this: OckWorld) {
  const d = door(await this.cluster())
  for (const m of d.shape().masters) await d.crashControllerManager(m.name)
})

When('the controller manager is started', async function (this: OckWorld) {
  const d = door(await this.cluster())
  for (const m of d.shape().masters) await d.startControllerManager(m.name)
})

type Component = 'controller manager' | 'scheduler'

async function readActive(world: OckWorld, name: string, namespace: string): Promise<void> {
  const s = await world.cluster()
  const holder = await eventually(() => leaseHolder(s.kubeconfig, namespace, name), (h) => Boolean(h), 10_000, { describe: `Lease ${namespace}/${name} to have a holder` })
  expect(door(s).masterOfIdentity(holder!), `the master whose component is "${holder}"`).to.be.a('string')
  holders.set(world, holder!)
}

async function killActive(world: OckWorld, component: Component): Promise<void> {
  const s = await world.cluster()
  const holder = holders.get(world)
  if (!holder) throw new Error('no Lease holder was read in this scenario')
  const master = door(s).masterOfIdentity(holder)!
  if (component === 'scheduler') await door(s).crashScheduler(master)
  else await door(s).crashControllerManager(master)
}

Then('the Lease {string} in {string} names the active controller manager', async function (this: OckWorld, name: string, namespace: string) {
  await readActive(this, name, namespace)
})

Then('the Lease {string} in {string} names the active scheduler', async function (this: OckWorld, name: string, namespace: string) {
  await readActive(this, name, namespace)
})

When('the active controller manager is killed', async function (this: OckWorld) {
  await killActive(this, 'controller manager')
})

When('the active scheduler is killed', async function (this: OckWorld) {
  await killActive(this, 'scheduler')
})

Then('within {duration} the Lease {string} in {string} names another holder', async function (this: OckWorld, ms: number, name: string, namespace: string) {
  const s = await this.cluster()
  const before = holders.get(this)
  const t0 = performance.now()
  const now = await eventually(() => leaseHolder(s.kubeconfig, namespace, name), (h) => Boolean(h) && h !== before, ms, { describe: `Lease ${namespace}/${name} to name a holder other than ${before}` })
  this.log(`Lease ${namespace}/${name}: ${before} -> ${now} after ${Math.round(performance.now() - t0)} ms`)
  holders.set(this, now!)
})

When('every master is stopped', async function (this: OckWorld) {
  this.remembered.set('stopped masters', await stopEveryMaster(door(await this.cluster())))
})

When('every stopped master is started again', async function (this: OckWorld) {
  const names = this.remembered.get('stopped masters') as string[] | undefined
  if (!names) throw new Error('no earlier step stopped the masters ("every master is stopped")')
  await startMasters(door(await this.cluster()), names)
})
