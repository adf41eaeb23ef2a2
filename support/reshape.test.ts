import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { KubeConfig, type V1Node, type V1Pod, type V1Taint } from '@kubernetes/client-node'
import { shapeMismatch } from './nodeshape.js'
import { describeFiller, fillerFalsifies, fillerPod, fillerSizes, namedNodes, nodesToRemove, planShape, podRequests, unshape, type Filler } from './reshape.js'
import type { NodeShape } from './quantities.js'
import type { Faults } from './targets/target.js'

function node(name: string, opts: { ready?: boolean; cpu?: string; memory?: string; taints?: V1Taint[]; unschedulable?: boolean } = {}): V1Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  }
}

function pod(
  nodeName: string,
  requests: Record<string, string>,
  opts: { phase?: string; init?: Record<string, string>; overhead?: Record<string, string> } = {},
): V1Pod {
  return {
    metadata: { name: 'p', namespace: 'other' },
    spec: {
      nodeName,
      containers: [{ name: 'a', image: 'x', resources: { requests } }],
      ...(opts.init ? { initContainers: [{ name: 'i', image: 'x', resources: { requests: opts.init } }] } : {}),
      ...(opts.overhead ? { overhead: opts.overhead } : {}),
    },
    status: { phase: opts.phase ?? 'Running' },
  }
}

const nodesNamed = (...names: string[]): V1Node[] => names.map((n) => node(n))

describe('the nodes a scenario names', () => {
  const cases: { text: string; names: string[]; named: string[] }[] = [
    { text: 'the pod "p" runs on the node "node-1"', names: ['node-1', 'node-2', 'node-3'], named: ['node-1'] },
    { text: 'nodeSelector: {kubernetes.io/hostname: node-2}\nnode-1 and node-2', names: ['node-1', 'node-2', 'node-3'], named: ['node-1', 'node-2'] },
    { text: 'the node "node-10" is tainted', names: ['node-1', 'node-10'], named: ['node-10'] },
    { text: 'node-1x and xnode-1 and my-node-1', names: ['node-1'], named: [] },
    { text: 'the third pod runs on node-1.', names: ['node-1', 'node-2'], named: ['node-1'] },
    { text: 'values: [node-1]', names: ['node-1', 'node-2'], named: ['node-1'] },
    { text: 'no node at all', names: ['node-1'], named: [] },
  ]
  for (const c of cases)
    it(`${JSON.stringify(c.text)} names ${c.named.join(', ') || 'none'}`, () => assert.deepEqual([...namedNodes(c.text, c.names)].sort(), c.named))
})

describe('which surplus nodes are taken out', () => {
  const cases: { names: string[]; want: number; named: string[]; remove: string[] | RegExp }[] = [
    { names: ['node-1', 'node-2', 'node-3'], want: 2, named: ['node-1', 'node-2'], remove: ['node-3'] },
    { names: ['node-1', 'node-2', 'node-3'], want: 2, named: [], remove: ['node-3'] },
    { names: ['node-1', 'node-2', 'node-3'], want: 1, named: ['node-1'], remove: ['node-3', 'node-2'] },
    // a named node stays even when it is the highest-numbered
    { names: ['node-1', 'node-2', 'node-3'], want: 2, named: ['node-3'], remove: ['node-2'] },
    { names: ['node-2', 'node-10', 'node-9'], want: 1, named: [], remove: ['node-10', 'node-9'] },
    { names: ['node-1', 'node-2', 'node-3'], want: 3, named: [], remove: [] },
    { names: ['node-1', 'node-2'], want: 3, named: [], remove: [] },
    {
      names: ['node-1', 'node-2', 'node-3'],
      want: 2,
      named: ['node-1', 'node-2', 'node-3'],
      remove: /names 3 nodes \(node-1, node-2, node-3\) and needs exactly 2/,
    },
  ]
  for (const c of cases)
    it(`${c.names.length} nodes, ${c.want} wanted, naming ${c.named.join(', ') || 'none'}`, () => {
      const got = nodesToRemove(c.names, c.want, new Set(c.named))
      if (c.remove instanceof RegExp) assert.match(String(got), c.remove)
      else assert.deepEqual(got, c.remove)
    })
})

