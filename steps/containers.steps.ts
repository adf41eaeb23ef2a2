// Steps about containers as the machine sees them: which container runtime the nodes use and
// how long the kubelet waits before restarting a crashed container, images already on the
// nodes, commands run in a pod's container (kubectl exec), what PID 1 is, HTTP to a pod's own
// IP, which containers a pod runs and whether they stopped (through the API: pod status,
// the kubelet's Events; on the reference target also the container engine beside it, `docker
// ps` by the kit's labels, as an extra check), and which pods each node's runtime was asked to
// create containers for (the runtime door, @runtime).

import { Given, Then, When } from './define.js'
import { expect } from 'chai'
import {
  CONTAINER_LABELS,
  containerIDs,
  execInPod,
  kubeletEvents,
  rememberThatPod,
  runningContainerProblems,
  runtimeCallsAgainstBindings,
  runtimeId,
  stoppedContainers,
  thatPod,
} from '../support/containers.js'
import { consistently, eventually } from '../support/eventually.js'
import { create, remove } from '../support/kube.js'
import { mapImage } from '../support/images.js'
import { splitWords } from '../support/kubectl.js'
import { answeringPod, httpGet } from '../support/services.js'
import { configure, stateTimings } from '../support/topology.js'
import { core, isRunning, nodes, podsLabelled } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'
import type { V1Pod } from '@kubernetes/client-node'

Given(
  ['the nodes run their containers on the {word} runtime', 'الـ nodes بتشغل الـ containers بتاعتها على الـ {word} runtime'],
  async function (this: OckWorld, runtime: string) {
    if (runtime !== 'docker' && runtime !== 'simulated') throw new Error(`the runtime is docker or simulated, not "${runtime}"`)
    await configure(this, (t) => void (t.runtime = runtime === 'docker' ? 'docker' : 'sim'))
  },
)

Given(
  [
    "the kubelet's container restart back-off starts at {duration} and is capped at {duration}",
    'الـ restart back-off بتاع الـ containers في الـ kubelet بيبدأ من {duration} وأقصاه {duration}',
  ],
  async function (this: OckWorld, initial: number, cap: number) {
    await stateTimings(this, { containerRestartBackOff: initial, containerRestartBackOffCap: cap })
  },
)

Given(
  ['every node has already run a pod of the image {string}', 'كل node شغلت قبل كده pod من الـ image {string}'],
  async function (this: OckWorld, image: string) {
    const s = await this.cluster()
    const names = (await nodes(s.kubeconfig)).map((n) => n.metadata!.name!)
    for (const node of names) {
      const pod: V1Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `warm-${node}`, namespace: s.namespace },
        spec: { nodeName: node, containers: [{ name: 'app', image: mapImage(image, s.images) }], terminationGracePeriodSeconds: 0 },
      }
      await create(s.kubeconfig, pod as never)
    }
    for (const node of names) {
      await eventually(() => core(s.kubeconfig).readNamespacedPod({ name: `warm-${node}`, namespace: s.namespace }), isRunning, 60_000, {
        describe: `a pod of ${image} to run on ${node}`,
      })
      await remove(s.kubeconfig, { kind: 'Pod', name: `warm-${node}` }, s.namespace)
    }
  },
)

/** Runs a command in a pod's (first) container; it must succeed. Remembers the pod as "that pod". */
async function runIn(world: OckWorld, pod: V1Pod, command: string): Promise<void> {
  const s = await world.cluster()
  const r = await execInPod(s.kubeconfigFile, pod.metadata!.name!, splitWords(command))
  world.lastCommand = r
  expect(r.exitCode, `kubectl exec ${pod.metadata?.name} -- ${command} (stderr: ${r.stderr})`).to.equal(0)
  rememberThatPod(world, pod)
}

async function readPod(world: OckWorld, name: string): Promise<V1Pod> {
  const s = await world.cluster()
  return core(s.kubeconfig).readNamespacedPod({ name, namespace: s.namespace })
}

When(['I run {string} in the pod {string}', 'شغلت {string} في الـ pod {string}'], async function (this: OckWorld, command: string, name: string) {
  await runIn(this, await readPod(this, name), command)
})

When(['I run {string} in that pod', 'شغلت {string} في الـ pod دي'], async function (this: OckWorld, command: string) {
  await runIn(this, await readPod(this, thatPod(this).name), command)
})

