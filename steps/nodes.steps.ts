// Steps about nodes: the shape of the cluster a scenario wants (how many nodes, what they
// have), labels and taints, what each node reports, its heartbeat Lease, the taints the
// control plane gives or takes, and restarting a node's kubelet (a fault, built-in cluster only).

import { Given, Then, When, type DataTable } from './define.js'
import { expect } from 'chai'
import { consistently, eventually } from '../support/eventually.js'
import type { V1Node } from '@kubernetes/client-node'
import { formatTaint, hasTaint, nodeCondition, nodeLease, readNode } from '../support/nodes.js'
import { expectField } from '../support/paths.js'
import { targetFor } from '../support/targets/registry.js'
import { clusterOfNodes, keepNodesAsFound } from '../support/nodeshape.js'
import { isReady, labelNode, nodes, taintNode } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

// the built-in target starts a cluster of this shape; on a shared cluster it must already have it
Given(['a cluster of {int} node(s)', 'cluster فيه {int} node(s)'], async function (this: OckWorld, n: number) {
  await clusterOfNodes(this, { nodes: n })
})

Given(
  ['a cluster of {int} node(s) with {quantity} CPU(s) each', 'cluster فيه {int} node(s)، كل واحدة فيها {quantity} CPU'],
  async function (this: OckWorld, n: number, cpu: string) {
    await clusterOfNodes(this, { nodes: n, cpu })
  },
)

Given(
  [
    'a cluster of {int} node(s) with {quantity} CPU(s) and {quantity} of memory each',
    'cluster فيه {int} node(s)، كل واحدة فيها {quantity} CPU و {quantity} memory',
  ],
  async function (this: OckWorld, n: number, cpu: string, memory: string) {
    await clusterOfNodes(this, { nodes: n, cpu, memory })
  },
)

