import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { behaviorWithDefaults, normalize, normalizeWithBehavior, resourceReplicas, type PodInfo, type PodMetric } from './replicas.js'

const pod = (name: string, request = 200, extra: Partial<PodInfo> = {}): PodInfo => ({
  name,
  pending: false,
  unready: false,
  ignored: false,
  request,
  ...extra,
})
const usage = (entries: [string, number][]): Map<string, PodMetric> => new Map(entries.map(([n, v]) => [n, { value: v, timestamp: 1 }]))

describe('HPA replica calculation', () => {
  it('computes ceil(current x utilization / target), unchanged within the tolerance', () => {
    const table: [string, number, [string, number][], number, number][] = [
      // what, current replicas, usage per pod (millicores, 200m requested each), target %, expected
      [
        'at target',
        2,
        [
          ['a', 100],
          ['b', 100],
        ],
        50,
        2,
      ],
      [
        'within tolerance above (+8 %)',
        2,
        [
          ['a', 108],
          ['b', 108],
        ],
        50,
        2,
      ],
      [
        'within tolerance below (-10 %)',
        2,
        [
          ['a', 90],
          ['b', 90],
        ],
        50,
        2,
      ],
      [
        'just outside the tolerance',
        2,
        [
          ['a', 112],
          ['b', 112],
        ],
        50,
        3,
      ],
      [
        'three times the target',
        2,
        [
          ['a', 300],
          ['b', 300],
        ],
        50,
        6,
      ],
      [
        'idle (min replicas apply later)',
        4,
        [
          ['a', 1],
          ['b', 1],
          ['c', 1],
          ['d', 1],
        ],
        50,
        0,
      ],
    ]
    for (const [what, current, use, target, want] of table) {
      const r = resourceReplicas({
        currentReplicas: current,
        resource: 'cpu',
        pods: use.map(([n]) => pod(n)),
        metrics: usage(use),
        tolerance: 0.1,
        targetUtilization: target,
      })
      assert.equal(r.replicas, want, what)
    }
  })

  it('reports utilization and the average value', () => {
    const r = resourceReplicas({
      currentReplicas: 2,
      resource: 'cpu',
      pods: [pod('a'), pod('b')],
      metrics: usage([
        ['a', 300],
        ['b', 100],
      ]),
      tolerance: 0.1,
      targetUtilization: 50,
    })
    assert.deepEqual([r.replicas, r.utilization, r.averageValue], [4, 100, 200])
  })

  it('scales on an average value target', () => {
    const r = resourceReplicas({
      currentReplicas: 2,
      resource: 'memory',
      pods: [pod('a'), pod('b')],
      metrics: usage([
        ['a', 96e3],
        ['b', 96e3],
      ]),
      tolerance: 0.1,
      targetAverageValue: 32e3,
    })
    assert.equal(r.replicas, 6)
  })

  it('is conservative about pods without metrics and pods not ready', () => {
    // scaling down: the pod without metrics counts as using 100 % of its request
    let r = resourceReplicas({
      currentReplicas: 4,
      resource: 'cpu',
      pods: [pod('a'), pod('b'), pod('c'), pod('d')],
      metrics: usage([
        ['a', 0],
        ['b', 0],
        ['c', 0],
      ]),
      tolerance: 0.1,
      targetUtilization: 50,
    })
    assert.equal(r.replicas, 2, '(0 + 0 + 0 + 200) / 800 = 25 % of a 50 % target')
    // scaling up: a pending pod counts as 0
    r = resourceReplicas({
      currentReplicas: 2,
      resource: 'cpu',
      pods: [pod('a'), pod('b', 200, { pending: true })],
      metrics: usage([['a', 200]]),
      tolerance: 0.1,
      targetUtilization: 50,
    })
    assert.equal(r.replicas, 2, 'ratio 2 -> 1 with the unready pod at 0: within tolerance')
    // a deleted pod is left out
    r = resourceReplicas({
      currentReplicas: 2,
      resource: 'cpu',
      pods: [pod('a'), pod('b', 200, { ignored: true })],
      metrics: usage([
        ['a', 300],
        ['b', 300],
      ]),
      tolerance: 0.1,
      targetUtilization: 50,
    })
    assert.equal(r.replicas, 3)
  })

  it('says why it cannot compute, in upstream words', () => {
    assert.throws(
      () => resourceReplicas({ currentReplicas: 1, resource: 'cpu', pods: [pod('a')], metrics: new Map(), tolerance: 0.1, targetUtilization: 50 }),
      /unable to get metrics for resource cpu: no metrics returned from resource metrics API/,
    )
    assert.throws(
      () =>
        resourceReplicas({
          currentReplicas: 1,
          resource: 'cpu',
          pods: [pod('a', 0, { request: undefined, missingRequestIn: 'app' })],
          metrics: usage([['a', 5]]),
          tolerance: 0.1,
          targetUtilization: 50,
        }),
      /missing request for cpu in container app of Pod a/,
    )
  })
})