When(
  ['I run {string} in one of the pods labelled {string}', 'شغلت {string} في pod من الـ pods اللي عليها الـ label {string}'],
  async function (this: OckWorld, command: string, selector: string) {
    const s = await this.cluster()
    const pods = (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter(isRunning)
    expect(pods, `Running pods labelled ${selector}`).to.not.be.empty
    await runIn(this, pods[0]!, command)
  },
)

Then(['PID 1 in the pod {string} is {string}', 'الـ PID 1 جوة الـ pod {string} هو {string}'], async function (this: OckWorld, name: string, cmdline: string) {
  const s = await this.cluster()
  const r = await execInPod(s.kubeconfigFile, name, ['cat', '/proc/1/cmdline'])
  expect(r.exitCode, `reading /proc/1/cmdline in ${name}: ${r.stderr}`).to.equal(0)
  expect(r.stdout.split('\0').filter(Boolean).join(' '), `the command line of PID 1 in ${name}`).to.equal(cmdline)
})

When(['I request {string} from the pod {string}', 'بعت request لـ {string} للـ pod {string}'], async function (this: OckWorld, path: string, name: string) {
  const p = await readPod(this, name)
  const port = p.spec?.containers?.[0]?.ports?.[0]?.containerPort ?? 8080
  const r = await httpGet(`http://${p.status?.podIP}:${port}${path}`)
  expect(r, `GET ${path} from ${name} at ${p.status?.podIP}:${port}`).to.have.property('status', 200)
})

Then(
  ['each pod labelled {string} answers HTTP on its pod IP with its own name', 'كل pod عليها الـ label {string} بترد HTTP على الـ pod IP بتاعها باسمها'],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
    expect(pods, `pods labelled ${selector}`).to.not.be.empty
    for (const p of pods) {
      const port = p.spec?.containers?.[0]?.ports?.[0]?.containerPort ?? 8080
      const r = await httpGet(`http://${p.status?.podIP}:${port}/`)
      expect('body' in r ? answeringPod(r.body) : r, `who answers at ${p.status?.podIP}:${port}, the IP of ${p.metadata?.name}`).to.equal(p.metadata?.name)
    }
  },
)

/** What the pods of a scenario look like now, through the API (every pod of its namespace). */
async function scenarioPods(world: OckWorld): Promise<V1Pod[]> {
  const s = await world.cluster()
  return (await core(s.kubeconfig).listNamespacedPod({ namespace: s.namespace })).items
}

/** Remembers a pod seen running (its uid, node and containers) for the steps that check its containers stopped. */
function rememberRunning(world: OckWorld, p: V1Pod): void {
  const name = p.metadata!.name!
  world.remembered.podUids.set(name, p.metadata?.uid)
  ;(world.remembered.seenRunning ??= new Map()).set(name, {
    uid: p.metadata?.uid ?? '',
    node: p.spec?.nodeName,
    containers: (p.spec?.containers ?? []).map((c) => c.name),
  })
}

/**
 * The running containers of a pod: through the API, its status reports every container of its
 * spec running, each with a containerID; where the target has the engine door (the reference
 * target), the engine also runs exactly those containers, with those ids, labelled with the pod.
 */
async function expectRunningContainers(world: OckWorld, p: V1Pod): Promise<void> {
  const s = await world.cluster()
  const name = p.metadata!.name!
  rememberRunning(world, p)
  expect(runningContainerProblems(p), `the containers of pod ${name} as its status reports them (status.containerStatuses)`).to.deep.equal([])
  if (!s.engine) return
  const running = (await s.engine.containers({ podUid: p.metadata!.uid! })).filter((c) => c.state === 'running')
  expect(
    running.map((c) => c.labels[CONTAINER_LABELS.container]).sort(),
    `running containers of pod ${name} in the container engine (docker ps)`,
  ).to.deep.equal(p.spec!.containers.map((c) => c.name).sort())
  const ids = containerIDs(p)
  for (const c of running) {
    const container = c.labels[CONTAINER_LABELS.container] ?? '?'
    expect(`docker://${c.id}`, `the pod status of ${name} names the container ${container} the engine runs`).to.equal(ids.get(container))
    expect(c.labels, `labels of container ${c.id.slice(0, 12)} in the engine`).to.include({
      [CONTAINER_LABELS.podName]: name,
      [CONTAINER_LABELS.podNamespace]: s.namespace,
      [CONTAINER_LABELS.node]: p.spec?.nodeName,
    })
  }
}

Then(
  ['the container runtime runs a container of the pod {string}', 'الـ container runtime مشغل container للـ pod {string}'],
  async function (this: OckWorld, name: string) {
    await expectRunningContainers(this, await readPod(this, name))
  },
)