Given(['a cluster with at least {int} node(s)', 'cluster فيه {int} node(s) على الأقل'], async function (this: OckWorld, n: number) {
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

Given(['the node {string} is labelled {string}', 'الـ node {string} عليها الـ label {string}'], async function (this: OckWorld, name: string, label: string) {
  const [key, value] = label.split('=')
  if (!key || value === undefined) throw new Error(`"${label}" is not a label (key=value)`)
  const s = await this.cluster()
  await keepNodesAsFound(this)
  await labelNode(s.kubeconfig, name, { [key]: value })
})

Given(['the node {string} is tainted {string}', 'الـ node {string} عليها الـ taint {string}'], async function (this: OckWorld, name: string, taint: string) {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(taint)
  if (!m) throw new Error(`"${taint}" is not a taint (key=value:Effect)`)
  const s = await this.cluster()
  await keepNodesAsFound(this)
  await taintNode(s.kubeconfig, name, { key: m[1]!, value: m[2], effect: m[3]! })
})

Then(['every node is Ready and has:', 'كل node تبقى Ready وفيها:'], async function (this: OckWorld, table: DataTable) {
  const s = await this.cluster()
  const all = await nodes(s.kubeconfig)
  expect(all, 'nodes of the cluster').to.not.be.empty
  for (const n of all) {
    expect(isReady(n), `node ${n.metadata?.name} is Ready`).to.equal(true)
    for (const [path, value] of table.raw()) expectField(n, path!, value === '<its name>' ? n.metadata!.name! : value!)
  }
})

When(['the kubelet of the node {string} restarts', 'الـ kubelet بتاعة الـ node {string} اتعملها restart'], async function (this: OckWorld, name: string) {
  const s = await this.cluster()
  if (!s.faults) throw new Error('this target cannot restart a kubelet (the scenario needs the @faults tag)')
  const before = (await nodes(s.kubeconfig)).find((n) => n.metadata?.name === name)
  expect(before, `node ${name} before the restart`).to.not.equal(undefined)
  this.remembered.nodeUids.set(name, before!.metadata?.uid)
  await s.faults.restartKubelet(name)
})

Then(
  [
    'within {duration} there is exactly one node named {string}, the same one as before',
    'خلال {duration} يبقى فيه node واحدة بس اسمها {string}، هي نفسها اللي كانت قبل كده',
  ],
  async function (this: OckWorld, ms: number, name: string) {
    const s = await this.cluster()
    const found = await eventually(
      async () => (await nodes(s.kubeconfig)).filter((n) => n.metadata?.name === name),
      (ns) => ns.length === 1 && isReady(ns[0]!),
      ms,
      { describe: `one Ready node named ${name}` },
    )
    expect(found[0]!.metadata?.uid, `uid of node ${name} (a new Node object would have a new uid)`).to.equal(this.remembered.nodeUids.get(name))
  },
)

// ---------------------------------------------------------------------------------------------
// heartbeats and taints

/** A node as a failure message shows it (conditions, taints, cordon); the Node itself rides along unshown. */
async function nodeSummary(
  world: OckWorld,
  name: string,
): Promise<{ ready?: string; conditions: string[]; taints: string[]; unschedulable: boolean; readonly node: V1Node }> {
  const s = await world.cluster()
  const n = await readNode(s.kubeconfig, name)
  const summary = {
    ready: nodeCondition(n, 'Ready')?.status,
    conditions: (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status} (${c.reason}: ${c.message})`),
    taints: (n.spec?.taints ?? []).map(formatTaint),
    unschedulable: n.spec?.unschedulable ?? false,
  }
  return Object.defineProperty(summary, 'node', { value: n, enumerable: false }) as typeof summary & { readonly node: V1Node }
}

Then(
  ['within {duration} the node {string} is tainted {string}', 'خلال {duration} الـ node {string} يبقى عليها الـ taint {string}'],
  async function (this: OckWorld, ms: number, name: string, taint: string) {
    await eventually(
      () => nodeSummary(this, name),
      (n) => void expect(hasTaint(n.node, taint), `taints of ${name}`).to.equal(true),
      ms,
      { describe: `node ${name} to be tainted ${taint}` },
    )
  },
)

Then(
  ['within {duration} the node {string} is Ready and untainted', 'خلال {duration} الـ node {string} تبقى Ready ومن غير taints'],
  async function (this: OckWorld, ms: number, name: string) {
    await eventually(
      () => nodeSummary(this, name),
      (n) => {
        expect(n.ready, `Ready condition of ${name}`).to.equal('True')
        expect(n.taints, `taints of ${name}`).to.deep.equal([])
      },
      ms,
      { describe: `node ${name} Ready without taints` },
    )
  },
)

Then(
  [
    'every node holds its Lease in kube-node-lease, renewed within {duration}',
    'كل node ماسكة الـ Lease بتاعتها في kube-node-lease، وبتتجدد في خلال {duration}',
  ],
  async function (this: OckWorld, ms: number) {
    const s = await this.cluster()
    const all = await nodes(s.kubeconfig)
    expect(all, 'nodes of the cluster').to.not.be.empty
    for (const n of all) {
      const name = n.metadata!.name!
      const first = await nodeLease(s.kubeconfig, name)
      expect(first.spec?.holderIdentity, `holderIdentity of the Lease of ${name}`).to.equal(name)
      expect(first.spec?.leaseDurationSeconds, `leaseDurationSeconds of the Lease of ${name}`).to.be.greaterThan(0)
      expect(first.metadata?.ownerReferences?.find((r) => r.kind === 'Node')?.uid, `the Lease of ${name} is owned by its Node`).to.equal(n.metadata?.uid)
      const before = new Date(first.spec!.renewTime!).getTime()
      await eventually(
        () => nodeLease(s.kubeconfig, name),
        (l) => new Date(l.spec!.renewTime!).getTime() > before,
        ms,
        { describe: `the Lease of ${name} to be renewed` },
      )
    }
  },
)

Then(
  ['for {duration} the Lease of the node {string} is not renewed', 'لمدة {duration} الـ Lease بتاعة الـ node {string} متتجددش'],
  async function (this: OckWorld, ms: number, name: string) {
    const s = await this.cluster()
    const renewed = (await nodeLease(s.kubeconfig, name)).spec?.renewTime
    await consistently(
      () => nodeLease(s.kubeconfig, name),
      (l) => void expect(l.spec?.renewTime, `renewTime of the Lease of ${name}`).to.deep.equal(renewed),
      ms,
      { describe: `the Lease of ${name} not being renewed` },
    )
  },
)

Then(
  ['within {duration} the Lease of the node {string} is renewed again', 'خلال {duration} الـ Lease بتاعة الـ node {string} ترجع تتجدد'],
  async function (this: OckWorld, ms: number, name: string) {
    const s = await this.cluster()
    const renewed = new Date((await nodeLease(s.kubeconfig, name)).spec!.renewTime!).getTime()
    await eventually(
      () => nodeLease(s.kubeconfig, name),
      (l) => new Date(l.spec!.renewTime!).getTime() > renewed,
      ms,
      { describe: `the Lease of ${name} to be renewed` },
    )
  },
)

Then(['there is exactly one Lease for the node {string}', 'فيه Lease واحدة بس للـ node {string}'], async function (this: OckWorld, name: string) {
  const s = await this.cluster()
  const lease = await nodeLease(s.kubeconfig, name)
  const node = await readNode(s.kubeconfig, name)
  expect(
    lease.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}/${r.uid}`),
    `owners of the Lease of ${name}`,
  ).to.deep.equal([`Node/${name}/${node.metadata?.uid}`])
})
