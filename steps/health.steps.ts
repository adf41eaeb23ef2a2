// Steps about a pod's health as its status reports it: Ready or not (the readiness probe), in
// or out of its Services' endpoints, how often its container was restarted and in which
// containers, how long the kubelet waited before each restart (CrashLoopBackOff), and the
// waiting reasons it showed on the way (seen by "I watch the pods"), and what a container
// answered its probes, from the test app's own request log through the API (pods/log, and
// `previous` for the container a pod was restarted from; on the reference target the engine's
// copy of that log is held against it as an extra check).

import { Then, type DataTable } from './define.js'
import type { V1Pod } from '@kubernetes/client-node'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { podLog, thatPod } from '../support/containers.js'
import { answersFor, failed, longestFailureRun, trailingFailures } from '../support/requestlog.js'
import { restartTimeline } from '../support/restarts.js'
import { resolveBound } from '../support/timings.js'
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

/** Rows: restart (1 = the first), and `at least` and/or `at most` (durations, or bounds named after the stated timings) it waited after the exit before. */
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
      if (row['at least'])
        expect(c!.waitedMs, `milliseconds ${name} waited before restart ${k}`).to.be.at.least(resolveBound(row['at least'], this.statedTimings))
      if (row['at most']) expect(c!.waitedMs, `milliseconds ${name} waited before restart ${k}`).to.be.at.most(resolveBound(row['at most'], this.statedTimings))
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

/** What the pod's container (its first, or `previous`: the one it was restarted from) answered requests for `path`, from its log through the API (pods/log). */
async function answers(world: OckWorld, name: string, path: string, previous = false): Promise<number[]> {
  const s = await world.cluster()
  return answersFor(await podLog(s.kubeconfig, s.namespace, name, { previous }), path)
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
      () => answers(this, name, path).catch(() => [] as number[]),
      (codes) => codes.some((c) => !failed(c)),
      ms,
      { describe: `the container of pod ${name} to answer ${path} successfully, as its log (pods/log) tells` },
    )
  },
)

Then(
  [
    'the container the pod {string} was restarted from answered exactly its last {int} requests for {string} with an error',
    'الـ container اللي الـ pod {string} اتعملها restart منه رد على آخر {int} requests لـ {string} بـ error، ومش أكتر',
  ],
  async function (this: OckWorld, name: string, n: number, path: string) {
    const s = await this.cluster()
    const pod = await readPod(this, name)
    const last = pod.status?.containerStatuses?.[0]?.lastState?.terminated
    expect(last?.containerID, `the container pod ${name} was restarted from (status.containerStatuses[0].lastState.terminated)`).to.be.a('string')
    const id = last!.containerID!.slice(0, 21)
    const codes = await answers(this, name, path, true)
    this.log(`container ${id} answered ${path}: ${codes.join(' ')} (pods/log?previous=true)`)
    if (s.engine) {
      // extra, on the reference target: the engine still holds that container, exited, and its own log tells the same
      const c = (await s.engine.containers({ podUid: pod.metadata!.uid! })).find((x) => `docker://${x.id}` === last!.containerID)
      expect(c?.state, `container ${id} in the container engine (docker ps -a)`).to.equal('exited')
      expect(answersFor(await s.engine.log(c!.id), path), `what container ${id} answered ${path}, as the engine's log tells`).to.deep.equal(codes)
    }
    expect(
      codes.some((c) => !failed(c)),
      `container ${id} answered ${path} with success before it failed (${codes.join(' ')})`,
    ).to.equal(true)
    expect(trailingFailures(codes), `failed requests for ${path} in a row before container ${id} was killed (${codes.join(' ')})`).to.equal(n)
  },
)

Then(
  [
    'the container of the pod {string} answered at least {int} requests for {string} with an error, never {int} in a row',
    'الـ container بتاع الـ pod {string} رد على {int} requests على الأقل لـ {string} بـ error، عمره ما رد {int} ورا بعض',
  ],
  async function (this: OckWorld, name: string, atLeast: number, path: string, run: number) {
    const codes = await answers(this, name, path)
    this.log(`the container of ${name} answered ${path}: ${codes.join(' ')} (pods/log)`)
    expect(codes.filter(failed).length, `failed requests for ${path} (${codes.join(' ')})`).to.be.at.least(atLeast)
    expect(longestFailureRun(codes), `the longest run of failed requests for ${path} (${codes.join(' ')})`).to.be.below(run)
  },
)
