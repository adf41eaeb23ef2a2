import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from '../api/types.js'
import type { ContainerStatus } from '../runtime/runtime.js'
import { pod as build, T0 } from '../testing/objects.js'
import { generatePodStatus, podPhase, containerStatuses, type StatusInput } from './pod-status.js'

const NOW = '2026-01-01T00:00:10Z'

/** A scheduled, Pending pod `shop/web` on node-1 with these containers. */
function pod(restartPolicy = 'Always', names = ['app']): Pod {
  return build({
    namespace: 'shop',
    uid: 'u1',
    restartPolicy,
    node: 'node-1',
    containers: names,
    qosClass: 'BestEffort',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: T0 }],
  })
}

function ctr(name: string, attempt: number, state: ContainerStatus['state'], exitCode?: number): ContainerStatus {
  return {
    id: `${name}${attempt}`,
    podUid: 'u1',
    name,
    image: `img/${name}:1`,
    imageId: 'sha256:abc',
    attempt,
    state,
    createdAt: '2026-01-01T00:00:01Z',
    startedAt: state === 'created' ? undefined : '2026-01-01T00:00:02Z',
    finishedAt: state === 'exited' ? '2026-01-01T00:00:05Z' : undefined,
    exitCode,
  }
}

function input(p: Pod, containers: ContainerStatus[], extra: Partial<StatusInput> = {}): StatusInput {
  return { pod: p, containers, waiting: new Map(), podIP: '127.64.0.2', hostIP: '127.1.0.1', scheme: 'sim', now: NOW, ...extra }
}

describe('pod status', () => {
  const phases: [string, string, ContainerStatus[], Map<string, { reason: string; message: string }>, boolean, string][] = [
    ['no container yet', 'Always', [], new Map(), false, 'Pending'],
    ['all running', 'Always', [ctr('app', 0, 'running')], new Map(), false, 'Running'],
    ['exited, Always restarts it', 'Always', [ctr('app', 0, 'exited', 1)], new Map(), false, 'Running'],
    ['exited 0, Never', 'Never', [ctr('app', 0, 'exited', 0)], new Map(), false, 'Succeeded'],
    ['exited 1, Never', 'Never', [ctr('app', 0, 'exited', 1)], new Map(), false, 'Failed'],
    ['exited 1, OnFailure restarts it', 'OnFailure', [ctr('app', 0, 'exited', 1)], new Map(), false, 'Running'],
    ['image pull failing', 'Always', [], new Map([['app', { reason: 'ErrImagePull', message: 'no such host' }]]), false, 'Pending'],
    ['crash looping', 'Always', [ctr('app', 0, 'exited', 1)], new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off' }]]), false, 'Running'],
    ['deleted: stopped by SIGTERM', 'Always', [ctr('app', 0, 'exited', 143)], new Map(), true, 'Failed'],
  ]
  for (const [name, policy, containers, waiting, terminal, phase] of phases) {
    it(`phase: ${name} -> ${phase}`, () => {
      const p = pod(policy)
      assert.equal(podPhase(p, containerStatuses(input(p, containers, { waiting })), terminal), phase)
    })
  }

  it('reports a running pod as upstream does', () => {
    const s = generatePodStatus(input(pod(), [ctr('app', 0, 'running')]))
    assert.equal(s.phase, 'Running')
    assert.equal(s.podIP, '127.64.0.2')
    assert.deepEqual(s.podIPs, [{ ip: '127.64.0.2' }])
    assert.equal(s.hostIP, '127.1.0.1')
    assert.equal(s.qosClass, 'BestEffort')
    assert.equal(s.startTime, NOW)
    assert.deepEqual(
      s.conditions!.map((c) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
    )
    const cs = s.containerStatuses![0]!
    assert.deepEqual(cs.state, { running: { startedAt: '2026-01-01T00:00:02Z' } })
    assert.equal(cs.ready, true)
    assert.equal(cs.started, true)
    assert.equal(cs.restartCount, 0)
    assert.equal(cs.containerID, 'sim://app0')
    assert.equal(cs.image, 'img/app:1')
    assert.equal(cs.imageID, 'sha256:abc')
  })

  it('shows a crash loop as waiting, with the last termination and the restart count', () => {
    const s = generatePodStatus(
      input(pod(), [ctr('app', 0, 'exited', 1), ctr('app', 1, 'exited', 1)], {
        waiting: new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s' }]]),
      }),
    )
    const cs = s.containerStatuses![0]!
    assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff')
    assert.equal(cs.lastState?.terminated?.exitCode, 1)
    assert.equal(cs.restartCount, 1)
    assert.equal(cs.ready, false)
    const ready = s.conditions!.find((c) => c.type === 'Ready')!
    assert.equal(ready.status, 'False')
    assert.equal(ready.reason, 'ContainersNotReady')
    assert.equal(ready.message, 'containers with unready status: [app]')
  })

  it('keeps transition times of unchanged conditions and conditions other writers own', () => {
    const p = pod()
    p.status!.conditions!.push({ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:03Z' }, { type: 'DisruptionTarget', status: 'True' })
    const s = generatePodStatus(input(p, [ctr('app', 0, 'running')]))
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2026-01-01T00:00:03Z')
    assert.ok(s.conditions!.some((c) => c.type === 'DisruptionTarget'))
  })

  it('marks a finished pod not ready with PodCompleted', () => {
    const s = generatePodStatus(input(pod('Never'), [ctr('app', 0, 'exited', 0)]))
    assert.equal(s.phase, 'Succeeded')
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted')
    assert.equal(s.containerStatuses![0]!.state?.terminated?.reason, 'Completed')
  })

  it('reports readiness and started as the probes say; Ready=False without a restart', () => {
    const probes = { ready: (_n: string, id: string) => id !== 'app0', started: () => true }
    const s = generatePodStatus(input(pod(), [ctr('app', 0, 'running')], { probes }))
    assert.equal(s.phase, 'Running')
    assert.deepEqual([s.containerStatuses![0]!.ready, s.containerStatuses![0]!.started, s.containerStatuses![0]!.restartCount], [false, true, 0])
    assert.deepEqual(
      s.conditions!.filter((c) => c.type === 'Ready' || c.type === 'ContainersReady').map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['Ready', 'False', 'ContainersNotReady', 'containers with unready status: [app]'],
        ['ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [app]'],
      ],
    )
    const notStarted = generatePodStatus(input(pod(), [ctr('app', 0, 'running')], { probes: { ready: () => false, started: () => false } }))
    assert.equal(notStarted.containerStatuses![0]!.started, false)
  })
})
