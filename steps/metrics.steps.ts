// Steps about utilisation: putting a stated load on a workload's pods, and reading what nodes
// and pods use through the resource metrics API (metrics.k8s.io) and `kubectl top`.

import { Then, When } from './define.js'
import { AppsV1Api } from '@kubernetes/client-node'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { kubectl } from '../support/kubectl.js'
import { driveRequests } from '../support/load.js'
import { nodeMetrics, parseTop, podCpu, podMetrics } from '../support/metrics.js'
import { serviceURL } from '../support/services.js'
import { isReady, isRunning, nodes, podsLabelled, quantity } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

async function selectorOf(world: OckWorld, deployment: string): Promise<string> {
  const s = await world.cluster()
  const d = await s.kubeconfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: deployment, namespace: s.namespace })
  return Object.entries(d.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}

async function loadDoor(world: OckWorld): Promise<NonNullable<Awaited<ReturnType<OckWorld['cluster']>>['load']>> {
  const s = await world.cluster()
  if (!s.load) throw new Error('this target has no load door (tag the scenario @load)')
  return s.load
}

When('the deployment {string} takes a steady load of {quantity} CPU spread over its pods', async function (this: OckWorld, name: string, cpu: string) {
  const s = await this.cluster()
  ;(await loadDoor(this)).spread(s.namespace, await selectorOf(this, name), Math.round(quantity(cpu) * 1000))
})

When('{int} client(s) keep(s) requesting {string} for {duration}', async function (this: OckWorld, clients: number, url: string, ms: number) {
  const s = await this.cluster()
  const stop = driveRequests(await serviceURL(s.kubeconfig, url, s.namespace), clients, ms)
  this.cleanups.push(stop)
  this.remembered.requestClients.push(stop)
})

When('the clients stop requesting', function (this: OckWorld) {
  const clients = this.remembered.requestClients
  if (!clients.length) throw new Error('no clients were started ("When 2 clients keep requesting ... for ...")')
  for (const stop of clients) stop()
})

When('the load on the deployment {string} stops', async function (this: OckWorld, name: string) {
  const s = await this.cluster()
  ;(await loadDoor(this)).spread(s.namespace, await selectorOf(this, name), 0)
})

Then(
  [
    "within {duration} the metrics API reports every node's CPU and memory use",
    'خلال {duration} الـ metrics API يبلغ بالـ CPU والـ memory اللي كل node بتستخدمهم',
  ],
  async function (this: OckWorld, ms: number) {
    const s = await this.cluster()
    await eventually(
      async () => ({ ready: (await nodes(s.kubeconfig)).filter(isReady).map((n) => n.metadata!.name!), metrics: await nodeMetrics(s.kubeconfig) }),
      ({ ready, metrics }) => {
        expect(ready, 'Ready nodes').to.not.be.empty
        for (const name of ready) {
          const m = metrics.find((x) => x.metadata.name === name)
          expect(m, `NodeMetrics of ${name}`).to.not.equal(undefined)
          // a node's use is what its containers use: an idle simulated node may use nothing
          expect(quantity(m!.usage.memory), `memory of ${name}`).to.be.at.least(0)
          expect(quantity(m!.usage.cpu), `cpu of ${name}`).to.be.at.least(0)
          expect(m!.window, `window of ${name}`).to.match(/^[\d.]+(ms|s|m)/)
        }
      },
      ms,
      { describe: 'NodeMetrics for every Ready node' },
    )
  },
)

