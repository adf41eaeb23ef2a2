import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs, reader, refusal } from '../testing.js'
import { NodeRestriction } from './noderestriction.js'

const node = { user: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] }
const pod = (nodeName: string) => ({ metadata: { name: 'p' }, spec: { nodeName } })
const nodeObj = (labels: Record<string, string>, taints?: unknown[]) => ({ metadata: { name: 'n1', labels }, spec: taints ? { taints } : {} })

describe('NodeRestriction', () => {
  const plugin = new NodeRestriction()
  const cases: [string, ReturnType<typeof attrs>, string | undefined][] = [
    ['own node status', attrs('nodes', 'UPDATE', { metadata: { name: 'n1' } }, { ...node, namespace: '', subresource: 'status' }), undefined],
    [
      'another node',
      attrs('nodes', 'UPDATE', { metadata: { name: 'n2' } }, { ...node, namespace: '' }),
      'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    ],
    ['status of its own pod', attrs('pods', 'UPDATE', pod('n1'), { ...node, subresource: 'status', oldObject: pod('n1') }), undefined],
    [
      'status of a pod elsewhere',
      attrs('pods', 'UPDATE', pod('n2'), { ...node, subresource: 'status', oldObject: pod('n2') }),
      'pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    ],
    [
      'delete a pod elsewhere',
      attrs('pods', 'DELETE', undefined, { ...node, oldObject: pod('n2') }),
      'pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
    ],
    [
      'create a non-mirror pod',
      attrs('pods', 'CREATE', pod('n1'), node),
      'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
    ],
    [
      'create another lease',
      attrs('leases', 'CREATE', { metadata: { name: 'n2' } }, { ...node, group: 'coordination.k8s.io', namespace: 'kube-node-lease' }),
      'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    ],
    [
      'register with its own labels',
      attrs(
        'nodes',
        'CREATE',
        nodeObj({
          'kubernetes.io/hostname': 'n1',
          'kubernetes.io/os': 'linux',
          'topology.kubernetes.io/zone': 'a',
          'node.kubernetes.io/pool': 'x',
          'example.com/disk': 'ssd',
        }),
        { ...node, namespace: '' },
      ),
      undefined,
    ],
    [
      'register with restricted labels',
      attrs(
        'nodes',
        'CREATE',
        nodeObj({ 'node-restriction.kubernetes.io/secure': 'true', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'n1' }),
        { ...node, namespace: '' },
      ),
      'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/secure, node-role.kubernetes.io/control-plane',
    ],
    [
      'label itself node-restriction',
      attrs('nodes', 'UPDATE', nodeObj({ a: '1', 'x.node-restriction.kubernetes.io/tier': 'secure' }), {
        ...node,
        namespace: '',
        oldObject: nodeObj({ a: '1' }),
      }),
      'nodes "n1" is forbidden: is not allowed to modify labels: x.node-restriction.kubernetes.io/tier',
    ],
    [
      'remove a k8s.io label',
      attrs('nodes', 'UPDATE', nodeObj({}), { ...node, namespace: '', oldObject: nodeObj({ 'example.k8s.io/team': 'a' }) }),
      'nodes "n1" is forbidden: is not allowed to modify labels: example.k8s.io/team',
    ],
    [
      'relabel its own zone and a free label',
      attrs('nodes', 'UPDATE', nodeObj({ 'topology.kubernetes.io/zone': 'b', disk: 'ssd' }), {
        ...node,
        namespace: '',
        oldObject: nodeObj({ 'topology.kubernetes.io/zone': 'a' }),
      }),
      undefined,
    ],
    [
      'keep a restricted label the admin set',
      attrs('nodes', 'UPDATE', nodeObj({ 'node-restriction.kubernetes.io/secure': 'true' }), {
        ...node,
        namespace: '',
        oldObject: nodeObj({ 'node-restriction.kubernetes.io/secure': 'true' }),
      }),
      undefined,
    ],
    [
      'untaint itself',
      attrs('nodes', 'UPDATE', nodeObj({}), { ...node, namespace: '', oldObject: nodeObj({}, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]) }),
      'nodes "n1" is forbidden: node "n1" is not allowed to modify taints',
    ],
    ['register with taints', attrs('nodes', 'CREATE', nodeObj({}, [{ key: 'dedicated', effect: 'NoSchedule' }]), { ...node, namespace: '' }), undefined],
    [
      'renew its own lease',
      attrs('leases', 'UPDATE', { metadata: { name: 'n1' } }, { ...node, group: 'coordination.k8s.io', namespace: 'kube-node-lease' }),
      undefined,
    ],
    [
      'renew another lease',
      attrs('leases', 'UPDATE', { metadata: { name: 'n2' } }, { ...node, group: 'coordination.k8s.io', namespace: 'kube-node-lease' }),
      'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    ],
    [
      'a lease outside kube-node-lease',
      attrs('leases', 'CREATE', { metadata: { name: 'n1' } }, { ...node, group: 'coordination.k8s.io', namespace: 'kube-system' }),
      'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    ],
  ]
  for (const [name, a, want] of cases) {
    it(name, async () => {
      assert.equal(plugin.handles(a), true)
      assert.equal((await refusal(plugin.validate(a, reader())))?.message, want)
    })
  }
  it('ignores users who are not nodes', () => assert.equal(plugin.handles(attrs('nodes', 'UPDATE', { metadata: { name: 'n2' } }, { namespace: '' })), false))
})
