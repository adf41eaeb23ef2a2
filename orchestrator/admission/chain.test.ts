import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildAdmissionChain, parseAdmissionConfiguration } from './chain.js'

describe('admission configuration', () => {
  it('orders the built-in chain as upstream, ResourceQuota last', () => {
    const chain = buildAdmissionChain(
      parseAdmissionConfiguration({ plugins: [{ name: 'ImagePolicy', configuration: { rules: [{ name: 'r', allowedRegistries: ['registry.internal'] }] } }] }),
    )
    assert.deepEqual(
      chain.mutating.map((p) => p.name),
      ['NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'DefaultTolerationSeconds'],
    )
    assert.deepEqual(
      chain.validating.map((p) => p.name),
      ['LimitRanger', 'NodeRestriction', 'ImagePolicy', 'ResourceQuota'],
    )
  })

  const bad: [string, unknown, RegExp][] = [
    ['unknown plugin', { plugins: [{ name: 'Nope' }] }, /unknown admission plugin "Nope"/],
    [
      'image policy without registries',
      { plugins: [{ name: 'ImagePolicy', configuration: { rules: [{ name: 'r', allowedRegistries: [] }] } }] },
      /must name at least one registry/,
    ],
    [
      'pipeline policy without namespaces',
      { plugins: [{ name: 'DeploymentPipelinePolicy', configuration: { rules: [{ name: 'r' }] } }] },
      /must name the protected namespaces/,
    ],
    [
      'negative toleration',
      { plugins: [{ name: 'DefaultTolerationSeconds', configuration: { defaultNotReadyTolerationSeconds: -1 } }] },
      /whole number of seconds/,
    ],
    ['wrong kind', 'kind: Pod', /kind must be AdmissionConfiguration/],
  ]
  for (const [name, input, want] of bad) it(`refuses ${name}`, () => assert.throws(() => parseAdmissionConfiguration(input), want))
})