Then(
  [
    "the container runtime runs a container for each pod labelled {string}, carrying the pod's labels",
    'الـ container runtime مشغل container لكل pod عليها الـ label {string}، وعليه الـ labels بتاعة الـ pod',
  ],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
    expect(pods, `pods labelled ${selector}`).to.not.be.empty
    const owner = new Map<string, string>()
    for (const p of pods) {
      await expectRunningContainers(this, p)
      for (const id of containerIDs(p).values()) {
        expect(owner.get(id), `the pod that also reports container ${id}`).to.equal(undefined)
        owner.set(id, p.metadata!.name!)
      }
    }
  },
)

/**
 * The containers of pods seen running are gone: through the API, no such pod is left (a pod's
 * kubelet completes its deletion only once its containers stopped) and the kubelet of its node
 * reported stopping each of its containers (Killing events); where the target has the engine
 * door, the engine holds none of their containers any more, running or exited.
 */
function containersGone(world: OckWorld, pods: { name: string; uid: string; node?: string; containers: string[] }[]) {
  return async (): Promise<{ left: string[]; unstopped: string[]; inEngine: string[] }> => {
    const s = await world.cluster()
    const uids = new Set(pods.map((p) => p.uid))
    const left = (await scenarioPods(world)).filter((p) => uids.has(p.metadata?.uid ?? '')).map((p) => `${p.metadata?.name} on ${p.spec?.nodeName}`)
    const events = await kubeletEvents(s.kubeconfig, s.namespace)
    const unstopped = pods.flatMap((p) => {
      const stopped = stoppedContainers(events, p.uid, p.node)
      return p.containers.filter((c) => !stopped.includes(c)).map((c) => `${p.name}/${c}`)
    })
    const inEngine: string[] = []
    if (s.engine)
      for (const p of pods)
        for (const c of await s.engine.containers({ podUid: p.uid }))
          inEngine.push(`${p.name}/${c.labels[CONTAINER_LABELS.container]} ${c.id.slice(0, 12)} ${c.state}`)
    return { left, unstopped, inEngine }
  }
}

function expectGone(what: string): (v: { left: string[]; unstopped: string[]; inEngine: string[] }) => void {
  return (v) => {
    expect(v.left, `pods of ${what} still in the API`).to.deep.equal([])
    expect(v.unstopped, `containers of ${what} their kubelet never reported stopping (Killing events)`).to.deep.equal([])
    expect(v.inEngine, `containers of ${what} still in the container engine (docker ps -a)`).to.deep.equal([])
  }
}

Then(
  [
    'within {duration} no container of the pod {string} remains in the container runtime',
    'خلال {duration} الـ container runtime ميبقاش فيه ولا container للـ pod {string}',
  ],
  async function (this: OckWorld, ms: number, name: string) {
    const seen = this.remembered.seenRunning?.get(name)
    if (!seen) throw new Error(`no earlier step looked at the containers of pod ${name} ("the container runtime runs a container of the pod ...")`)
    await eventually(containersGone(this, [{ name, ...seen }]), expectGone(`pod ${name} (uid ${seen.uid})`), ms, {
      describe: `no container of pod ${name} left`,
    })
  },
)

Then(
  ['each pod labelled {string} reports containers of its own', 'كل pod عليها الـ label {string} بتبلغ عن containers بتاعتها هي'],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
    const owner = new Map<string, string>()
    for (const p of pods) {
      for (const c of p.status?.containerStatuses ?? []) {
        expect(c.containerID, `containerID of ${p.metadata?.name}/${c.name}`).to.be.a('string')
        expect(owner.get(c.containerID!), `the pod that also reports container ${c.containerID}`).to.equal(undefined)
        owner.set(c.containerID!, p.metadata!.name!)
      }
    }
  },
)

