import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Status } from './interface.js'
import { fitErrorMessage } from './runtime.js'
import { numFeasibleNodesToFind } from '../scheduler.js'

describe('FitError message', () => {
  it('is a sorted histogram of the reasons, as upstream', () => {
    const rejections = [
      Status.unschedulable('Insufficient cpu'),
      Status.unschedulable("node(s) didn't match pod anti-affinity rules"),
      Status.unschedulable('Insufficient cpu'),
    ]
    assert.equal(fitErrorMessage(3, rejections), "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 Insufficient cpu.")
  })

  it('counts every reason of a node (cpu and memory both short)', () => {
    assert.equal(
      fitErrorMessage(2, [Status.unschedulable('Insufficient cpu', 'Insufficient memory'), Status.unschedulable('Insufficient cpu')]),
      '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.',
    )
  })

  it('sorts as strings, like Go sort.Strings (10 before 2)', () => {
    const many = [...Array.from({ length: 10 }, () => Status.unschedulable('b')), Status.unschedulable('a'), Status.unschedulable('a')]
    assert.equal(fitErrorMessage(12, many), '0/12 nodes are available: 10 b, 2 a.')
  })

  it('shows only the PreFilter message when PreFilter rejected the pod', () => {
    assert.equal(
      fitErrorMessage(3, [Status.unschedulable('x')], 'pod has unbound immediate PersistentVolumeClaims'),
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
    )
  })
})

describe('percentageOfNodesToScore', () => {
  const table: [number, number, number][] = [
    [3, 0, 3],
    [99, 0, 99],
    [100, 0, 100],
    [1000, 0, 420], // 50 - 1000/125 = 42%
    [5000, 0, 500], // 10%
    [20000, 0, 1000], // floored at 5%
    [1000, 50, 500],
    [1000, 1, 100], // at least 100 nodes
  ]
  for (const [nodes, pct, want] of table) {
    it(`${nodes} nodes at ${pct || 'adaptive'}% -> ${want}`, () => assert.equal(numFeasibleNodesToFind(nodes, pct), want))
  }
})
