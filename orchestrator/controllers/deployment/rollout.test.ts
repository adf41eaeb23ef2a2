import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Deployment, ReplicaSet } from '../../api/types.js'
import {
  computeHash,
  equalIgnoreHash,
  fnv32a,
  maxScaledDown,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  safeEncodeString,
  scaledValue,
  calculateStatus,
} from './rollout.js'

function dep(replicas: number, maxSurge?: number | string, maxUnavailable?: number | string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'd' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
    },
  }
}

function rs(name: string, replicas: number, available = replicas, created = '2026-01-01T00:00:00Z', annotations: Record<string, string> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, creationTimestamp: created, annotations },
    spec: { replicas, selector: {} },
    status: { replicas, availableReplicas: available },
  }
}

describe('deployment arithmetic', () => {
  it('resolves percentages as upstream: surge rounds up, unavailability rounds down', () => {
    const table: [number, number | string | undefined, number | string | undefined, [number, number]][] = [
      [10, undefined, undefined, [3, 2]], // 25% defaults
      [4, undefined, undefined, [1, 1]],
      [1, undefined, undefined, [1, 0]],
      [10, '30%', '30%', [3, 3]],
      [10, 0, 0, [0, 1]], // both zero: unavailability 1
      [3, 2, '50%', [2, 1]],
    ]
    for (const [replicas, s, u, want] of table) assert.deepEqual(resolveFenceposts(dep(replicas, s, u)), want, `${replicas} ${s} ${u}`)
    assert.equal(maxUnavailable(dep(1, 0, 5)), 1, 'never more than replicas')
    assert.equal(scaledValue('25%', 3, true, '0'), 1)
    assert.throws(() => scaledValue('abc', 3, true, '0'), /invalid value/)
  })

  it('scales the new ReplicaSet up within replicas + maxSurge', () => {
    const d = dep(10) // surge 3
    assert.equal(newRSNewReplicas(d, [rs('old', 10), rs('new', 0)], rs('new', 0)), 3)
    assert.equal(newRSNewReplicas(d, [rs('old', 8), rs('new', 3)], rs('new', 3)), 5)
    assert.equal(newRSNewReplicas(d, [rs('old', 10), rs('new', 3)], rs('new', 3)), 3, 'at the surge limit')
    assert.equal(newRSNewReplicas(d, [rs('old', 0), rs('new', 9)], rs('new', 9)), 10, 'never beyond replicas')
  })

  it('scales old ReplicaSets down only as far as availability allows', () => {
    const d = dep(10) // unavailable 2: at least 8 available
    assert.equal(maxScaledDown(d, [rs('old', 10), rs('new', 3, 0)], rs('new', 3, 0)), 13 - 8 - 3)
    assert.equal(maxScaledDown(d, [rs('old', 10), rs('new', 3, 3)], rs('new', 3, 3)), 13 - 8)
  })

  it('shares a scale-up among active ReplicaSets in proportion', () => {
    const d = dep(20) // surge 5: 25 allowed
    const sizes = proportionalSizes(d, [
      rs('old', 8, 8, '2026-01-01T00:00:00Z', { 'deployment.kubernetes.io/max-replicas': '13' }),
      rs('new', 5, 5, '2026-01-02T00:00:00Z', { 'deployment.kubernetes.io/max-replicas': '13' }),
    ])
    assert.equal(
      [...sizes.values()].reduce((a, b) => a + b, 0),
      25,
    )
    assert.ok(sizes.get('old')! > sizes.get('new')!)
  })

  it('computes status counts and the Available condition', () => {
    const d = dep(4)
    const s = calculateStatus(
      d,
      [rs('a', 2, 2), { ...rs('b', 2, 1), status: { replicas: 2, readyReplicas: 2, availableReplicas: 1 } }],
      rs('b', 2, 1),
      '2026-01-01T00:00:00Z',
    )
    assert.equal(s.replicas, 4)
    assert.equal(s.availableReplicas, 3)
    assert.equal(s.unavailableReplicas, 1)
    assert.equal(s.updatedReplicas, 2)
    assert.equal(s.conditions?.find((c) => c.type === 'Available')?.status, 'True', '3 >= 4 - 1')
    assert.equal(maxSurge(d), 1)
  })
})

describe('pod-template-hash', () => {
  it('is FNV-32a of the template, encoded with the safe alphabet', () => {
    assert.equal(fnv32a(''), 0x811c9dc5)
    assert.equal(fnv32a('a'), 0xe40c292c)
    assert.equal(safeEncodeString('0123456789'), '456789bcdf')
    const t = dep(1).spec!.template
    assert.match(computeHash(t), /^[bcdfghjklmnpqrstvwxz2456789]+$/)
    assert.equal(computeHash(t), computeHash(structuredClone(t)), 'stable')
    assert.notEqual(computeHash(t), computeHash(t, 1), 'the collision count changes it')
  })

  it('compares templates ignoring the hash label', () => {
    const t = dep(1).spec!.template
    const labelled = structuredClone(t)
    labelled.metadata!.labels!['pod-template-hash'] = 'abc'
    assert.ok(equalIgnoreHash(t, labelled))
    const other = structuredClone(t)
    other.spec!.containers[0]!.image = 'i:2'
    assert.ok(!equalIgnoreHash(t, other))
  })
})
