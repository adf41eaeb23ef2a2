import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CycleState } from '../../framework/interface.js'
import { PodInfo } from '../../framework/nodeinfo.js'
import { node, nodeInfo, pod, requests } from '../../framework/testing.js'
import { NodeResourcesBalancedAllocation, NodeResourcesFit } from './fit.js'

describe('NodeResourcesFit', () => {
  const small = node('n', { cpu: '2', memory: '4Gi', pods: 3 })
  const table: [string, ReturnType<typeof pod>[], ReturnType<typeof pod>, string[]][] = [
    ['fits an empty node', [], pod('p', requests('1', '1Gi')), []],
    ['counts the requests already placed', [pod('a', requests('1500m'))], pod('p', requests('1')), ['Insufficient cpu']],
    ['memory', [pod('a', requests(undefined, '3Gi'))], pod('p', requests(undefined, '2Gi')), ['Insufficient memory']],
    ['both, in upstream order', [pod('a', requests('2', '4Gi'))], pod('p', requests('1', '1Gi')), ['Insufficient cpu', 'Insufficient memory']],
    ['a pod without requests fits an overcommitted node', [pod('a', requests('2'))], pod('p'), []],
    ['maxPods', [pod('a'), pod('b'), pod('c')], pod('p'), ['Too many pods']],
    [
      'extended resources',
      [],
      pod('p', { containers: [{ name: 'c', image: 'i', resources: { requests: { 'example.com/gpu': '1' } } }] }),
      ['Insufficient example.com/gpu'],
    ],
  ]
  for (const [name, existing, incoming, reasons] of table) {
    it(`filter: ${name}`, () => {
      const s = new NodeResourcesFit().filter(new CycleState(), new PodInfo(incoming), nodeInfo(small, ...existing))
      assert.deepEqual(s.reasons, reasons)
      assert.equal(s.isSuccess(), reasons.length === 0)
      if (reasons.length) assert.equal(s.code, 'Unschedulable')
    })
  }

  it('scores the least allocated node highest, counting 100m / 200Mi for pods that request nothing', () => {
    const fit = new NodeResourcesFit()
    const pi = new PodInfo(pod('p'))
    const empty = nodeInfo(node('a', { cpu: '1', memory: '1000Mi' }))
    const busy = nodeInfo(node('b', { cpu: '1', memory: '1000Mi' }), pod('x'), pod('y'))
    // empty: cpu (1000-100)/1000 = 90, mem (1000-200)/1000 = 80 -> 85; busy: cpu 70, mem 40 -> 55
    assert.equal(fit.score(new CycleState(), pi, empty), 85)
    assert.equal(fit.score(new CycleState(), pi, busy), 55)
  })

  it('balanced allocation prefers cpu and memory used in proportion', () => {
    const b = new NodeResourcesBalancedAllocation()
    const pi = new PodInfo(pod('p', requests('500m', '500Mi')))
    const even = nodeInfo(node('a', { cpu: '1', memory: '1000Mi' }))
    const skewed = nodeInfo(node('b', { cpu: '1', memory: '10000Mi' }))
    assert.ok(b.score(new CycleState(), pi, even) > b.score(new CycleState(), pi, skewed))
  })
})
