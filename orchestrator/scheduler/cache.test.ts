import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PodInfo } from './framework/nodeinfo.js'
import { node, pod, requests } from './framework/testing.js'
import { SchedulerCache } from './cache.js'
import { selectHost } from './scheduler.js'

describe('SchedulerCache', () => {
  it('assumes a pod onto a node, confirms it from the watch without counting twice, and forgets a failed bind', () => {
    const c = new SchedulerCache()
    c.addNode(node('n1'))
    const p = pod('p', requests('1'))
    c.assumePod(new PodInfo({ ...p, spec: { ...p.spec!, nodeName: 'n1' } }), 'n1')
    assert.equal(c.node('n1')!.requested.milliCPU, 1000)
    c.addPod({ ...p, spec: { ...p.spec!, nodeName: 'n1' } })
    assert.equal(c.node('n1')!.requested.milliCPU, 1000)
    assert.equal(c.isAssumed(p.metadata!.uid!), false)
    const q = pod('q', requests('500m'))
    c.assumePod(new PodInfo(q), 'n1')
    c.forgetPod(q.metadata!.uid!)
    assert.equal(c.node('n1')!.requested.milliCPU, 1000)
    c.removePod(p)
    assert.equal(c.node('n1')!.requested.milliCPU, 0)
  })

  it('keeps pods bound to a node it does not know yet, and counts them when the node arrives', () => {
    const c = new SchedulerCache()
    const p = pod('p', { ...requests('2'), nodeName: 'late' })
    c.addPod(p)
    assert.equal(c.nodeCount, 0)
    c.addNode(node('late'))
    assert.equal(c.node('late')!.requested.milliCPU, 2000)
    assert.equal(c.nodeCount, 1)
  })

  it('tracks which nodes carry pods with affinity terms', () => {
    const c = new SchedulerCache()
    c.addNode(node('n1'))
    const p = pod('p', {
      nodeName: 'n1',
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } }],
        },
      },
    })
    c.addPod(p)
    assert.deepEqual(
      c.nodesWithRequiredAntiAffinityPods().map((n) => n.name),
      ['n1'],
    )
    c.removePod(p)
    assert.deepEqual(c.nodesWithRequiredAntiAffinityPods(), [])
  })
})

describe('selectHost', () => {
  it('picks the highest score and breaks ties at random', () => {
    const c = new SchedulerCache()
    for (const n of ['a', 'b', 'c']) c.addNode(node(n))
    const nodes = c.nodeInfos()
    assert.equal(selectHost(nodes, [1, 5, 3]).name, 'b')
    const picked = new Set<string>()
    for (let i = 0; i < 200; i++) picked.add(selectHost(nodes, [7, 7, 1]).name)
    assert.deepEqual([...picked].sort(), ['a', 'b'])
  })
})
