import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { V1Pod } from '@kubernetes/client-node'
import { restartTimeline } from './restarts.js'

type CS = NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number]
const pod = (cs: Partial<CS>): V1Pod => ({ status: { containerStatuses: [{ name: 'app', image: 'i', imageID: '', ready: false, restartCount: 0, ...cs }] } })
const running = (id: string, startedAt: string, last?: { id: string; startedAt: string; finishedAt: string }): V1Pod =>
  pod({
    containerID: id,
    state: { running: { startedAt: new Date(startedAt) } },
    lastState: last ? { terminated: { containerID: last.id, exitCode: 1, startedAt: new Date(last.startedAt), finishedAt: new Date(last.finishedAt) } } : {},
  })
const waiting = (last: { id: string; startedAt: string; finishedAt: string }): V1Pod =>
  pod({
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { containerID: last.id, exitCode: 1, startedAt: new Date(last.startedAt), finishedAt: new Date(last.finishedAt) } },
  })

describe('restart timeline from the versions a watch saw', () => {
  it('orders attempts by start and measures the wait between one end and the next start', () => {
    const a = { id: 'docker://a', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' }
    const b = { id: 'docker://b', startedAt: '2026-01-01T00:00:01.100Z', finishedAt: '2026-01-01T00:00:02Z' }
    const versions = [running(a.id, a.startedAt), waiting(a), running(b.id, b.startedAt, a), waiting(b), running('docker://c', '2026-01-01T00:00:04Z', b)]
    const t = restartTimeline(versions)
    assert.deepEqual(
      t.map((x) => [x.containerID, x.waitedMs]),
      [
        ['docker://a', 0],
        ['docker://b', 100],
        ['docker://c', 2000],
      ],
    )
  })

  it('has no wait for an attempt whose predecessor was never seen finishing', () => {
    const t = restartTimeline([running('docker://a', '2026-01-01T00:00:00Z'), running('docker://b', '2026-01-01T00:00:05Z')])
    assert.equal(t.length, 2)
    assert.ok(Number.isNaN(t[1]!.waitedMs))
  })

  it('is empty for a pod without container statuses', () => {
    assert.deepEqual(restartTimeline([{ status: {} }]), [])
  })
})
