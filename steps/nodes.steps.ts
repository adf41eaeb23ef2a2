// Steps about nodes: the shape of the cluster a scenario wants (how many nodes, what they
// have), labels and taints, what each node reports, what is left on a node after the requests
// of its pods, and restarting a node's kubelet (a fault, built-in cluster only).

import { Given, Then, When, type DataTable } from '@cucumber/cucumber'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { expectField } from '../support/paths.js'
import { targetFor } from '../support/targets/registry.js'
import { configure } from '../support/topology.js'
import { isReady, labelNode, nodes, quantity, taintNode, unreserved } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

Given('a cluster of {int} node(s)', async function (this: OckWorld, n: number) {
  await configure(this, (t) => void (t.nodes = n))
})

Given('a cluster of {int} node(s) with {quantity} CPU(s) each', async function (this: OckWorld, n: number, cpu: string) {
  await configure(this, (t) => {
    t.nodes = n
    t.node = { ...(t.node ?? {}), cpu }
  })
})

Given('a cluster of {int} node(s) with {quantity} CPU(s) and {quantity} of memory each', async function (this: OckWorld, n: number, cpu: string, memory: string) {
  await configure(this, (t) => {
    t.nodes = n
    t.node = { ...(t.node ?? {}), cpu, memory }
  })
})

Given('a cluster with at least {int} node(s)', async function (this: OckWorld, n: number) {
  const { available } = await targetFor(this.parameters).capabilities()
  if (available.has('config') && !this.started) {
    this.topology.nodes = Math.max(this.topology.nodes ?? 0, n)
    return
  }
  // any other cluster: it has enough Ready nodes, or this scenario cannot run on it
  const s = await this.cluster()
  const ready = (await nodes(s.kubeconfig)).filter(isReady).length
  if (ready < n) {
    const why = `the cluster has ${ready} Ready node(s); this scenario needs at least ${n}`
    if (this.parameters.strictCapabilities) throw new Error(why)
    this.log(`skipped: ${why}`)
    return 'skipped'
  }
})

Given('the node {string} is labelled {string}', async function (this: OckWorld, name: string, label: string) {
  const [key, value] = label.split('=')
  if (!key || value === undefined) throw new Error(`"${label}" is not a label (key=value)`)
  const s = await this.cluster()
  await labelNode(s.kubeconfig, name, { [key]: value })
})

Given('the node {string} is tainted {string}', async function (this: OckWorld, name: string, taint: string) {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(taint)
  if (!m) throw new Error(`"${taint}" is not a taint (key=value:Effect)`)
  const s = await this.cluster()
  await taintNode(s.kubeconfig, name, { key: m[1]!, value: m[2], effect: m[3]! })
})

Then('every node is Ready and has:', async function (this: OckWorld, table: DataTable) {
  const s = await this.cluster()
  const all = await nodes(s.kubeconfig)
  expect(all, 'nodes of the cluster').to.not.be.empty
  for (const n of all) {
    expect(isReady(n), `node ${n.metadata?.name} is Ready`).to.equal(true)
    for (const [path, value] of table.raw()) expectField(n, path!, value === '<its name>' ? n.metadata!.name! : value!)
  }
})

Then('the node {string} has {quantity} CPU(s) and {quantity} of memory unreserved', async function (this: OckWorld, name: string, cpu: string, memory: string) {
  const s = await this.cluster()
  const left = await unreserved(s.kubeconfig, name)
  expect(left.cpu, `cpu of ${name} not requested by its pods`).to.be.closeTo(quantity(cpu), 1e-6)
  expect(left.memory, `memory of ${name} not requested by its pods`).to.equal(quantity(memory))
})

When('the kubelet of the node {string} restarts', async function (this: OckWorld, name: string) {
  const s = await this.cluster()
  if (!s.faults) throw new Error('this target cannot restart a kubelet (the scenario needs the @faults tag)')
  const before = (await nodes(s.kubeconfig)).find((n) => n.metadata?.name === name)
  expect(before, `node ${name} before the restart`).to.not.equal(undefined)
  this.remembered.set(`node uid ${name}`, before!.metadata?.uid)
  await s.faults.restartKubelet(name)
})

Then('within {duration} there is exactly one node named {string}, the same one as before', async function (this: OckWorld, ms: number, name: string) {
  const s = await this.cluster()
  const found = await eventually(
    async () => (await nodes(s.kubeconfig)).filter((n) => n.metadata?.name === name),
    (ns) => ns.length === 1 && isReady(ns[0]!),
    ms,
    { describe: `one Ready node named ${name}` },
  )
  expect(found[0]!.metadata?.uid, `uid of node ${name} (a new Node object would have a new uid)`).to.equal(this.remembered.get(`node uid ${name}`))
})
