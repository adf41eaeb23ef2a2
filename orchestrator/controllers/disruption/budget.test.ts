import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PodDisruptionBudget } from '../../api/pdb.js'
import type { Pod } from '../../api/types.js'
import { pod as build } from '../../testing/objects.js'
import { budgetStatus, countHealthy, DELETION_TIMEOUT_MS, disruptedPods, expectedPodCount, type ScaleOf } from './budget.js'

/** A Running pod in `ns`, ready and owned by ReplicaSet `rs` unless told otherwise. */
function pod(name: string, o: { ready?: boolean; owned?: boolean; deleting?: boolean } = {}): Pod {
  const { ready = true, owned = true, deleting = false } = o
  return build({
    name,
    namespace: 'ns',
    phase: 'Running',
    ready,
    deleting: deleting && '2024-01-01T00:00:00Z',
    owner: owned ? { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid' } : undefined,
  })
}

const pdb = (spec: PodDisruptionBudget['spec']): PodDisruptionBudget => ({ metadata: { name: 'web', namespace: 'ns', generation: 2 }, spec })
const replicas =
  (n: number): ScaleOf =>
  () => ({ uid: 'd-uid', replicas: n })
const three = [pod('a'), pod('b'), pod('c')]

describe('expected and desired healthy pods (upstream getExpectedPodCount)', () => {
  const table: [string, PodDisruptionBudget['spec'], Pod[], number, { expectedCount: number; desiredHealthy: number }][] = [
    ['minAvailable as a number counts the selected pods', { minAvailable: 2 }, three, 5, { expectedCount: 3, desiredHealthy: 2 }],
    ['minAvailable as a percentage counts the controller replicas, rounding up', { minAvailable: '50%' }, three, 5, { expectedCount: 5, desiredHealthy: 3 }],
    ['maxUnavailable as a number', { maxUnavailable: 1 }, three, 3, { expectedCount: 3, desiredHealthy: 2 }],
    ['maxUnavailable as a percentage rounds up the pods that may go', { maxUnavailable: '25%' }, three, 3, { expectedCount: 3, desiredHealthy: 2 }],
    ['maxUnavailable above the replicas leaves none needed', { maxUnavailable: 5 }, three, 3, { expectedCount: 3, desiredHealthy: 0 }],
    ['neither field: nothing expected', {}, three, 3, { expectedCount: 0, desiredHealthy: 0 }],
  ]
  for (const [name, spec, pods, n, want] of table) {
    it(name, () => {
      const got = expectedPodCount(pdb(spec), pods, replicas(n))
      assert.deepEqual({ expectedCount: got.expectedCount, desiredHealthy: got.desiredHealthy }, want)
    })
  }

  it('names unmanaged pods, and fails when a controller cannot be found', () => {
    assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('a'), pod('lone', { owned: false })], replicas(1)).unmanaged, ['lone'])
    assert.throws(() => expectedPodCount(pdb({ maxUnavailable: 1 }), three, () => undefined), /found no controllers for pod "a"/)
  })
})

describe('healthy pods and recorded evictions (upstream countHealthyPods, buildDisruptedPodMap)', () => {
  const now = Date.parse('2024-01-01T00:10:00Z')
  const recent = new Date(now - 1_000).toISOString()
  const old = new Date(now - DELETION_TIMEOUT_MS - 1_000).toISOString()

  it('counts Ready pods that are neither being deleted nor just evicted', () => {
    const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d')]
    assert.equal(countHealthy(pods, {}, now), 2)
    assert.equal(countHealthy(pods, { d: recent }, now), 1)
    assert.equal(countHealthy(pods, { d: old }, now), 2)
  })

  it('keeps recent evictions of pods still there, expires old ones, forgets pods going', () => {
    const pods = [pod('a'), pod('b'), pod('c', { deleting: true })]
    const got = disruptedPods(pods, { a: recent, b: old, c: recent, gone: recent }, now)
    assert.deepEqual(got.map, { a: recent })
    assert.deepEqual(got.expired, ['b'])
    assert.equal(got.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS)
  })
})

describe('the status a budget gets (upstream updatePdbStatus)', () => {
  const table: [string, { expectedCount: number; desiredHealthy: number; currentHealthy: number }, number, string][] = [
    ['room for one', { expectedCount: 4, desiredHealthy: 3, currentHealthy: 4 }, 1, 'SufficientPods'],
    ['exactly at the minimum', { expectedCount: 3, desiredHealthy: 3, currentHealthy: 3 }, 0, 'InsufficientPods'],
    ['below the minimum never goes negative', { expectedCount: 3, desiredHealthy: 3, currentHealthy: 1 }, 0, 'InsufficientPods'],
    ['no expected pods allow nothing', { expectedCount: 0, desiredHealthy: 0, currentHealthy: 2 }, 0, 'InsufficientPods'],
  ]
  for (const [name, e, allowed, reason] of table) {
    it(name, () => {
      const s = budgetStatus(pdb({ minAvailable: 3 }), { ...e, disrupted: {} }, '2024-01-01T00:00:00Z')
      assert.equal(s.disruptionsAllowed, allowed)
      assert.equal(s.observedGeneration, 2)
      assert.equal(s.expectedPods, e.expectedCount)
      assert.deepEqual(
        s.conditions?.map((c) => [c.type, c.status, c.reason]),
        [['DisruptionAllowed', allowed > 0 ? 'True' : 'False', reason]],
      )
      assert.equal(s.disruptedPods, undefined)
    })
  }
})
