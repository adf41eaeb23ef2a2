import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs } from '../testing.js'
import { DefaultTolerationSeconds } from './defaulttolerationseconds.js'

describe('DefaultTolerationSeconds', () => {
  const cases: [string, object[], number, string[]][] = [
    ['adds both with 300 s', [], 300, ['node.kubernetes.io/not-ready:300', 'node.kubernetes.io/unreachable:300']],
    [
      'keeps a pod that tolerates not-ready',
      [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
      300,
      ['node.kubernetes.io/not-ready:-', 'node.kubernetes.io/unreachable:300'],
    ],
    ['an empty key tolerates everything', [{ operator: 'Exists' }], 300, [':-']],
    ['honours the configured seconds', [], 60, ['node.kubernetes.io/not-ready:60', 'node.kubernetes.io/unreachable:60']],
  ]
  for (const [name, tolerations, seconds, want] of cases) {
    it(name, () => {
      const plugin = new DefaultTolerationSeconds({ defaultNotReadyTolerationSeconds: seconds, defaultUnreachableTolerationSeconds: seconds })
      const pod = { metadata: { name: 'p' }, spec: { tolerations: structuredClone(tolerations) } }
      plugin.admit(attrs('pods', 'CREATE', pod))
      assert.deepEqual(
        pod.spec.tolerations.map((t: { key?: string; tolerationSeconds?: number }) => `${t.key ?? ''}:${t.tolerationSeconds ?? '-'}`),
        want,
      )
    })
  }
})
