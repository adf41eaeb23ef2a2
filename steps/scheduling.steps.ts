// Steps about placement: which node a pod runs on, whether pods share a node or are spread
// over several, seen through each pod's spec.nodeName.

import { Then } from './define.js'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { core, describePods, isRunning, podsLabelled } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

async function nodeOf(world: OckWorld, pod: string): Promise<string | undefined> {
  const s = await world.cluster()
  return (await core(s.kubeconfig).readNamespacedPod({ name: pod, namespace: s.namespace })).spec?.nodeName
}

async function runningLabelled(world: OckWorld, selector: string): Promise<{ name: string; node: string }[]> {
  const s = await world.cluster()
  const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
  const running = pods.filter(isRunning)
  expect(running, `Running pods labelled ${selector} (${describePods(pods).join('; ')})`).to.not.be.empty
  return running.map((p) => ({ name: p.metadata!.name!, node: p.spec!.nodeName! }))
}

Then(
  ['the pod {string} runs on the node {string}', 'الـ pod {string} شغالة على الـ node {string}'],
  async function (this: OckWorld, pod: string, node: string) {
    expect(await nodeOf(this, pod), `node of pod ${pod}`).to.equal(node)
  },
)

Then('the pod {string} runs on another node than the pod {string}', async function (this: OckWorld, a: string, b: string) {
  const na = await nodeOf(this, a)
  const nb = await nodeOf(this, b)
  expect(na, `node of ${a}`).to.be.a('string')
  expect(na, `node of ${a} (${b} runs on ${nb})`).to.not.equal(nb)
})

function onDifferentNodes(pods: { name: string; node: string }[], selector: string, n: number): void {
  const byNode = new Set(pods.map((p) => p.node))
  expect([...byNode].sort(), `nodes of the pods labelled ${selector}: ${JSON.stringify(pods)}`).to.have.length(n)
}

Then(
  ['the pods labelled {string} run on {int} different node(s)', 'الـ pods اللي عليها الـ label {string} شغالة على {int} node(s) مختلفة'],
  async function (this: OckWorld, selector: string, n: number) {
    onDifferentNodes(await runningLabelled(this, selector), selector, n)
  },
)

/** The same, waited for: on real containers a bound pod runs a moment after the scheduler's verdict on the others shows. */
Then(
  [
    'within {duration} the pods labelled {string} run on {int} different node(s)',
    'خلال {duration} الـ pods اللي عليها الـ label {string} تبقى شغالة على {int} node(s) مختلفة',
  ],
  async function (this: OckWorld, ms: number, selector: string, n: number) {
    await eventually(
      () => runningLabelled(this, selector),
      (pods) => onDifferentNodes(pods, selector, n),
      ms,
      { describe: `the Running pods labelled ${selector} on ${n} different nodes` },
    )
  },
)

Then(
  [
    'the pods labelled {string} run on the node of the pod labelled {string}',
    'الـ pods اللي عليها الـ label {string} شغالة على نفس الـ node بتاعة الـ pod اللي عليها الـ label {string}',
  ],
  async function (this: OckWorld, selector: string, other: string) {
    const targets = new Set((await runningLabelled(this, other)).map((p) => p.node))
    expect(targets.size, `nodes running pods labelled ${other}`).to.equal(1)
    for (const p of await runningLabelled(this, selector)) expect(p.node, `node of ${p.name}`).to.equal([...targets][0])
  },
)

Then(
  ['{int} of the pods labelled {string} run on the node {string}', '{int} من الـ pods اللي عليها الـ label {string} شغالة على الـ node {string}'],
  async function (this: OckWorld, n: number, selector: string, node: string) {
    const pods = await runningLabelled(this, selector)
    expect(
      pods.filter((p) => p.node === node).map((p) => p.name),
      `Running pods labelled ${selector} on ${node} (all: ${JSON.stringify(pods)})`,
    ).to.have.length(n)
  },
)

Then(
  [
    'the pods labelled {string} are spread over {int} nodes, at most {int} on one node',
    'الـ pods اللي عليها الـ label {string} متوزعة على {int} nodes، بحد أقصى {int} على الـ node الواحدة',
  ],
  async function (this: OckWorld, selector: string, n: number, most: number) {
    const pods = await runningLabelled(this, selector)
    const perNode = new Map<string, string[]>()
    for (const p of pods) perNode.set(p.node, [...(perNode.get(p.node) ?? []), p.name])
    this.log([...perNode].map(([node, names]) => `${node}: ${names.join(', ')}`).join('\n'))
    expect(perNode.size, `nodes used: ${JSON.stringify(Object.fromEntries(perNode))}`).to.equal(n)
    for (const [node, names] of perNode) expect(names.length, `pods on ${node}`).to.be.at.most(most)
  },
)
