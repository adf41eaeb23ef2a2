import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { admissionMismatch, parseTokens, tokensMismatch } from './apiserverconfig.js'

const config = (plugins: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n${plugins}`
const image = '  - name: ImagePolicy\n    configuration:\n      rules: [{name: internal, allowedRegistries: [registry.internal]}]\n'
const imageElsewhere = '  - name: ImagePolicy\n    configuration:\n      rules: [{name: internal, allowedRegistries: [registry.example]}]\n'
const tolerations = '  - name: DefaultTolerationSeconds\n    configuration: {defaultUnreachableTolerationSeconds: 30}\n'

describe('admission configurations', () => {
  const cases: [string, string, string, RegExp | undefined][] = [
    ['the same plugins, configured the same', config(image), config(image), undefined],
    [
      'the same, written otherwise',
      config(image),
      config('  - {name: ImagePolicy, configuration: {rules: [{allowedRegistries: [registry.internal], name: internal}]}}\n'),
      undefined,
    ],
    ['a plugin the cluster does not configure', config(image + tolerations), config(image), /does not configure DefaultTolerationSeconds$/],
    ['a plugin configured otherwise', config(image), config(imageElsewhere), /configures ImagePolicy otherwise$/],
    ['a plugin the scenario does not state', config(image), config(image + tolerations), /also configures DefaultTolerationSeconds$/],
  ]
  for (const [name, stated, cluster, want] of cases)
    it(name, () => {
      const got = admissionMismatch(stated, cluster, '/etc/adm.yaml')
      if (want === undefined) assert.equal(got, undefined)
      else assert.match(got ?? '', new RegExp(`^the cluster's admission configuration \\(/etc/adm.yaml\\) is not the scenario's: .*${want.source}`))
    })
  it('says which file is not an AdmissionConfiguration', () => {
    assert.throws(
      () => admissionMismatch(config(image), 'kind: Pod\n', '/etc/adm.yaml'),
      /the cluster's admission configuration \(\/etc\/adm.yaml\) is not an AdmissionConfiguration/,
    )
  })
})

describe('static tokens', () => {
  it('parse as kube-apiserver reads them: comments skipped, quoted groups kept whole', () => {
    assert.deepEqual(parseTokens('# token,user,uid,"groups"\n\nt1,ci-bot,1001,"builders,auditors"\nt2,alice,1002\n'), [
      { token: 't1', user: 'ci-bot', uid: '1001', groups: ['builders', 'auditors'] },
      { token: 't2', user: 'alice', uid: '1002', groups: [] },
    ])
  })
  const file = 't1,ci-bot,1001,"builders,auditors"\nt9,other,9\n'
  const cases: [string, string, string | undefined][] = [
    ['every stated token is there, as stated', 't1,ci-bot,1001,"builders,auditors"', undefined],
    ['a token the file lacks, named by its user only', 't2,alice,1002', 'for alice as stated'],
    ['the same token for other groups', 't1,ci-bot,1001,"builders"', 'for ci-bot as stated'],
  ]
  for (const [name, stated, want] of cases)
    it(name, () => {
      const got = tokensMismatch(stated, file, '/etc/tokens.csv')
      if (want === undefined) assert.equal(got, undefined)
      else {
        assert.equal(got, `the cluster's static token file (/etc/tokens.csv) does not have the scenario's token ${want}`)
        assert.ok(!got.includes('t1') && !got.includes('t2'), 'no token in the message')
      }
    })
})
