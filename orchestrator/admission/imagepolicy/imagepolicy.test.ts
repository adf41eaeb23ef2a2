import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs, refusal } from '../testing.js'
import { containersOf, ImagePolicy, imageAllowed, normalizeImage } from './imagepolicy.js'

describe('image references', () => {
  const cases: [string, string][] = [
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['team/tool', 'docker.io/team/tool'],
    ['registry.internal/ock/app:1', 'registry.internal/ock/app:1'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['quay.io/x/y@sha256:abc', 'quay.io/x/y@sha256:abc'],
  ]
  for (const [image, full] of cases) it(`${image} -> ${full}`, () => assert.equal(normalizeImage(image).full, full))

  const allowed: [string, string[], boolean][] = [
    ['registry.internal/ock/app:1', ['registry.internal'], true],
    ['nginx', ['registry.internal'], false],
    ['docker.io/library/nginx', ['docker.io/library'], true],
    ['docker.io/evil/nginx', ['docker.io/library'], false],
    ['registry.internal.evil.com/app', ['registry.internal'], false],
  ]
  for (const [image, registries, want] of allowed)
    it(`${image} allowed by ${registries.join(',')}: ${want}`, () => assert.equal(imageAllowed(image, registries), want))
})

describe('ImagePolicy plugin', () => {
  const plugin = new ImagePolicy({ rules: [{ name: 'internal-only', allowedRegistries: ['registry.internal'] }] })
  const deployment = (image: string) => ({ metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', image }] } } } })

  it('refuses a public image in a Deployment template, naming rule, image, container and field', async () => {
    const got = await refusal(() => plugin.validate(attrs('deployments', 'CREATE', deployment('nginx'), { group: 'apps' })))
    assert.equal(got?.code, 403)
    assert.equal(
      got?.message,
      'deployments.apps "web" is forbidden: image policy "internal-only" denied the request: image "nginx" (docker.io/library/nginx) of container "web" (spec.template.spec.containers[0].image) is not from an allowed registry (registry.internal)',
    )
  })

  it('admits internal images', async () => {
    assert.equal(await refusal(() => plugin.validate(attrs('deployments', 'CREATE', deployment('registry.internal/a:1'), { group: 'apps' }))), undefined)
  })
})

describe('containers of a workload', () => {
  it("a ReplicationController's pod template is checked as a ReplicaSet's", () => {
    const template = { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } } }
    assert.deepEqual(
      containersOf('', 'replicationcontrollers', template as never).map((c) => c.path),
      ['spec.template.spec.containers[0]'],
    )
  })
})