/** Waits until every running pod of the selector has metrics and `check` holds for each pod's CPU (cores). */
async function podsUse(world: OckWorld, ms: number, selector: string, check: (cpu: number, pod: string) => void, describe: string): Promise<void> {
  const s = await world.cluster()
  await eventually(
    async () => ({
      pods: (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter(isRunning).map((p) => p.metadata!.name!),
      metrics: await podMetrics(s.kubeconfig, s.namespace),
    }),
    ({ pods, metrics }) => {
      expect(pods, `running pods labelled ${selector}`).to.not.be.empty
      for (const pod of pods) {
        const m = metrics.find((x) => x.metadata.name === pod)
        expect(m, `PodMetrics of ${pod}`).to.not.equal(undefined)
        check(podCpu(m!), pod)
      }
    },
    ms,
    { describe },
  )
}

Then(
  'within {duration} the metrics API reports each node using at least the CPU its pods labelled {string} use',
  async function (this: OckWorld, ms: number, selector: string) {
    const s = await this.cluster()
    await eventually(
      async () => ({
        pods: (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter(isRunning),
        podUse: await podMetrics(s.kubeconfig, s.namespace),
        nodeUse: await nodeMetrics(s.kubeconfig),
      }),
      ({ pods, podUse, nodeUse }) => {
        expect(pods, `running pods labelled ${selector}`).to.not.be.empty
        const byNode = new Map<string, number>()
        for (const p of pods) {
          const m = podUse.find((x) => x.metadata.name === p.metadata?.name)
          expect(m, `PodMetrics of ${p.metadata?.name}`).to.not.equal(undefined)
          byNode.set(p.spec!.nodeName!, (byNode.get(p.spec!.nodeName!) ?? 0) + podCpu(m!))
        }
        for (const [node, pods] of byNode) {
          const m = nodeUse.find((x) => x.metadata.name === node)
          expect(m, `NodeMetrics of ${node}`).to.not.equal(undefined)
          // a node runs its pods: what it uses includes theirs (1m for rounding)
          expect(quantity(m!.usage.cpu), `CPU of node ${node} (cores), whose pods labelled ${selector} use ${pods.toFixed(3)}`).to.be.at.least(pods - 0.001)
        }
      },
      ms,
      { describe: `every node to use at least what its pods labelled ${selector} use` },
    )
  },
)

Then(
  'within {duration} the metrics API reports each pod labelled {string} using at least {quantity} CPU',
  async function (this: OckWorld, ms: number, selector: string, cpu: string) {
    await podsUse(
      this,
      ms,
      selector,
      (use, pod) => expect(use, `CPU of ${pod} (cores)`).to.be.at.least(quantity(cpu)),
      `every pod labelled ${selector} to use at least ${cpu} CPU`,
    )
  },
)

Then(
  'within {duration} the metrics API reports each pod labelled {string} using less than {quantity} CPU',
  async function (this: OckWorld, ms: number, selector: string, cpu: string) {
    await podsUse(
      this,
      ms,
      selector,
      (use, pod) => expect(use, `CPU of ${pod} (cores)`).to.be.below(quantity(cpu)),
      `every pod labelled ${selector} to use less than ${cpu} CPU`,
    )
  },
)

Then(
  'within {duration} {string} lists each pod labelled {string} using at least {quantity} CPU',
  async function (this: OckWorld, ms: number, command: string, selector: string, cpu: string) {
    const s = await this.cluster()
    await eventually(
      async () => {
        const pods = (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter(isRunning).map((p) => p.metadata!.name!)
        this.lastCommand = await kubectl(command, s.kubeconfigFile)
        return { pods, result: this.lastCommand }
      },
      ({ pods, result }) => {
        expect(result.exitCode, `${command} exit code (stderr: ${result.stderr.trim()})`).to.equal(0)
        const rows = parseTop(result.stdout)
        expect(pods, `running pods labelled ${selector}`).to.not.be.empty
        for (const pod of pods) {
          expect(rows.get(pod), `${pod} in the output of ${command}`).to.not.equal(undefined)
          expect(rows.get(pod)!.cpu, `CPU(cores) of ${pod}`).to.be.at.least(quantity(cpu))
        }
      },
      ms,
      { describe: `${command} to show every pod labelled ${selector} at ${cpu} CPU or more` },
    )
  },
)

Then(
  [
    'within {duration} {string} lists every Ready node with its CPU and memory use',
    'خلال {duration} {string} يطلع كل node Ready بالـ CPU والـ memory اللي بتستخدمهم',
  ],
  async function (this: OckWorld, ms: number, command: string) {
    const s = await this.cluster()
    await eventually(
      async () => {
        const ready = (await nodes(s.kubeconfig)).filter(isReady).map((n) => n.metadata!.name!)
        this.lastCommand = await kubectl(command, s.kubeconfigFile)
        return { ready, result: this.lastCommand }
      },
      ({ ready, result }) => {
        expect(result.exitCode, `${command} exit code (stderr: ${result.stderr.trim()})`).to.equal(0)
        const rows = parseTop(result.stdout)
        for (const n of ready) {
          expect(rows.get(n), `${n} in the output of ${command}`).to.not.equal(undefined)
          expect(rows.get(n)!.memory, `MEMORY(bytes) of ${n}`).to.be.at.least(0)
        }
      },
      ms,
      { describe: `${command} to list every Ready node` },
    )
  },
)
