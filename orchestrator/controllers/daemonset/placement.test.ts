import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { DaemonSet, Node, Pod } from '../../api/types.js'
import { node, pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { calculateStatus, planNodes, planRollingUpdate, podFor, shouldRunOn, targetNode } from './placement.js'

const ds = (spec: Partial<NonNullable<DaemonSet['spec']>> = {}, templateSpec: Record<string, unknown> = {}): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'ops', uid: 'ds-uid', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'i' }], ...templateSpec } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    ...spec,
  },
})

const daemonPod = (name: string, nodeName: string, hash: string, o: PodOptions = {}): Pod => {
  const p = build({
    name,
    namespace: 'ops',
    labels: { app: 'agent', 'controller-revision-hash': hash },
    node: nodeName,
    phase: 'Running',
    ready: true,
    created: T0,
    ...o,
  })
  return p
}

describe('which nodes run a daemon pod (NodeShouldRunDaemonPod)', () => {
  const cases: { name: string; set?: DaemonSet; node: Node; want: { run: boolean; keep: boolean } }[] = [
    { name: 'a plain node', node: node(), want: { run: true, keep: true } },
    {
      name: 'a cordoned node: daemon pods tolerate unschedulable',
      node: node({ unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
      want: { run: true, keep: true },
    },
    {
      name: 'an unreachable node: no new pod (NoSchedule), the running one stays (NoExecute tolerated)',
      node: node({
        taints: [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
        ],
      }),
      want: { run: false, keep: true },
    },
    {
      name: 'disk pressure is tolerated',
      node: node({ taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] }),
      want: { run: true, keep: true },
    },
    {
      name: 'network-unavailable only for hostNetwork pods',
      node: node({ taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      want: { run: false, keep: true },
    },
    {
      name: 'network-unavailable tolerated with hostNetwork',
      set: ds({}, { hostNetwork: true }),
      node: node({ taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      want: { run: true, keep: true },
    },
    {
      name: 'an untolerated NoExecute taint removes the pod',
      node: node({ taints: [{ key: 'gpu', value: 'x', effect: 'NoExecute' }] }),
      want: { run: false, keep: false },
    },
    {
      name: 'a taint the template tolerates',
      set: ds({}, { tolerations: [{ key: 'gpu', operator: 'Exists' }] }),
      node: node({ taints: [{ key: 'gpu', value: 'x', effect: 'NoSchedule' }] }),
      want: { run: true, keep: true },
    },
    { name: 'a node selector that does not match', set: ds({}, { nodeSelector: { disk: 'ssd' } }), node: node(), want: { run: false, keep: false } },
    {
      name: 'a node selector that matches',
      set: ds({}, { nodeSelector: { disk: 'ssd' } }),
      node: node({ labels: { disk: 'ssd' } }),
      want: { run: true, keep: true },
    },
    {
      name: 'required node affinity',
      set: ds(
        {},
        {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
            },
          },
        },
      ),
      node: node({ labels: { zone: 'b' } }),
      want: { run: false, keep: false },
    },
  ]
  for (const tc of cases) it(tc.name, () => assert.deepEqual(shouldRunOn(tc.set ?? ds(), tc.node), tc.want))
})

describe('the daemon pod for a node', () => {
  it('carries the template, the hash, the daemon tolerations and a node affinity naming the node', () => {
    const p = podFor(
      ds({}, { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }),
      'node-2',
      'h1',
    )
    assert.deepEqual(p.metadata, { generateName: 'agent-', namespace: 'ops', labels: { app: 'agent', 'controller-revision-hash': 'h1' } })
    assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }],
    })
    assert.equal(p.spec?.nodeName, undefined, 'the scheduler binds it')
    assert.deepEqual(
      p.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`),
      [
        'node.kubernetes.io/unschedulable:NoSchedule',
        'node.kubernetes.io/not-ready:NoExecute',
        'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule',
      ],
    )
    assert.equal(p.spec?.tolerations?.[0]?.tolerationSeconds, undefined, 'the daemon toleration replaces the template one')
    assert.equal(targetNode(p), 'node-2')
  })
})

describe('what to create and delete on each node (podsShouldBeOnNode)', () => {
  const nodes = [node({ name: 'n1' }), node({ name: 'n2' }), node({ name: 'n3', taints: [{ key: 'gpu', effect: 'NoExecute' }] })]
  const cases: { name: string; pods: Pod[]; want: { create: string[]; delete: string[] } }[] = [
    { name: 'every eligible node without a pod gets one', pods: [], want: { create: ['n1', 'n2'], delete: [] } },
    {
      name: 'a pod on a node that no longer tolerates it is deleted; a second pod on a node too (the oldest stays)',
      pods: [daemonPod('a', 'n1', 'h'), daemonPod('b', 'n1', 'h', { created: '2026-01-02T00:00:00Z' }), daemonPod('c', 'n2', 'h'), daemonPod('d', 'n3', 'h')],
      want: { create: [], delete: ['b', 'd'] },
    },
    {
      name: 'a node whose pod is terminating waits for it to go',
      pods: [daemonPod('a', 'n1', 'h', { deleting: true }), daemonPod('c', 'n2', 'h')],
      want: { create: [], delete: [] },
    },
    { name: 'a failed pod is deleted', pods: [daemonPod('a', 'n1', 'h', { phase: 'Failed' }), daemonPod('c', 'n2', 'h')], want: { create: [], delete: ['a'] } },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const byNode = new Map<string, Pod[]>()
      for (const p of tc.pods) byNode.set(p.spec!.nodeName!, [...(byNode.get(p.spec!.nodeName!) ?? []), p])
      assert.deepEqual(planNodes(ds(), nodes, byNode, 'h'), tc.want)
    })
  }
})

describe('a rolling update step', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4'].map((name) => node({ name }))
  const on = (pods: Pod[]): Map<string, Pod[]> => new Map(pods.map((p) => [p.spec!.nodeName!, [p]]))
  const cases: { name: string; set: DaemonSet; pods: Pod[]; want: { create: string[]; delete: string[] } }[] = [
    {
      name: 'maxUnavailable 1: one old pod at a time',
      set: ds(),
      pods: ['n1', 'n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, n, 'old')),
      want: { create: [], delete: ['old-n1'] },
    },
    {
      name: 'maxUnavailable 2 of which one node is already unavailable (its new pod not ready)',
      set: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } } }),
      pods: [
        daemonPod('new-n1', 'n1', 'new', { ready: false }),
        daemonPod('old-n2', 'n2', 'old'),
        daemonPod('old-n3', 'n3', 'old'),
        daemonPod('old-n4', 'n4', 'old'),
      ],
      want: { create: [], delete: ['old-n2'] },
    },
    {
      name: 'an old pod that is not available is replaced whatever the budget',
      set: ds(),
      pods: [daemonPod('new-n1', 'n1', 'new', { ready: false }), daemonPod('old-n2', 'n2', 'old', { ready: false }), daemonPod('old-n3', 'n3', 'old')],
      want: { create: [], delete: ['old-n2'] },
    },
    {
      name: 'maxSurge 1: a new pod beside one old one, the old one goes once the new one is available',
      set: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }),
      pods: ['n1', 'n2', 'n3', 'n4'].map((n) => daemonPod(`old-${n}`, n, 'old')),
      want: { create: ['n1'], delete: [] },
    },
  ]
  for (const tc of cases) it(tc.name, () => assert.deepEqual(planRollingUpdate(tc.set, nodes, on(tc.pods), 'new'), tc.want))

  it('with surge, the old pod of a node whose new pod is available is deleted', () => {
    const set = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } })
    const byNode = new Map([['n1', [daemonPod('old-n1', 'n1', 'old'), daemonPod('new-n1', 'n1', 'new')]]])
    assert.deepEqual(planRollingUpdate(set, nodes, byNode, 'new'), { create: [], delete: ['old-n1'] })
  })
})

describe('the status counters', () => {
  it('counts desired, current, ready, updated, available and misscheduled nodes', () => {
    const nodes = [node({ name: 'n1' }), node({ name: 'n2' }), node({ name: 'n3' }), node({ name: 'n4', taints: [{ key: 'gpu', effect: 'NoSchedule' }] })]
    const byNode = new Map([
      ['n1', [daemonPod('a', 'n1', 'new')]],
      ['n2', [daemonPod('b', 'n2', 'old', { ready: false })]],
      ['n4', [daemonPod('d', 'n4', 'new')]],
    ])
    assert.deepEqual(calculateStatus(ds(), nodes, byNode, 'new'), {
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      desiredNumberScheduled: 3,
      numberReady: 1,
      observedGeneration: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    })
  })
})
