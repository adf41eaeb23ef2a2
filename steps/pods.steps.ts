// Steps about pods: creating sample pods with or without requests (or pinned to a node),
// waiting for them to run (and how soon after their creation they were Ready), counting pods
// by label and where they run, why a pod stays Pending (its PodScheduled condition and the
// FailedScheduling event), deleting one pod and checking it was replaced, pods left
// terminating on a lost node, and watching pods as `kubectl get pods --watch` does.

import { Given, Then, When } from './define.js'
import { Watch, type V1Pod } from '@kubernetes/client-node'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { create, remove } from '../support/kube.js'
import { mapImages } from '../support/images.js'
import { boundTo, core, describePods, isPodReady as isReady, isRunning, podsLabelled, samplePod, schedulingFailure } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

async function createPod(world: OckWorld, pod: V1Pod): Promise<void> {
  const s = await world.cluster()
  await create(s.kubeconfig, mapImages({ ...pod, metadata: { ...pod.metadata, namespace: s.namespace } }, s.images))
}

When(['I create a pod {string} without resource requests', 'عملت pod اسمها {string} من غير resource requests'], async function (this: OckWorld, name: string) {
  await createPod(this, samplePod(name))
})

When(
  ['I create a pod {string} requesting {quantity} CPU(s)', 'عملت pod اسمها {string} طالبة {quantity} CPU'],
  async function (this: OckWorld, name: string, cpu: string) {
    await createPod(this, samplePod(name, { cpu }))
  },
)

When(
  ['I create a pod {string} requesting {quantity} CPU(s) and {quantity} of memory', 'عملت pod اسمها {string} طالبة {quantity} CPU و {quantity} memory'],
  async function (this: OckWorld, name: string, cpu: string, memory: string) {
    await createPod(this, samplePod(name, { cpu, memory }))
  },
)

When(
  ['I create a pod {string} that may only run on the node {string}', 'عملت pod اسمها {string} متشتغلش غير على الـ node {string}'],
  async function (this: OckWorld, name: string, node: string) {
    const pod = samplePod(name)
    pod.spec!.nodeSelector = { 'kubernetes.io/hostname': node }
    await createPod(this, pod)
  },
)

// A pod bound to a node by its manifest (spec.nodeName), as a static or DaemonSet pod is: the
// scheduler plays no part, so it sets the scene (a node already busy) whatever the scheduler does.
Given(
  ['a pod {string} without resource requests is bound to the node {string}', 'pod اسمها {string} من غير resource requests ومتعملها bind على الـ node {string}'],
  async function (this: OckWorld, name: string, node: string) {
    await createPod(this, boundTo(samplePod(name), node))
  },
)

Given(
  ['a pod {string} requesting {quantity} CPU(s) is bound to the node {string}', 'pod اسمها {string} طالبة {quantity} CPU ومتعملها bind على الـ node {string}'],
  async function (this: OckWorld, name: string, cpu: string, node: string) {
    await createPod(this, boundTo(samplePod(name, { cpu }), node))
  },
)

Given(
  [
    'a pod {string} requesting {quantity} CPU(s) and {quantity} of memory is bound to the node {string}',
    'pod اسمها {string} طالبة {quantity} CPU و {quantity} memory ومتعملها bind على الـ node {string}',
  ],
  async function (this: OckWorld, name: string, cpu: string, memory: string, node: string) {
    await createPod(this, boundTo(samplePod(name, { cpu, memory }), node))
  },
)

async function readPod(world: OckWorld, name: string): Promise<V1Pod> {
  const s = await world.cluster()
  return core(s.kubeconfig).readNamespacedPod({ name, namespace: s.namespace })
}

Then(
  ['within {duration} the pod {string} is Running', 'خلال {duration} الـ pod {string} تبقى Running'],
  async function (this: OckWorld, ms: number, name: string) {
    await eventually(
      () => readPod(this, name),
      (p) => isRunning(p),
      ms,
      { describe: `pod ${name} to be Running` },
    )
  },
)

Then(
  ['within {duration} the pod {string} is Pending with the reason {string}', 'خلال {duration} الـ pod {string} تفضل Pending والسبب {string}'],
  async function (this: OckWorld, ms: number, name: string, reason: string) {
    const s = await this.cluster()
    await eventually(
      () => schedulingFailure(s.kubeconfig, s.namespace, name),
      (f) => {
        expect(f.phase, 'phase').to.equal('Pending')
        expect(f.nodeName, 'spec.nodeName').to.equal(undefined)
        expect(f.condition, 'the PodScheduled condition').to.include({ status: 'False', reason: 'Unschedulable', message: reason })
        expect(f.events, 'FailedScheduling events').to.include(reason)
      },
      ms,
      { describe: `pod ${name} to be Pending because "${reason}"` },
    )
  },
)

