import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node, Taint } from '../../api/types.js'
import { node as build } from '../../testing/objects.js'
import { noExecuteTaintFor, reconcileNoExecuteTaint, reconcileNoScheduleTaints, reconcileSkewTaint, taintValue, versionSkew } from './taints.js'

const NOW = '2024-01-01T00:00:00Z'
const show = (ts: Taint[] | undefined): string[] | undefined => ts?.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`)

const node = (conditions: Record<string, string>, extra: { taints?: Taint[]; unschedulable?: boolean } = {}): Node => build({ name: 'n', conditions, ...extra })

describe('NoSchedule taints from conditions (TaintNodesByCondition)', () => {
  const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }
  const table: [string, Node, string[] | undefined][] = [
    ['a healthy node needs none', node({ Ready: 'True', MemoryPressure: 'False', NetworkUnavailable: 'False' }), undefined],
    ['Ready=False: not-ready', node({ Ready: 'False' }), ['node.kubernetes.io/not-ready:NoSchedule']],
    ['Ready=Unknown: unreachable', node({ Ready: 'Unknown' }), ['node.kubernetes.io/unreachable:NoSchedule']],
    [
      'memory and disk pressure',
      node({ Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True' }),
      ['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule'],
    ],
    [
      'PID pressure and no network',
      node({ Ready: 'True', PIDPressure: 'True', NetworkUnavailable: 'True' }),
      ['node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/network-unavailable:NoSchedule'],
    ],
    ['cordoned: unschedulable', node({ Ready: 'True' }, { unschedulable: true }), ['node.kubernetes.io/unschedulable:NoSchedule']],
    [
      'a recovered node loses its taint, keeps the user one',
      node({ Ready: 'True' }, { taints: [user, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      ['dedicated=gpu:NoSchedule'],
    ],
    ['already in line', node({ Ready: 'False' }, { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }), undefined],
    [
      "the NoExecute taint is not this pass's business",
      node({ Ready: 'True' }, { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
      undefined,
    ],
  ]
  for (const [name, n, want] of table) it(name, () => assert.deepEqual(show(reconcileNoScheduleTaints(n, NOW)), want))
})

describe("the Ready condition's NoExecute taint", () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'earlier' }
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'earlier' }
  const table: [string, Taint[], string | undefined, string[] | undefined][] = [
    ['Unknown taints unreachable', [], 'Unknown', ['node.kubernetes.io/unreachable:NoExecute']],
    ['False taints not-ready', [], 'False', ['node.kubernetes.io/not-ready:NoExecute']],
    ['False swaps unreachable for not-ready', [unreachable], 'False', ['node.kubernetes.io/not-ready:NoExecute']],
    ['True removes both', [notReady, unreachable], 'True', []],
    ['unchanged', [unreachable], 'Unknown', undefined],
    ['a healthy node without taints', [], 'True', undefined],
  ]
  for (const [name, taints, ready, want] of table) it(name, () => assert.deepEqual(show(reconcileNoExecuteTaint(taints, noExecuteTaintFor(ready), NOW)), want))

  it('keeps timeAdded of a taint that stays', () => {
    const out = reconcileNoExecuteTaint([unreachable, notReady], noExecuteTaintFor('Unknown'), NOW)
    assert.deepEqual(out, [unreachable])
  })
})

describe('version skew between kubelet and kube-apiserver', () => {
  const api = 'v1.32.0-ock.0'
  const table: [string, string, string | undefined][] = [
    ['the same version', 'v1.32.0-ock.0', undefined],
    ['three minors older', 'v1.29.4', undefined],
    ['four minors older', 'v1.28.0', 'KubeletTooOld'],
    ['one minor newer', 'v1.33.0', 'KubeletTooNew'],
    ['a newer major', 'v2.0.0', 'KubeletTooNew'],
    ['not a version', 'banana', 'KubeletVersionUnknown'],
    ['nothing reported yet', '', undefined],
  ]
  for (const [name, kubelet, reason] of table) it(name, () => assert.equal(versionSkew(kubelet, api)?.reason, reason))

  it('says what the policy allows', () => {
    assert.equal(
      versionSkew('v1.33.0', api)?.message,
      'kubelet v1.33.0 is newer than kube-apiserver v1.32.0-ock.0; the version skew policy allows kubelets from v1.29 to v1.32',
    )
  })

  it('taints with the version as the value, and untaints', () => {
    assert.deepEqual(show(reconcileSkewTaint([], taintValue('v1.33.0'), NOW)), ['ock.dev/kubelet-version-skew=v1.33.0:NoSchedule'])
    assert.deepEqual(reconcileSkewTaint([{ key: 'ock.dev/kubelet-version-skew', value: 'v1.33.0', effect: 'NoSchedule' }], undefined, NOW), [])
    assert.equal(reconcileSkewTaint([], undefined, NOW), undefined)
  })
})
