import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { V1Node, V1Taint } from '@kubernetes/client-node'
import { marksOf, restorePatch, shapeMismatch } from './nodeshape.js'
import { quantityNanos, sameQuantity } from './quantities.js'

function node(
  name: string,
  opts: { ready?: boolean; cpu?: string; memory?: string; taints?: V1Taint[]; unschedulable?: boolean; labels?: Record<string, string>; rv?: string } = {},
): V1Node {
  return {
    metadata: { name, labels: opts.labels ?? { 'kubernetes.io/hostname': name }, resourceVersion: opts.rv ?? '7' },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  }
}

const three = (opts: Parameters<typeof node>[1] = {}): V1Node[] => ['node-1', 'node-2', 'node-3'].map((n) => node(n, opts))

describe('Kubernetes quantities compared as amounts', () => {
  const same: [string, string][] = [
    ['2', '2000m'],
    ['1', '1000m'],
    ['1Gi', '1024Mi'],
    ['1.5Gi', '1536Mi'],
    ['2Gi', '2147483648'],
    ['1k', '1e3'],
    ['0.5', '500m'],
    ['.5', '500m'],
    ['16283932Ki', '16674746368'],
  ]
  for (const [a, b] of same) it(`${a} = ${b}`, () => assert.equal(sameQuantity(a, b), true))
  const different: [string, string][] = [
    ['4', '1'],
    ['1G', '1Gi'],
    ['8Gi', '8191Mi'],
    ['1001m', '1'],
  ]
  for (const [a, b] of different) it(`${a} != ${b}`, () => assert.equal(sameQuantity(a, b), false))
  it('counts in nano units, a fraction of one rounded up', () => {
    assert.equal(quantityNanos('1n'), 1n)
    assert.equal(quantityNanos('1.5n'), 2n)
    assert.equal(quantityNanos('-250m'), -250_000_000n)
  })
  it('refuses what is not a quantity', () => assert.throws(() => quantityNanos('two'), /"two" is not a Kubernetes quantity/))
})

describe('whether a running cluster has the shape a scenario asks for', () => {
  it('serves exactly that many Ready, schedulable, untainted nodes', () => assert.equal(shapeMismatch(three(), { nodes: 3 }), undefined))
  it('refuses another number of nodes', () => {
    assert.equal(shapeMismatch(three(), { nodes: 2 }), 'the cluster has 3 Ready nodes; this scenario needs exactly 2')
    assert.equal(shapeMismatch([node('node-1')], { nodes: 3 }), 'the cluster has 1 Ready node; this scenario needs exactly 3')
    assert.equal(
      shapeMismatch([node('node-1'), node('node-2', { ready: false })], { nodes: 3 }),
      'the cluster has 2 nodes, 1 of them Ready; this scenario needs exactly 3',
    )
  })
  it('refuses a node that is not Ready', () =>
    assert.equal(
      shapeMismatch([node('node-1'), node('node-2', { ready: false })], { nodes: 2 }),
      'node-2 is not Ready; this scenario needs 2 Ready nodes, schedulable and untainted',
    ))
  it('refuses cordoned and tainted nodes, naming each', () =>
    assert.equal(
      shapeMismatch([node('node-1', { unschedulable: true }), node('node-2', { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] })], {
        nodes: 2,
      }),
      'node-1 is cordoned; node-2 is tainted dedicated=infra:NoSchedule; this scenario needs 2 Ready nodes, schedulable and untainted',
    ))
  it('serves the CPUs and memory asked, however they are written', () => {
    assert.equal(shapeMismatch(three({ cpu: '1', memory: '2Gi' }), { nodes: 3, cpu: '1000m', memory: '2048Mi' }), undefined)
    assert.equal(shapeMismatch(three({ cpu: '2' }), { nodes: 3, cpu: '2' }), undefined)
  })
  it('refuses other allocatable CPUs or memory, saying what the nodes have', () => {
    assert.equal(shapeMismatch(three(), { nodes: 3, cpu: '1' }), "the cluster's nodes have 4 CPUs allocatable; this scenario needs 1 CPU each")
    assert.equal(
      shapeMismatch([node('node-1'), node('node-2')], { nodes: 2, cpu: '2', memory: '4Gi' }),
      "the cluster's nodes have 4 CPUs and 8Gi of memory allocatable; this scenario needs 2 CPUs and 4Gi of memory each",
    )
    assert.equal(
      shapeMismatch([node('node-1', { cpu: '1' }), node('node-2', { cpu: '1' }), node('node-3')], { nodes: 3, cpu: '1' }),
      'node-1 and node-2 have 1 CPU allocatable, node-3 has 4 CPUs allocatable; this scenario needs 1 CPU each',
    )
  })
})

describe('putting a node back as a scenario found it', () => {
  const found = marksOf(node('node-1', { labels: { 'kubernetes.io/hostname': 'node-1', disk: 'hdd' } }))

  it('leaves an unchanged node alone', () => {
    assert.equal(restorePatch(found, node('node-1', { labels: { 'kubernetes.io/hostname': 'node-1', disk: 'hdd' } })), undefined)
  })
  it('removes labels it added and puts back the ones it changed or removed', () => {
    assert.deepEqual(restorePatch(found, node('node-1', { labels: { 'kubernetes.io/hostname': 'node-1', zone: 'a' }, rv: '9' })), {
      metadata: { resourceVersion: '9', labels: { zone: null, disk: 'hdd' } },
    })
  })
  it('removes the taints it added, and uncordons', () => {
    const now = node('node-1', {
      labels: found.labels,
      unschedulable: true,
      taints: [
        { key: 'dedicated', value: 'infra', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      ],
    })
    // the control plane's own taint (cordon) stays: the node lifecycle controller takes it off
    assert.deepEqual(restorePatch(found, now), {
      metadata: { resourceVersion: '7' },
      spec: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }], unschedulable: null },
    })
    assert.deepEqual(restorePatch(found, node('node-1', { labels: found.labels, taints: [{ key: 'dedicated', effect: 'NoExecute' }] })), {
      metadata: { resourceVersion: '7' },
      spec: { taints: null },
    })
  })
  it('puts back taints and a cordon the node had, whatever their order now', () => {
    const before = marksOf(
      node('node-1', {
        unschedulable: true,
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'b', value: 'x', effect: 'PreferNoSchedule' },
        ],
      }),
    )
    assert.deepEqual(restorePatch(before, node('node-1', { unschedulable: false, taints: [{ key: 'a', effect: 'NoSchedule' }] })), {
      metadata: { resourceVersion: '7' },
      spec: {
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'b', value: 'x', effect: 'PreferNoSchedule' },
        ],
        unschedulable: true,
      },
    })
    assert.equal(
      restorePatch(
        before,
        node('node-1', {
          unschedulable: true,
          taints: [
            { key: 'b', value: 'x', effect: 'PreferNoSchedule' },
            { key: 'a', effect: 'NoSchedule' },
          ],
        }),
      ),
      undefined,
    )
  })
  it("leaves the control plane's taints as they are now", () => {
    const before = marksOf(node('node-1', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }))
    assert.equal(restorePatch(before, node('node-1')), undefined)
    assert.equal(restorePatch(marksOf(node('node-1')), node('node-1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] })), undefined)
  })
})
