import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs, refusal } from '../testing.js'
import { DeploymentPipelinePolicy } from './pipelinepolicy.js'

const plugin = new DeploymentPipelinePolicy({
  rules: [{ name: 'jenkins-only', namespaces: ['production'], allowedUsers: ['system:serviceaccount:ci:jenkins'], allowedGroups: ['release-managers'] }],
})
const dep = (replicas: number, annotations: Record<string, string> = {}) => ({ metadata: { name: 'shop', annotations }, spec: { replicas } })

describe('DeploymentPipelinePolicy', () => {
  const cases: [string, ReturnType<typeof attrs>, boolean][] = [
    [
      'jenkins creates in production',
      attrs('deployments', 'CREATE', dep(1), { group: 'apps', namespace: 'production', user: 'system:serviceaccount:ci:jenkins' }),
      true,
    ],
    [
      'a release manager creates in production',
      attrs('deployments', 'CREATE', dep(1), { group: 'apps', namespace: 'production', groups: ['release-managers'] }),
      true,
    ],
    ['alice creates in production', attrs('deployments', 'CREATE', dep(1), { group: 'apps', namespace: 'production' }), false],
    ['alice changes the spec in production', attrs('deployments', 'UPDATE', dep(2), { group: 'apps', namespace: 'production', oldObject: dep(1) }), false],
    [
      'a controller changes only metadata',
      attrs('deployments', 'UPDATE', dep(1, { rev: '2' }), {
        group: 'apps',
        namespace: 'production',
        user: 'system:kube-controller-manager',
        oldObject: dep(1),
      }),
      true,
    ],
    ['alice creates elsewhere', attrs('deployments', 'CREATE', dep(1), { group: 'apps', namespace: 'staging' }), true],
  ]
  for (const [name, a, admitted] of cases) {
    it(name, async () => {
      const got = await refusal(() => plugin.validate(a))
      assert.equal(got === undefined, admitted, got?.message)
      if (got) assert.match(got.message, /^deployments\.apps "shop" is forbidden: deployment pipeline policy "jenkins-only" denied the request/)
    })
  }
  it('does not look at the scale or status subresources', () => {
    assert.equal(plugin.handles(attrs('deployments', 'UPDATE', dep(3), { group: 'apps', subresource: 'scale' })), false)
  })
})
