import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Affinity } from '../../../api/types.js'
import { CycleState } from '../../framework/interface.js'
import { PodInfo } from '../../framework/nodeinfo.js'
import { node, nodeInfo, pod } from '../../framework/testing.js'
import { NodeAffinity } from './nodeaffinity.js'

const required = (
  ...terms: NonNullable<NonNullable<Affinity['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms']
): Affinity => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
})

describe('NodeAffinity', () => {
  const ssd = node('n1', { labels: { disk: 'ssd', zone: 'a', cores: '8' } })
  const table: [string, Parameters<typeof pod>[1], boolean][] = [
    ['no selector or affinity', {}, true],
    ['nodeSelector matches', { nodeSelector: { disk: 'ssd' } }, true],
    ['nodeSelector does not match', { nodeSelector: { disk: 'hdd' } }, false],
    ['In', { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }) }, true],
    ['NotIn', { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) }, false],
    ['Exists', { affinity: required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }) }, true],
    ['DoesNotExist', { affinity: required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }) }, true],
    ['Gt', { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }) }, true],
    ['Lt', { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }) }, false],
    [
      'terms are ORed',
      {
        affinity: required(
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] },
          { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
        ),
      },
      true,
    ],
    [
      'expressions are ANDed',
      {
        affinity: required({
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['a'] },
            { key: 'disk', operator: 'In', values: ['hdd'] },
          ],
        }),
      },
      false,
    ],
    ['matchFields on the node name', { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }) }, true],
    ['an empty term matches nothing', { affinity: required({}) }, false],
    [
      'nodeSelector and affinity must both hold',
      { nodeSelector: { disk: 'hdd' }, affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }) },
      false,
    ],
  ]
  for (const [name, spec, fits] of table) {
    it(`filter: ${name}`, () => {
      const p = new NodeAffinity()
      const state = new CycleState()
      const pi = new PodInfo(pod('p', spec))
      const pre = p.preFilter(state, pi)
      const s = pre.isSkip() ? pre : p.filter(state, pi, nodeInfo(ssd))
      assert.equal(s.isSuccess() || s.isSkip(), fits)
      if (!fits) assert.deepEqual([s.code, ...s.reasons], ['UnschedulableAndUnresolvable', "node(s) didn't match Pod's node affinity/selector"])
    })
  }

  it('scores preferred terms by their weights, normalized to 0..100', () => {
    const p = new NodeAffinity()
    const state = new CycleState()
    const pi = new PodInfo(
      pod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
              { weight: 20, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            ],
          },
        },
      }),
    )
    p.preFilter(state, pi)
    const nodes = [nodeInfo(node('a', { labels: { zone: 'a', disk: 'ssd' } })), nodeInfo(node('b', { labels: { zone: 'a' } })), nodeInfo(node('c'))]
    const scores = nodes.map((n) => p.score(state, pi, n))
    assert.deepEqual(scores, [100, 80, 0])
    p.normalizeScore(state, pi, scores)
    assert.deepEqual(scores, [100, 80, 0])
  })
})
