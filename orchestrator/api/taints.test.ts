import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Taint, Toleration } from './types.js'
import { matchingTolerations, minTolerationMs, toleratesTaint } from './taints.js'

describe('tolerations against NoExecute taints', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }
  const defaults: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
  ]
  const table: [string, Taint[], Toleration[], boolean, number][] = [
    ['no taints: nothing to wait for', [], defaults, true, 0],
    ['the default unreachable toleration', [unreachable], defaults, true, 30_000],
    ['the shortest of two used tolerations', [unreachable, notReady], defaults, true, 30_000],
    ['an untolerated taint', [{ key: 'x', effect: 'NoExecute' }], defaults, false, 0],
    ['a toleration without seconds tolerates forever', [unreachable], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], true, -1],
    ['tolerationSeconds 0 means at once', [unreachable], [{ operator: 'Exists', tolerationSeconds: 0 }], true, 0],
  ]
  for (const [name, taints, tolerations, all, ms] of table) {
    it(name, () => {
      const m = matchingTolerations(taints, tolerations)
      assert.equal(m.allTolerated, all)
      if (all && taints.length) assert.equal(minTolerationMs(m.used), ms)
    })
  }

  it('matches as upstream ToleratesTaint does', () => {
    assert.ok(toleratesTaint({ operator: 'Exists' }, unreachable))
    assert.ok(!toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'w', effect: 'NoSchedule' }))
    assert.ok(!toleratesTaint({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', operator: 'Exists' }, unreachable))
  })
})