describe('HPA normalization', () => {
  it('without behavior: bounded by min/max and max(2 x current, 4) per step', () => {
    const base = { history: [], now: 1_000_000, downscaleStabilizationMs: 300_000 }
    const table: [string, number, number, number, number, number, string, 'True' | 'False'][] = [
      ['within range', 2, 3, 1, 10, 3, 'DesiredWithinRange', 'False'],
      ['above max', 3, 8, 1, 5, 5, 'TooManyReplicas', 'True'],
      ['faster than the scale rate', 1, 9, 1, 10, 4, 'ScaleUpLimit', 'True'],
      ['below min', 3, 1, 2, 10, 2, 'TooFewReplicas', 'True'],
    ]
    for (const [what, current, desired, min, max, want, reason, limited] of table) {
      const n = normalize({ ...base, current, desired, min, max })
      assert.deepEqual([n.replicas, n.scalingLimited.reason, n.scalingLimited.status], [want, reason, limited], what)
    }
  })

  it('without behavior: keeps the highest recommendation of the downscale window', () => {
    let n = normalize({ current: 4, desired: 4, min: 1, max: 10, history: [], now: 0, downscaleStabilizationMs: 10_000 })
    n = normalize({ current: 4, desired: 1, min: 1, max: 10, history: n.history, now: 5_000, downscaleStabilizationMs: 10_000 })
    assert.equal(n.replicas, 4)
    assert.equal(n.ableToScale.reason, 'ScaleDownStabilized')
    n = normalize({ current: 4, desired: 1, min: 1, max: 10, history: n.history, now: 11_000, downscaleStabilizationMs: 10_000 })
    assert.equal(n.replicas, 1, 'the 4 fell out of the window')
    assert.equal(n.ableToScale.reason, 'ReadyForNewScale')
  })

  it('with behavior: stabilization windows and rate policies of each direction', () => {
    const behavior = behaviorWithDefaults(
      { scaleDown: { stabilizationWindowSeconds: 10, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleUp: { stabilizationWindowSeconds: 5 } },
      300,
    )
    const args = { min: 1, max: 10, behavior, scaleUpEvents: [], scaleDownEvents: [] }
    let n = normalizeWithBehavior({ ...args, current: 2, desired: 6, history: [], now: 0 })
    assert.equal(n.replicas, 6, 'the first recommendation is the only one in the window')
    n = normalizeWithBehavior({ ...args, current: 6, desired: 1, history: n.history, now: 12_000 })
    assert.deepEqual([n.replicas, n.scalingLimited.reason], [5, 'ScaleDownLimit'], 'one pod per minute down')
    n = normalizeWithBehavior({ ...args, current: 5, desired: 1, history: n.history, now: 13_000, scaleDownEvents: [{ change: 1, at: 12_000 }] })
    assert.deepEqual([n.replicas, n.scalingLimited.reason], [5, 'ScaleDownLimit'], 'the period has used its one pod')
    const up = normalizeWithBehavior({ ...args, current: 1, desired: 20, history: [], now: 0 })
    assert.deepEqual([up.replicas, up.scalingLimited.reason], [5, 'ScaleUpLimit'], 'default: 4 pods or 100 % per 15 s, the larger')
    const stabilizedUp = normalizeWithBehavior({ ...args, current: 2, desired: 6, history: [{ replicas: 3, at: -1_000 }], now: 0 })
    assert.deepEqual([stabilizedUp.replicas, stabilizedUp.ableToScale.reason], [3, 'ScaleUpStabilized'])
  })
})
