// Steps about a pod's health as its status reports it: Ready or not (the readiness probe), in
// or out of its Services' endpoints, how often its container was restarted and in which
// containers, how long the kubelet waited before each restart (CrashLoopBackOff), and the
// waiting reasons it showed on the way (seen by "I watch the pods"), and what a container
// answered its probes, from the test app's own request log in the container runtime.

import { Then, type DataTable } from './define.js'
import type { V1Pod } from '@kubernetes/client-node'
import { expect } from 'chai'
import { parseDuration } from './parameter-types.js'
import { eventually } from '../support/eventually.js'
import { CONTAINER_LABELS, runtimeContainers, runtimeLog, thatPod, type RuntimeContainer } from '../support/containers.js'
import { answersFor, failed, longestFailureRun, trailingFailures } from '../support/requestlog.js'
import { restartTimeline } from '../support/restarts.js'
import { endpointsOf } from '../support/services.js'
import { core, isPodReady } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

async function readPod(world: OckWorld, name: string): Promise<V1Pod> {
  const s = await world.cluster()
  return core(s.kubeconfig).readNamespacedPod({ name, namespace: s.namespace })
}

function history(world: OckWorld, name: string): V1Pod[] {
  const h = world.remembered.podHistory
  if (!h) throw new Error('this step reads what the pods went through: start the scenario with "Given I watch the pods"')
  return h.get(name) ?? []
}

/** "that pod" in its Services' endpoints and its status, as one view. */
async function readiness(world: OckWorld, service: string): Promise<{ ready: boolean; restarts: number; containerID?: string; inEndpoints: string }> {
  const p = thatPod(world)
  const pod = await readPod(world, p.name)
  const s = await world.cluster()
  const e = await endpointsOf(s.kubeconfig, s.namespace, service)
  const where = e.ready.includes(p.uid) ? 'addresses' : e.notReady.includes(p.uid) ? 'notReadyAddresses' : 'absent'
  return {
    ready: isPodReady(pod),
    restarts: pod.status?.containerStatuses?.[0]?.restartCount ?? -1,
    containerID: pod.status?.containerStatuses?.[0]?.containerID,
    inEndpoints: where,
  }
}

Then(
  [
    'within {duration} that pod is not Ready, out of the endpoints of the service {string}, and not restarted',
    'خلال {duration} الـ pod دي تبقى مش Ready، وبره الـ endpoints بتاعة الـ service {string}، ومن غير restart',
  ],
  async function (this: OckWorld, ms: number, service: string) {
    const p = thatPod(this)
    await eventually(
      () => readiness(this, service),
      (v) =>
        void expect(v, `${p.name}: Ready, its place in the endpoints of ${service}, restarts, container`).to.deep.equal({
          ready: false,
          inEndpoints: 'notReadyAddresses',
          restarts: 0,
          containerID: p.containerID,
        }),
      ms,
      { describe: `${p.name} to be not Ready and listed under notReadyAddresses of ${service}` },
    )
  },
)

Then(
  [
    'within {duration} that pod is Ready and back in the endpoints of the service {string}, still not restarted',
    'خلال {duration} الـ pod دي ترجع Ready وترجع في الـ endpoints بتاعة الـ service {string}، ولسه من غير restart',
  ],
  async function (this: OckWorld, ms: number, service: string) {
    const p = thatPod(this)
    await eventually(
      () => readiness(this, service),
      (v) =>
        void expect(v, `${p.name}: Ready, its place in the endpoints of ${service}, restarts, container`).to.deep.equal({
          ready: true,
          inEndpoints: 'addresses',
          restarts: 0,
          containerID: p.containerID,
        }),
      ms,
      { describe: `${p.name} to be Ready and back under the addresses of ${service}` },
    )
  },
)

Then(
  [
    'within {duration} the pod {string} has restarted {int} time(s), each time in a new container',
    'خلال {duration} الـ pod {string} يبقى اتعملها restart {int} مرة، كل مرة في container جديد',
  ],
  async function (this: OckWorld, ms: number, name: string, n: number) {
    const pod = await eventually(
      () => readPod(this, name),
      (p) => void expect(p.status?.containerStatuses?.[0]?.restartCount, `restartCount of ${name}`).to.equal(n),
      ms,
      { describe: `pod ${name} to have restarted ${n} time(s)` },
    )
    const current = pod.status?.containerStatuses?.[0]?.containerID
    const before = this.remembered.thatPod
    if (before?.name === name) expect(current, `the container of ${name} now (it was ${before.containerID})`).to.not.equal(before.containerID)
    const h = this.remembered.podHistory
    if (h) {
      const ids = restartTimeline([...(h.get(name) ?? []), pod]).map((c) => c.containerID)
      expect(new Set(ids).size, `containers pod ${name} ran in: ${ids.join(', ')}`).to.equal(n + 1)
    }
  },
)