Then(
  ['every container ID of the pods labelled {string} starts with {string}', 'كل container ID للـ pods اللي عليها الـ label {string} بيبدأ بـ {string}'],
  async function (this: OckWorld, selector: string, prefix: string) {
    const s = await this.cluster()
    const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
    expect(pods, `pods labelled ${selector}`).to.not.be.empty
    for (const p of pods)
      for (const c of p.status?.containerStatuses ?? [])
        expect(c.containerID, `containerID of ${p.metadata?.name}/${c.name}`).to.match(
          new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[0-9a-z-]+$`),
        )
  },
)

Then(
  [
    'within {duration} the kubelet of each pod labelled {string} reported the runtime calls {string}, in order',
    'خلال {duration} الـ kubelet بتاعة كل pod عليها الـ label {string} بلغت عن الـ runtime calls {string}، بالترتيب',
  ],
  async function (this: OckWorld, ms: number, selector: string, calls: string) {
    const s = await this.cluster()
    const want = calls.split(',').map((c) => c.trim())
    const pods = await podsLabelled(s.kubeconfig, s.namespace, selector)
    expect(pods, `pods labelled ${selector}`).to.not.be.empty
    await eventually(
      () => kubeletEvents(s.kubeconfig, s.namespace),
      (events) => {
        for (const p of pods) {
          const mine = events.filter((e) => e.involvedObject?.uid === p.metadata?.uid)
          const reported = mine.map((e) => e.reason ?? '').filter((r) => want.includes(r))
          expect(reported, `runtime calls reported for ${p.metadata?.name} (all its kubelet events: ${mine.map((e) => e.reason).join(', ')})`).to.deep.equal(
            want,
          )
          expect([...new Set(mine.map((e) => e.source?.host))], `the node whose kubelet reported them`).to.deep.equal([p.spec?.nodeName])
        }
      },
      ms,
      { describe: `the kubelets to report ${calls} for each pod labelled ${selector}` },
    )
  },
)

When(
  [
    'I note the containers the runtime runs for the pods labelled {string}',
    'سجلت الـ containers اللي الـ runtime مشغلها للـ pods اللي عليها الـ label {string}',
  ],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    const noted = (await podsLabelled(s.kubeconfig, s.namespace, selector)).flatMap((p) =>
      (p.status?.containerStatuses ?? []).map((c) => {
        // where the pod serves HTTP, its own address is a witness that needs no API (the app names its pod)
        const port = p.spec?.containers?.find((x) => x.name === c.name)?.ports?.[0]?.containerPort
        return {
          pod: p.metadata!.name!,
          container: c.name,
          containerID: c.containerID ?? '',
          restartCount: c.restartCount,
          ...(port && p.status?.podIP ? { address: `${p.status.podIP}:${port}` } : {}),
        }
      }),
    )
    expect(noted, `containers of the pods labelled ${selector}`).to.not.be.empty
    for (const c of noted) expect(c.containerID, `the container ID of ${c.pod}/${c.container}`).to.match(/^[a-z0-9-]+:\/\/\S+$/)
    this.remembered.notedContainers = noted
  },
)

Then(
  ['for {duration} the container runtime keeps running those containers', 'لمدة {duration} الـ container runtime يفضل مشغل الـ containers دي'],
  async function (this: OckWorld, ms: number) {
    const noted = this.remembered.notedContainers
    if (!noted) throw new Error('no earlier step noted containers ("I note the containers the runtime runs for the pods labelled ...")')
    const s = await this.cluster()
    // Through the API each pod still reports the same container running, not restarted. While
    // the API cannot answer (its store is down), each container that serves HTTP still answers
    // on its pod's address with its pod's name; the engine door, where the target has one,
    // also tells. A look that none of them answers fails: nothing could tell.
    await consistently(
      async () => {
        const pods = await core(s.kubeconfig)
          .listNamespacedPod({ namespace: s.namespace })
          .then((l) => l.items)
          .catch(() => undefined)
        const answers = pods
          ? undefined
          : await Promise.all(
              noted.map(async (n) => {
                if (!n.address) return undefined
                const r = await httpGet(`http://${n.address}/`)
                return 'body' in r ? (answeringPod(r.body) ?? `status ${r.status}`) : r.error
              }),
            )
        return { pods, answers, engine: await s.engine?.containers({ label: CONTAINER_LABELS.podUid }) }
      },
      ({ pods, answers, engine }) => {
        expect(
          pods !== undefined || engine !== undefined || (answers ?? []).some((a) => a !== undefined),
          'the API, the containers at their pod addresses or the container engine answered',
        ).to.equal(true)
        if (pods) {
          for (const n of noted) {
            const cs = pods.find((p) => p.metadata?.name === n.pod)?.status?.containerStatuses?.find((c) => c.name === n.container)
            expect(
              { containerID: cs?.containerID, running: Boolean(cs?.state?.running), restartCount: cs?.restartCount },
              `${n.pod}/${n.container} as its pod status reports it`,
            ).to.deep.equal({ containerID: n.containerID, running: true, restartCount: n.restartCount })
          }
        }
        answers?.forEach((a, i) => {
          const n = noted[i]!
          if (n.address) expect(a, `who answers at ${n.address}, the address of ${n.pod} (the API does not answer)`).to.equal(n.pod)
        })
        if (engine) {
          const state = new Map(engine.map((c) => [c.id, c.state]))
          for (const n of noted)
            expect(state.get(runtimeId(n.containerID)) ?? 'gone', `container ${n.containerID.slice(0, 21)} in the container engine (docker ps)`).to.equal(
              'running',
            )
        }
      },
      ms,
      { describe: `the ${noted.length} noted containers to keep running`, intervalMs: 500 },
    )
  },
)