Then(
  [
    'within {duration} {int} pods labelled {string} are Running on nodes other than {string}',
    'خلال {duration} يبقى فيه {int} pods عليها الـ label {string} في حالة Running على nodes غير {string}',
  ],
  async function (this: OckWorld, ms: number, n: number, selector: string, node: string) {
    const s = await this.cluster()
    await eventually(
      () => podsLabelled(s.kubeconfig, s.namespace, selector),
      (pods) => {
        const elsewhere = pods.filter(
          (p) => p.spec?.nodeName !== node && !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
        )
        expect(describePods(elsewhere), `pods labelled ${selector} on nodes other than ${node}`).to.have.length(n)
        expect(elsewhere.filter(isRunning).length, `Running pods labelled ${selector} on nodes other than ${node} (${describePods(pods).join(', ')})`).to.equal(
          n,
        )
      },
      ms,
      { describe: `${n} Running pods labelled ${selector} on nodes other than ${node}` },
    )
  },
)

Then(
  ['the pods labelled {string} on the node {string} are being deleted', 'الـ pods اللي عليها الـ label {string} على الـ node {string} بتتمسح'],
  async function (this: OckWorld, selector: string, node: string) {
    const s = await this.cluster()
    const there = (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter((p) => p.spec?.nodeName === node)
    expect(there, `pods labelled ${selector} still on ${node}`).to.not.be.empty
    for (const p of there)
      expect(p.metadata?.deletionTimestamp, `deletionTimestamp of ${p.metadata?.name} (${describePods([p]).join('')})`).to.not.equal(undefined)
  },
)

Then(
  ['within {duration} {int} pod(s) labelled {string} is/are Running', 'خلال {duration} يبقى فيه {int} pod(s) عليها الـ label {string} في حالة Running'],
  async function (this: OckWorld, ms: number, n: number, selector: string) {
    const s = await this.cluster()
    await eventually(
      () => podsLabelled(s.kubeconfig, s.namespace, selector),
      (pods) => {
        const live = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
        expect(live.filter(isRunning).length, `Running pods labelled ${selector}`).to.equal(n)
        expect(describePods(live), 'no other pod is still around (pending or terminating)').to.have.length(n)
      },
      ms,
      { describe: `exactly ${n} Running pods labelled ${selector}` },
    )
  },
)

Then(
  [
    'within {duration} {int} pod(s) labelled {string} is/are Pending with the reason {string}',
    'خلال {duration} يبقى فيه {int} pod(s) عليها الـ label {string} فاضلة Pending والسبب {string}',
  ],
  async function (this: OckWorld, ms: number, n: number, selector: string, reason: string) {
    const s = await this.cluster()
    await eventually(
      () => podsLabelled(s.kubeconfig, s.namespace, selector),
      (pods) => {
        const pending = pods.filter((p) => p.status?.phase === 'Pending' && !p.spec?.nodeName)
        expect(pending.length, `Pending pods labelled ${selector} without a node`).to.equal(n)
        for (const p of pending) {
          expect(
            p.status?.conditions?.find((c) => c.type === 'PodScheduled'),
            `PodScheduled of ${p.metadata?.name}`,
          ).to.include({ status: 'False', reason: 'Unschedulable', message: reason })
        }
      },
      ms,
      { describe: `${n} pods labelled ${selector} Pending because "${reason}"` },
    )
  },
)

When(['I delete one of the pods labelled {string}', 'مسحت pod من الـ pods اللي عليها الـ label {string}'], async function (this: OckWorld, selector: string) {
  const s = await this.cluster()
  const pods = (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter(isRunning)
  expect(pods, `Running pods labelled ${selector}`).to.not.be.empty
  const victim = pods[0]!
  this.remembered.deletedPod = { name: victim.metadata?.name, uid: victim.metadata?.uid, selector }
  await remove(s.kubeconfig, { kind: 'Pod', name: victim.metadata!.name! }, s.namespace)
})

Then(
  ['the deleted pod was replaced by a pod with a new name and uid', 'الـ pod اللي اتمسحت اتعوضت بـ pod ليها name و uid جداد'],
  async function (this: OckWorld) {
    const gone = this.remembered.deletedPod
    if (!gone) throw new Error('no pod was deleted before this step')
    const s = await this.cluster()
    const pods = await podsLabelled(s.kubeconfig, s.namespace, gone.selector)
    expect(
      pods.map((p) => p.metadata?.uid),
      'uids of the pods now',
    ).to.not.include(gone.uid)
    expect(
      pods.map((p) => p.metadata?.name),
      'names of the pods now',
    ).to.not.include(gone.name)
  },
)

// ---------------------------------------------------------------------------------------------
// watching pods, to see the states they pass through

Given(['I watch the pods', 'عامل watch على الـ pods'], async function (this: OckWorld) {
  const s = await this.cluster()
  // every version of every pod, in the order the watch delivered them
  const history = new Map<string, V1Pod[]>()
  const timeline: { type: string; pod: V1Pod }[] = []
  this.remembered.podHistory = history
  this.remembered.podTimeline = timeline
  const controller = await new Watch(s.kubeconfig).watch(
    `/api/v1/namespaces/${s.namespace}/pods`,
    {},
    (type: string, p: V1Pod) => {
      const name = p.metadata?.name ?? ''
      history.set(name, [...(history.get(name) ?? []), p])
      timeline.push({ type, pod: p })
    },
    () => undefined,
  )
  this.cleanups.push(() => controller.abort())
})

/** A pod as it first appeared: phase, node, and the kind and uid of its controller. */
function firstSeen(p: V1Pod): { phase?: string; nodeName?: string; controller?: string } {
  const owner = p.metadata?.ownerReferences?.find((r) => r.controller)
  return { phase: p.status?.phase, nodeName: p.spec?.nodeName, controller: owner ? `${owner.kind} ${owner.uid}` : undefined }
}

Then(
  [
    'every pod labelled {string} was first seen Pending without a node, already owned by its replica set',
    'كل pod عليها الـ label {string} ظهرت في الأول Pending من غير node، ومن الأول تبع الـ replica set بتاعتها',
  ],
  async function (this: OckWorld, selector: string) {
    const history = this.remembered.podHistory
    if (!history) throw new Error('no step watched the pods before (Given I watch the pods)')
    const s = await this.cluster()
    const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
    expect(pods, `pods labelled ${selector}`).to.not.be.empty
    for (const p of pods) {
      const first = history.get(p.metadata?.name ?? '')?.[0]
      expect(first, `${p.metadata?.name} seen by the watch`).to.not.equal(undefined)
      const owner = p.metadata?.ownerReferences?.find((r) => r.controller)
      expect(owner?.kind, `the controller of ${p.metadata?.name} now`).to.equal('ReplicaSet')
      // a pod someone else made and the ReplicaSet adopted later would first show without it
      expect(firstSeen(first!), `how ${p.metadata?.name} was first seen`).to.deep.equal({
        phase: 'Pending',
        nodeName: undefined,
        controller: `ReplicaSet ${owner!.uid}`,
      })
    }
  },
)

Then('no more than {int} pods labelled {string} were ever created', function (this: OckWorld, n: number, selector: string) {
  const history = this.remembered.podHistory
  if (!history) throw new Error('no step watched the pods before (Given I watch the pods)')
  const wanted = selector.split(',').map((kv) => kv.split('='))
  const matching = [...history.entries()].filter(([, versions]) => wanted.every(([k, v]) => versions[0]?.metadata?.labels?.[k!] === v)).map(([name]) => name)
  expect(matching, `pods labelled ${selector} the watch saw`).to.have.length.at.most(n)
})

Then(
  [
    'within {duration} the pods {string} and {string} are Running on the same node',
    'خلال {duration} الـ pods {string} و {string} يبقوا Running على نفس الـ node',
  ],
  async function (this: OckWorld, ms: number, a: string, b: string) {
    const [pa, pb] = await eventually(
      () => Promise.all([readPod(this, a), readPod(this, b)]),
      (ps) => ps.every(isRunning),
      ms,
      { describe: `pods ${a} and ${b} to be Running` },
    )
    expect(pa.spec?.nodeName, `the node of ${a}`).to.be.a('string')
    expect(pb.spec?.nodeName, `the node of ${b} (${a} runs on ${pa.spec?.nodeName})`).to.equal(pa.spec?.nodeName)
  },
)

Then(
  ['the pod {string} is Ready within {duration} of its creation', 'الـ pod {string} تبقى Ready في خلال {duration} من ساعة ما اتعملها create'],
  async function (this: OckWorld, name: string, ms: number) {
    const sent = this.sentAt.get(`Pod/${name}`)
    if (sent === undefined) throw new Error(`no step of this scenario created the pod ${name}`)
    // wait longer than the bound, so a miss says by how much
    await eventually(
      () => readPod(this, name),
      (p) => isReady(p),
      ms + 10_000,
      { describe: `pod ${name} to be Ready`, intervalMs: 10 },
    )
    const took = performance.now() - sent
    this.log(`pod ${name}: Ready ${Math.round(took)} ms after the create request was sent`)
    expect(took, `milliseconds from creating pod ${name} to seeing it Ready`).to.be.at.most(ms)
  },
)