/** Rows: restart (1 = the first), and `at least` and/or `at most` (durations) it waited after the exit before. */
Then(
  ['before each restart of the pod {string} it waited:', 'قبل كل restart للـ pod {string} كانت مستنية:'],
  async function (this: OckWorld, name: string, table: DataTable) {
    const timeline = restartTimeline([...history(this, name), await readPod(this, name)])
    this.log(
      timeline
        .map(
          (c, i) =>
            `attempt ${i}: ${c.containerID.slice(0, 20)} started ${c.startedAt} finished ${c.finishedAt ?? '-'}${i ? `, after waiting ${c.waitedMs} ms` : ''}`,
        )
        .join('\n'),
    )
    for (const row of table.hashes()) {
      const k = Number(row.restart)
      const c = timeline[k]
      expect(c, `restart ${k} of ${name} (seen: ${timeline.length - 1} restarts)`).to.not.equal(undefined)
      if (row['at least']) expect(c!.waitedMs, `milliseconds ${name} waited before restart ${k}`).to.be.at.least(parseDuration(row['at least']))
      if (row['at most']) expect(c!.waitedMs, `milliseconds ${name} waited before restart ${k}`).to.be.at.most(parseDuration(row['at most']))
    }
  },
)

Then(
  ['the pod {string} was seen waiting with the reason {string}', 'الـ pod {string} اتشافت وهي waiting والسبب {string}'],
  function (this: OckWorld, name: string, reason: string) {
    const seen = history(this, name).flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter(Boolean))
    expect(seen, `waiting reasons pod ${name} showed`).to.include(reason)
  },
)

/** The pod's containers in the container runtime (docker ps), newest attempt first. */
async function containersOf(world: OckWorld, name: string): Promise<RuntimeContainer[]> {
  const uid = (await readPod(world, name)).metadata!.uid!
  const all = await runtimeContainers({ podUid: uid })
  return all.sort((a, b) => Number(b.labels[CONTAINER_LABELS.attempt]) - Number(a.labels[CONTAINER_LABELS.attempt]))
}

/** What a container answered requests for `path`, from its log in the runtime. */
async function answers(c: RuntimeContainer, path: string): Promise<number[]> {
  return answersFor(await runtimeLog(c.id), path)
}

// a liveness probe that found the app not yet listening is a failure the app's log cannot show:
// a scenario that counts the failures in the log waits for a logged success first
Then(
  [
    'within {duration} the container of the pod {string} has answered a request for {string} successfully',
    'خلال {duration} الـ container بتاع الـ pod {string} رد على request لـ {string} بنجاح',
  ],
  async function (this: OckWorld, ms: number, name: string, path: string) {
    await eventually(
      async () => {
        const [c] = await containersOf(this, name)
        return c ? await answers(c, path) : []
      },
      (codes) => codes.some((c) => !failed(c)),
      ms,
      { describe: `the container of pod ${name} to answer ${path} successfully, as its log in the container runtime tells` },
    )
  },
)

Then(
  [
    'the container the pod {string} was restarted from answered exactly its last {int} requests for {string} with an error',
    'الـ container اللي الـ pod {string} اتعملها restart منه رد على آخر {int} requests لـ {string} بـ error، ومش أكتر',
  ],
  async function (this: OckWorld, name: string, n: number, path: string) {
    const old = (await containersOf(this, name)).find((c) => c.state === 'exited')
    expect(old, `an exited container of pod ${name} in the container runtime`).to.not.equal(undefined)
    const codes = await answers(old!, path)
    this.log(`container ${old!.id.slice(0, 12)} answered ${path}: ${codes.join(' ')}`)
    expect(
      codes.some((c) => !failed(c)),
      `container ${old!.id.slice(0, 12)} answered ${path} with success before it failed (${codes.join(' ')})`,
    ).to.equal(true)
    expect(trailingFailures(codes), `failed requests for ${path} in a row before container ${old!.id.slice(0, 12)} was killed (${codes.join(' ')})`).to.equal(n)
  },
)

Then(
  [
    'the container of the pod {string} answered at least {int} requests for {string} with an error, never {int} in a row',
    'الـ container بتاع الـ pod {string} رد على {int} requests على الأقل لـ {string} بـ error، عمره ما رد {int} ورا بعض',
  ],
  async function (this: OckWorld, name: string, atLeast: number, path: string, run: number) {
    const [c] = await containersOf(this, name)
    expect(c, `a container of pod ${name} in the container runtime`).to.not.equal(undefined)
    const codes = await answers(c!, path)
    this.log(`container ${c!.id.slice(0, 12)} answered ${path}: ${codes.join(' ')}`)
    expect(codes.filter(failed).length, `failed requests for ${path} (${codes.join(' ')})`).to.be.at.least(atLeast)
    expect(longestFailureRun(codes), `the longest run of failed requests for ${path} (${codes.join(' ')})`).to.be.below(run)
  },
)