/** The scenario's pods bound to a node, with the containers their status reports running there. */
async function runningOnNode(world: OckWorld, node: string): Promise<{ pods: V1Pod[]; running: string[] }> {
  const pods = (await scenarioPods(world)).filter((p) => p.spec?.nodeName === node)
  const running = pods.flatMap((p) =>
    (p.status?.containerStatuses ?? []).filter((c) => c.state?.running).map((c) => `${p.metadata?.name}/${c.name} ${c.containerID}`),
  )
  return { pods, running }
}

/** The scenario's containers the engine holds on one node (labels ock.dev/node and ock.dev/pod-namespace), running or not. */
async function engineContainersOnNode(world: OckWorld, node: string): Promise<string[]> {
  const s = await world.cluster()
  if (!s.engine) return []
  const all = await s.engine.containers({ label: `${CONTAINER_LABELS.node}=${node}` })
  return all
    .filter((c) => c.labels[CONTAINER_LABELS.podNamespace] === s.namespace)
    .map((c) => `${c.labels[CONTAINER_LABELS.podName]}/${c.labels[CONTAINER_LABELS.container]} docker://${c.id} ${c.state}`)
}

Then(
  ['the container runtime runs {int} container(s) on the node {string}', 'الـ container runtime مشغل {int} container على الـ node {string}'],
  async function (this: OckWorld, n: number, node: string) {
    const s = await this.cluster()
    const { pods, running } = await runningOnNode(this, node)
    expect(running, `containers the status of the pods bound to ${node} reports running`).to.have.length(n)
    for (const p of pods) rememberRunning(this, p)
    if (!s.engine) return
    const inEngine = (await engineContainersOnNode(this, node)).filter((c) => c.endsWith(' running')).map((c) => c.replace(/ running$/, ''))
    expect(inEngine.sort(), `containers on ${node} in the container engine (docker ps)`).to.deep.equal(running.sort())
  },
)

Then(
  [
    'within {duration} the container runtime holds no container on the node {string}',
    'خلال {duration} الـ container runtime ميبقاش فيه ولا container على الـ node {string}',
  ],
  async function (this: OckWorld, ms: number, node: string) {
    const seen = [...(this.remembered.seenRunning ?? new Map()).entries()].filter(([, p]) => p.node === node).map(([name, p]) => ({ name, ...p }))
    const gone = containersGone(this, seen)
    await eventually(
      async () => ({
        ...(await gone()),
        bound: (await runningOnNode(this, node)).pods.map((p) => p.metadata?.name),
        engine: await engineContainersOnNode(this, node),
      }),
      (v) => {
        expect(v.bound, `pods of the scenario still bound to ${node}`).to.deep.equal([])
        expectGone(`the pods seen on ${node}`)(v)
        expect(v.engine, `containers on ${node} in the container engine (docker ps -a)`).to.deep.equal([])
      },
      ms,
      { describe: `no container left on ${node}` },
    )
  },
)

Then(
  [
    "each node's container runtime created containers only for the pods bound to that node, and for every pod labelled {string}",
    'الـ container runtime بتاع كل node عمل containers للـ pods اللي اتعملها bind على الـ node دي بس، ولكل pod عليها الـ label {string}',
  ],
  async function (this: OckWorld, selector: string) {
    const s = await this.cluster()
    if (!s.runtimes) throw new Error('this target has no runtime door (the scenario needs the @runtime tag)')
    const pods = (await core(s.kubeconfig).listNamespacedPod({ namespace: s.namespace })).items
    const { wrong, missing, created } = runtimeCallsAgainstBindings(s.runtimes, pods, await podsLabelled(s.kubeconfig, s.namespace, selector))
    this.log(created.join('\n'))
    expect(wrong, `containers a node's runtime created for a pod not bound to that node`).to.deep.equal([])
    expect(missing, `pods labelled ${selector} with no container created on their node`).to.deep.equal([])
  },
)
