import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Toleration } from '../../../api/types.js'
import { CycleState } from '../../framework/interface.js'
import { PodInfo } from '../../framework/nodeinfo.js'
import { node, nodeInfo, pod } from '../../framework/testing.js'
import { toleratesTaint } from '../../../api/taints.js'
import { TaintToleration } from './tainttoleration.js'

describe('TaintToleration', () => {
  const p = new TaintToleration()
  const dedicated = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }

  const filterTable: [string, Toleration[], NonNullable<ReturnType<typeof node>['spec']>['taints'], string | undefined][] = [
    ['no taints', [], [], undefined],
    ['an untolerated NoSchedule taint', [], [dedicated], 'node(s) had untolerated taint {dedicated: gpu}'],
    [
      'an untolerated NoExecute taint without value',
      [],
      [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }],
      'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    ],
    ['tolerated with Equal', [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], [dedicated], undefined],
    ['tolerated with Exists on the key', [{ key: 'dedicated', operator: 'Exists' }], [dedicated], undefined],
    ['tolerated by an empty key with Exists', [{ operator: 'Exists' }], [dedicated], undefined],
    ['a toleration for another value', [{ key: 'dedicated', operator: 'Equal', value: 'db' }], [dedicated], 'node(s) had untolerated taint {dedicated: gpu}'],
    [
      'a toleration for another effect',
      [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }],
      [dedicated],
      'node(s) had untolerated taint {dedicated: gpu}',
    ],
    ['PreferNoSchedule does not filter', [], [{ key: 'x', effect: 'PreferNoSchedule' }], undefined],
  ]
  for (const [name, tolerations, taints, reason] of filterTable) {
    it(`filter: ${name}`, () => {
      const s = p.filter(new CycleState(), new PodInfo(pod('p', { tolerations })), nodeInfo(node('n', { taints })))
      if (reason === undefined) assert.ok(s.isSuccess(), s.message())
      else {
        assert.equal(s.code, 'UnschedulableAndUnresolvable')
        assert.deepEqual(s.reasons, [reason])
      }
    })
  }

  it('scores nodes with fewer untolerated PreferNoSchedule taints higher', () => {
    const soft = (k: string) => ({ key: k, effect: 'PreferNoSchedule' as const })
    const nodes = [nodeInfo(node('a')), nodeInfo(node('b', { taints: [soft('x')] })), nodeInfo(node('c', { taints: [soft('x'), soft('y')] }))]
    const pi = new PodInfo(pod('p', { tolerations: [{ key: 'y', operator: 'Exists', effect: 'PreferNoSchedule' }] }))
    const scores = nodes.map((n) => p.score(new CycleState(), pi, n))
    assert.deepEqual(scores, [0, 1, 1])
    p.normalizeScore(new CycleState(), pi, scores)
    assert.deepEqual(scores, [100, 0, 0])
  })

  it('matches tolerations to taints as upstream', () => {
    assert.ok(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'v', effect: 'NoSchedule' }))
    assert.ok(!toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'w', effect: 'NoSchedule' }))
    assert.ok(!toleratesTaint({ key: 'k', operator: 'Gt', value: 'v' }, { key: 'k', value: 'v', effect: 'NoSchedule' }))
  })
})