describe('what a pod takes off its node, as the scheduler counts it', () => {
  const cases: { what: string; p: V1Pod; cpu: bigint; memory: bigint }[] = [
    {
      what: 'containers summed',
      p: {
        spec: {
          nodeName: 'n',
          containers: [
            { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
            { name: 'b', resources: { requests: { cpu: '1' } } },
          ],
        },
      },
      cpu: 1250n,
      memory: 64n << 20n,
    },
    { what: 'no requests', p: pod('n', {}), cpu: 0n, memory: 0n },
    { what: 'a larger init container', p: pod('n', { cpu: '100m' }, { init: { cpu: '500m', memory: '1Gi' } }), cpu: 500n, memory: 1n << 30n },
    { what: 'overhead added', p: pod('n', { cpu: '100m' }, { overhead: { cpu: '10m', memory: '1Mi' } }), cpu: 110n, memory: 1n << 20n },
    { what: 'a fraction of a millicore rounds up', p: pod('n', { cpu: '100500u' }), cpu: 101n, memory: 0n },
  ]
  for (const c of cases) it(c.what, () => assert.deepEqual(podRequests(c.p), { cpu: c.cpu, memory: c.memory }))
})

describe('filler sizes: allocatable - wanted - what already runs there', () => {
  const cases: { what: string; kept: V1Node[]; pods: V1Pod[]; want: NodeShape; fillers: Filler[] | RegExp }[] = [
    {
      what: 'CPU only: memory left alone',
      kept: nodesNamed('node-1', 'node-2'),
      pods: [],
      want: { nodes: 2, cpu: '1' },
      fillers: [
        { node: 'node-1', cpuMillis: 3000n, memoryBytes: 0n },
        { node: 'node-2', cpuMillis: 3000n, memoryBytes: 0n },
      ],
    },
    {
      what: 'CPU and memory, less what the pods there request',
      kept: nodesNamed('node-1', 'node-2'),
      pods: [pod('node-1', { cpu: '250m', memory: '1Gi' }), pod('node-3', { cpu: '1' }), pod('node-2', { cpu: '1' }, { phase: 'Succeeded' })],
      want: { nodes: 2, cpu: '1', memory: '2Gi' },
      fillers: [
        { node: 'node-1', cpuMillis: 2750n, memoryBytes: 5n << 30n },
        { node: 'node-2', cpuMillis: 3000n, memoryBytes: 6n << 30n },
      ],
    },
    {
      what: 'already that size: no filler',
      kept: [node('node-1', { cpu: '2', memory: '4Gi' })],
      pods: [],
      want: { nodes: 1, cpu: '2', memory: '4Gi' },
      fillers: [],
    },
    {
      what: 'only the memory bigger',
      kept: [node('node-1', { cpu: '2', memory: '8Gi' })],
      pods: [],
      want: { nodes: 1, cpu: '2000m', memory: '4Gi' },
      fillers: [{ node: 'node-1', cpuMillis: 0n, memoryBytes: 4n << 30n }],
    },
    {
      what: 'a node smaller than wanted',
      kept: [node('node-1', { cpu: '500m' })],
      pods: [],
      want: { nodes: 1, cpu: '1' },
      fillers: /node-1 has 500m CPU allocatable, less than the 1 wanted/,
    },
    {
      what: 'a node whose pods take more than the difference',
      kept: nodesNamed('node-1'),
      pods: [pod('node-1', { cpu: '3500m' })],
      want: { nodes: 1, cpu: '1' },
      fillers: /node-1's pods already request 3500m CPU, more than the 3000m a filler would have to take/,
    },
  ]
  for (const c of cases)
    it(c.what, () => {
      const got = fillerSizes(c.kept, c.pods, c.want)
      if (c.fillers instanceof RegExp) assert.match(String(got), c.fillers)
      else assert.deepEqual(got, c.fillers)
    })
})

describe('scenarios a filler would make untrue', () => {
  const cases: [string, RegExp | undefined][] = [
    ['Then the node "node-1" has:\nstatus.allocatable.cpu | 2', /allocatable or capacity/],
    ['| status.capacity.memory | 4Gi |', /allocatable or capacity/],
    ['When I run "kubectl drain node-1 --ignore-daemonsets"', /drains a node/],
    ['When I run "kubectl describe node node-1"', /kubectl/],
    ['When I create a pod "huge" requesting 2 CPUs\nThen within 20s the pod "huge" is Pending', undefined],
    ['a pod "first" requesting 800m CPU and 100Mi of memory is bound to the node "node-1"', undefined],
  ]
  for (const [text, why] of cases)
    it(JSON.stringify(text.slice(0, 50)), () => {
      const got = fillerFalsifies(text)
      if (why) assert.match(String(got), why)
      else assert.equal(got, undefined)
    })
})

describe('the plan for a shared cluster', () => {
  const three = (opts: Parameters<typeof node>[1] = {}): V1Node[] => ['node-1', 'node-2', 'node-3'].map((n) => node(n, opts))
  const cases: {
    what: string
    all: V1Node[]
    pods?: V1Pod[]
    want: NodeShape
    text?: string
    noRemoval?: string
    plan: { remove: string[]; fillers: string[] } | RegExp
  }[] = [
    { what: '3 nodes, 2 wanted', all: three(), want: { nodes: 2 }, text: 'node-1 node-2', plan: { remove: ['node-3'], fillers: [] } },
    {
      what: '3 nodes, 1 wanted, sized',
      all: three(),
      want: { nodes: 1, cpu: '1' },
      text: 'node-1',
      plan: { remove: ['node-3', 'node-2'], fillers: ['node-1'] },
    },
    { what: '3 nodes of 4 CPUs, 3 of 1 CPU wanted', all: three(), want: { nodes: 3, cpu: '1' }, plan: { remove: [], fillers: ['node-1', 'node-2', 'node-3'] } },
    {
      what: 'no fault provider',
      all: three(),
      want: { nodes: 2 },
      noRemoval: 'no fault provider to stop their kubelets',
      plan: /3 Ready nodes; this scenario needs exactly 2 \(the surplus cannot be taken out: no fault provider/,
    },
    { what: 'too few nodes', all: three(), want: { nodes: 4 }, plan: /the cluster has 3 Ready nodes; this scenario needs exactly 4$/ },
    { what: 'a node not Ready', all: [node('node-1'), node('node-2'), node('node-3', { ready: false })], want: { nodes: 2 }, plan: /2 of them Ready/ },
    {
      what: 'a kept node cordoned',
      all: [node('node-1', { unschedulable: true }), node('node-2'), node('node-3')],
      want: { nodes: 2 },
      plan: /node-1 is cordoned/,
    },
    {
      what: 'the tainted node is the one taken out',
      all: [node('node-1'), node('node-2'), node('node-3', { taints: [{ key: 'k', effect: 'NoSchedule' }] })],
      want: { nodes: 2 },
      plan: { remove: ['node-3'], fillers: [] },
    },
    {
      what: 'a scenario that reads allocatable',
      all: three(),
      want: { nodes: 1, cpu: '2', memory: '4Gi' },
      text: 'Then the node "node-1" has:\nstatus.allocatable.cpu | 2',
      plan: /^the cluster's nodes have 4 CPUs and 8Gi of memory allocatable; this scenario needs 2 CPUs and 4Gi of memory each; filler pods could reserve the difference, but this scenario cannot run beside them: it reads a node's allocatable/,
    },
    {
      what: 'nodes too small',
      all: three({ cpu: '500m' }),
      want: { nodes: 3, cpu: '1' },
      plan: /nodes have 500m CPUs allocatable; this scenario needs 1 CPU each: no filler pod can make them that size: node-1 has 500m CPU allocatable/,
    },
  ]
  for (const c of cases)
    it(c.what, () => {
      const got = planShape(c.all, c.pods ?? [], c.want, { text: c.text ?? '', ...(c.noRemoval ? { noRemoval: c.noRemoval } : {}) }, shapeMismatch)
      if (c.plan instanceof RegExp) assert.match(String(got), c.plan)
      else {
        assert.notEqual(typeof got, 'string', String(got))
        const plan = got as Exclude<typeof got, string>
        assert.deepEqual({ remove: plan.remove, fillers: plan.fillers.map((f) => f.node) }, c.plan)
      }
    })
})

describe('a filler pod', () => {
  it('is bound to its node, tolerates everything, requests only what it fills, runs the mapped kit image', () => {
    const p = fillerPod({ node: 'node-2', cpuMillis: 3000n, memoryBytes: 0n }, 'ock-abc-fillers', { 'registry.internal/ock/app:1': 'reg.example/app:1' })
    assert.equal(p.spec?.nodeName, 'node-2')
    assert.equal(p.metadata?.namespace, 'ock-abc-fillers')
    assert.deepEqual(p.spec?.tolerations, [{ operator: 'Exists' }])
    assert.deepEqual(p.spec?.containers[0]?.resources?.requests, { cpu: '3000m' })
    assert.equal(p.spec?.containers[0]?.image, 'reg.example/app:1')
  })
  const shown: [Filler, string][] = [
    [{ node: 'n', cpuMillis: 3000n, memoryBytes: 6n << 30n }, '3000m CPU and 6Gi of memory'],
    [{ node: 'n', cpuMillis: 0n, memoryBytes: 1536n << 20n }, '1536Mi of memory'],
    [{ node: 'n', cpuMillis: 250n, memoryBytes: 0n }, '250m CPU'],
  ]
  for (const [f, text] of shown) it(`is described as ${text}`, () => assert.equal(describeFiller(f), text))
})

describe('bringing the nodes back', () => {
  it('fails loudly, naming the node whose kubelet did not start', async () => {
    const faults = { startKubelet: async (n: string) => Promise.reject(new Error(`no such node ${n}`)) } as unknown as Faults
    await assert.rejects(
      unshape(new KubeConfig(), faults, { removed: ['node-3'], lingering: [], tookMs: 0 }),
      /could not all be brought back.*starting the kubelet of node-3: no such node node-3/,
    )
  })
  it('without a fault door, says so', async () => {
    await assert.rejects(unshape(new KubeConfig(), undefined, { removed: ['node-2'], lingering: [], tookMs: 0 }), /node-2: no fault door/)
  })
})
