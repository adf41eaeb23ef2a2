import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from '../api/types.js'
import type { ContainerStatus } from '../runtime/runtime.js'
import { computePodActions } from './actions.js'
import { BackOff } from './backoff.js'
import { pod as build } from '../testing/objects.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')

const pod = (restartPolicy: string, ...names: string[]): Pod => build({ namespace: 'shop', uid: 'u1', restartPolicy, containers: names })

function ctr(name: string, attempt: number, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { id: `${name}-${attempt}`, podUid: 'u1', name, image: `img/${name}:1`, attempt, state, createdAt: new Date(T0 + attempt).toISOString(), ...extra }
}

const exited = (name: string, attempt: number, exitCode: number, finishedAgoMs = 0): ContainerStatus =>
  ctr(name, attempt, 'exited', { exitCode, finishedAt: new Date(T0 - finishedAgoMs).toISOString() })

describe('computePodActions', () => {
  const table: {
    name: string
    pod: Pod
    containers: ContainerStatus[]
    backoff?: (b: BackOff) => void
    unhealthy?: Map<string, 'liveness' | 'startup'>
    killMessage?: string
    start?: [string, number, boolean][]
    remove?: string[]
    kill?: string[]
    wait?: string[]
  }[] = [
    {
      name: 'starts every container of a new pod',
      pod: pod('Always', 'a', 'b'),
      containers: [],
      start: [
        ['a', 0, false],
        ['b', 0, false],
      ],
    },
    { name: 'leaves running containers alone', pod: pod('Always', 'a'), containers: [ctr('a', 0, 'running')] },
    { name: 'restarts an exited container at once the first time (Always)', pod: pod('Always', 'a'), containers: [exited('a', 0, 0)], start: [['a', 1, true]] },
    {
      name: 'waits in CrashLoopBackOff when the last restart was recent',
      pod: pod('Always', 'a'),
      containers: [exited('a', 0, 1, 20_000), exited('a', 1, 1, 1_000)],
      backoff: (b) => b.next('u1/a', T0 - 20_000),
      wait: ['a:CrashLoopBackOff'],
    },
    {
      name: 'restarts once the back-off window has passed, removing the older dead container',
      pod: pod('Always', 'a'),
      containers: [exited('a', 0, 1, 60_000), exited('a', 1, 1, 30_000)],
      backoff: (b) => b.next('u1/a', T0 - 60_000),
      start: [['a', 2, true]],
      remove: ['a-0'],
    },
    { name: 'OnFailure restarts a failed container', pod: pod('OnFailure', 'a'), containers: [exited('a', 0, 2)], start: [['a', 1, true]] },
    { name: 'OnFailure leaves a succeeded container', pod: pod('OnFailure', 'a'), containers: [exited('a', 0, 0)] },
    { name: 'Never restarts nothing', pod: pod('Never', 'a'), containers: [exited('a', 0, 1)] },
    {
      name: 'keeps only the latest dead container and the one before',
      pod: pod('Always', 'a'),
      containers: [exited('a', 0, 1), exited('a', 1, 1), ctr('a', 2, 'running')],
      remove: ['a-0'],
    },
    {
      name: 'starts afresh a container that was created but never started',
      pod: pod('Always', 'a'),
      containers: [ctr('a', 0, 'created')],
      start: [['a', 0, false]],
      remove: ['a-0'],
    },
    {
      name: 'replaces a running container whose image changed',
      pod: pod('Always', 'a'),
      containers: [ctr('a', 0, 'running', { image: 'img/a:0' })],
      kill: ['a-0'],
      start: [['a', 1, false]],
    },
    {
      name: 'kills a container that failed its liveness probe and starts a new one at once (Always)',
      pod: pod('Always', 'a'),
      containers: [ctr('a', 0, 'running')],
      unhealthy: new Map([['a-0', 'liveness']]),
      kill: ['a-0'],
      killMessage: 'Container a failed liveness probe, will be restarted',
      start: [['a', 1, false]],
    },
    {
      name: 'a failed startup probe restarts too (OnFailure), keeping the container before for lastState',
      pod: pod('OnFailure', 'a'),
      containers: [exited('a', 0, 1), ctr('a', 1, 'running')],
      unhealthy: new Map([['a-1', 'startup']]),
      kill: ['a-1'],
      killMessage: 'Container a failed startup probe, will be restarted',
      start: [['a', 2, false]],
      remove: ['a-0'],
    },
    {
      name: 'Never: a failed liveness probe only kills',
      pod: pod('Never', 'a'),
      containers: [ctr('a', 0, 'running')],
      unhealthy: new Map([['a-0', 'liveness']]),
      kill: ['a-0'],
      killMessage: 'Container a failed liveness probe',
    },
    {
      name: 'a liveness failure of an older container changes nothing',
      pod: pod('Always', 'a'),
      containers: [exited('a', 0, 0), ctr('a', 1, 'running')],
      unhealthy: new Map([['a-0', 'liveness']]),
    },
    {
      name: 'stops and removes containers the spec does not have',
      pod: pod('Always', 'a'),
      containers: [ctr('a', 0, 'running'), ctr('old', 0, 'running')],
      kill: ['old-0'],
      remove: ['old-0'],
    },
  ]

  for (const t of table) {
    it(t.name, () => {
      const b = new BackOff(10_000, 300_000, () => T0)
      t.backoff?.(b)
      const a = computePodActions(t.pod, t.containers, b, t.unhealthy)
      if (t.killMessage) assert.equal(a.kill[0]?.message, t.killMessage)
      assert.deepEqual(
        a.start.map((s) => [s.container.name, s.attempt, Boolean(s.restart)]),
        t.start ?? [],
      )
      assert.deepEqual(a.remove.sort(), (t.remove ?? []).sort())
      assert.deepEqual(
        a.kill.map((k) => k.id),
        t.kill ?? [],
      )
      assert.deepEqual(
        a.wait.map((w) => `${w.name}:${w.reason}`),
        t.wait ?? [],
      )
    })
  }

  it('says how long the back-off still lasts and how long its window is', () => {
    const b = new BackOff(10_000, 300_000, () => T0)
    b.next('u1/a', T0 - 20_000)
    b.next('u1/a', T0 - 4_000) // second restart: window 20s
    const a = computePodActions(pod('Always', 'a'), [exited('a', 2, 1, 4_000)], b)
    assert.equal(a.wait[0]?.retryAfterMs, 16_000)
    assert.match(a.wait[0]!.message, /^back-off 20s restarting failed container=a pod=web_shop\(u1\)$/)
  })
})

describe('BackOff', () => {
  it('doubles up to the cap and starts over after a long quiet spell', () => {
    let now = T0
    const b = new BackOff(10, 40, () => now)
    const windows: number[] = []
    for (let i = 0; i < 5; i++) {
      b.next('k', now)
      windows.push(b.windowMs('k'))
    }
    assert.deepEqual(windows, [10, 20, 40, 40, 40])
    now += 1000
    b.next('k', now)
    assert.equal(b.windowMs('k'), 10)
  })
})
