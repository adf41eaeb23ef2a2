// Steps about voluntary disruptions: evicting a pod through the Eviction API (which honours
// PodDisruptionBudgets), and draining a node as `kubectl drain --ignore-daemonsets` does -
// started in the background, as a reader would run it in another terminal, so a scenario can
// watch a budget hold it back and then let it finish.

import { Then, When } from './define.js'
import { expect } from 'chai'
import { consistently, eventually } from '../support/eventually.js'
import { drain, evict, podsOnNode, readNode, setUnschedulable, type DrainProgress } from '../support/nodes.js'
import { describePods, isRunning, podsLabelled } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

async function runningPod(world: OckWorld, selector: string): Promise<{ namespace: string; name: string; uid?: string }> {
  const s = await world.cluster()
  const pods = (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter(isRunning)
  expect(pods, `Running pods labelled ${selector}`).to.not.be.empty
  return { namespace: s.namespace, name: pods[0]!.metadata!.name!, uid: pods[0]!.metadata?.uid }
}

When(
  ['I try to evict one of the pods labelled {string}', 'حاولت اعمل evict لـ pod من الـ pods اللي عليها الـ label {string}'],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    const pod = await runningPod(this, selector)
    this.lastError = undefined
    this.lastErrorChecked = true
    const refusal = await evict(s.kubeconfig, pod.namespace, pod.name)
    if (refusal) this.rejected(refusal)
  },
)

When(
  ['I evict one of the pods labelled {string}', 'عملت evict لـ pod من الـ pods اللي عليها الـ label {string}'],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    const pod = await runningPod(this, selector)
    const refusal = await evict(s.kubeconfig, pod.namespace, pod.name)
    expect(refusal, `evicting ${pod.name}: ${refusal?.code} ${refusal?.reason}: ${refusal?.message}`).to.equal(undefined)
    this.remembered.deletedPod = { name: pod.name, uid: pod.uid, selector }
  },
)

interface RunningDrain {
  progress: DrainProgress
  finished: Promise<void>
}

function drainOf(world: OckWorld, node: string): RunningDrain {
  const d = world.remembered.drains.get(node)
  if (!d) throw new Error(`no drain of the node ${node} was started (When I start draining the node "${node}", ...)`)
  return d
}

When(
  [
    'I start draining the node {string}, retrying refused evictions every {duration}',
    'بدأت اعمل drain للـ node {string}، وبعيد الـ evictions اللي اترفضت كل {duration}',
  ],
  async function (this: OckWorld, node: string, retryMs: number) {
    const s = await this.cluster()
    const progress: DrainProgress = { evicted: [], refusals: [], ignored: [], done: false }
    const abort = new AbortController()
    const finished = drain(s.kubeconfig, node, { retryMs, ignoreDaemonSets: true, signal: abort.signal }, progress)
    finished.catch(() => undefined) // reported by the step that waits for it
    this.remembered.drains.set(node, { progress, finished })
    this.cleanups.push(() => abort.abort())
    // the node is not the scenario's: it is uncordoned when the scenario ends (a shared cluster is left as found)
    this.cleanups.push(() => setUnschedulable(s.kubeconfig, node, false))
  },
)

Then(
  ['within {duration} the node {string} is drained', 'خلال {duration} الـ node {string} يبقى اتعملها drain'],
  async function (this: OckWorld, ms: number, node: string) {
    const s = await this.cluster()
    const d = drainOf(this, node)
    await eventually(
      () => ({ ...d.progress }),
      (p) => {
        if (p.error) throw new Error(`the drain failed: ${p.error}`)
        expect(p.done, `the drain of ${node} finished (evicted so far: ${p.evicted.join(', ') || 'none'})`).to.equal(true)
      },
      ms,
      { describe: `the drain of ${node} to finish` },
    ).catch((e: Error) => {
      throw d.progress.error ? new Error(`the drain of ${node} failed: ${d.progress.error}`) : e
    })
    const n = await readNode(s.kubeconfig, node)
    expect(n.spec?.unschedulable, `spec.unschedulable of ${node}`).to.equal(true)
    const left = (await podsOnNode(s.kubeconfig, node)).filter((p) => !d.progress.ignored.includes(`${p.metadata?.namespace}/${p.metadata?.name}`))
    expect(describePods(left), `pods left on ${node} besides mirror and DaemonSet pods`).to.deep.equal([])
  },
)

Then(
  [
    'for {duration} the drain of the node {string} is held back by the disruption budget {string}',
    'لمدة {duration} الـ drain بتاع الـ node {string} يفضل واقف بسبب الـ disruption budget {string}',
  ],
  async function (this: OckWorld, ms: number, node: string, pdb: string) {
    const d = drainOf(this, node)
    await consistently(
      () => ({ done: d.progress.done, error: d.progress.error, refusals: d.progress.refusals.length }),
      (p) => {
        expect(p.error, 'a drain error').to.equal(undefined)
        expect(p.done, `the drain of ${node} is still waiting`).to.equal(false)
      },
      ms,
      { describe: `the drain of ${node} waiting` },
    )
    const refusals = d.progress.refusals.map((r) => r.status)
    expect(refusals, `evictions refused while draining ${node}`).to.not.be.empty
    for (const r of refusals) {
      expect({ code: r.code, reason: r.reason, message: r.message }).to.deep.equal({
        code: 429,
        reason: 'TooManyRequests',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
      })
      expect(
        (r.details?.causes ?? []).map((c) => c.reason),
        'details.causes',
      ).to.include('DisruptionBudget')
      expect((r.details?.causes ?? []).map((c) => c.message).join(' '), 'the cause names the budget').to.include(`disruption budget ${pdb} `)
    }
  },
)
