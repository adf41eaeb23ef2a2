import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import { applyPatch, mergePatch, strategicMergePatch } from './patch.js'

const deployment = {
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
          { name: 'sidecar', image: 'side:1' },
        ],
        tolerations: [{ key: 'x', operator: 'Exists' }],
      },
    },
  },
}

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes on null, replaces lists', () => {
    const out = mergePatch(deployment, { metadata: { labels: { tier: null, new: 'y' } }, spec: { replicas: 5 } }) as typeof deployment
    assert.deepEqual(out.metadata.labels, { app: 'web', new: 'y' })
    assert.equal(out.spec.replicas, 5)
    assert.equal(deployment.spec.replicas, 2, 'the original is not changed')
  })
})

describe('JSON patch (RFC 6902)', () => {
  it('applies operations and refuses a failed test with 422', () => {
    const out = applyPatch('application/json-patch+json', deployment, [{ op: 'replace', path: '/spec/replicas', value: 7 }]) as typeof deployment
    assert.equal(out.spec.replicas, 7)
    assert.throws(
      () => applyPatch('application/json-patch+json', deployment, [{ op: 'test', path: '/spec/replicas', value: 9 }]),
      (e: unknown) => e instanceof ApiError && e.code === 422,
    )
  })
})

describe('strategic merge patch', () => {
  it('merges containers by name and env by name, keeping the others', () => {
    const out = strategicMergePatch(deployment, {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] }] } } },
    }) as typeof deployment
    const [app, sidecar] = out.spec.template.spec.containers
    assert.equal(app!.image, 'app:2')
    assert.deepEqual(
      app!.env!.map((e) => e.name),
      ['A', 'B'],
    )
    assert.equal(sidecar!.image, 'side:1')
  })

  it('deletes list elements and keys with $patch: delete and null, and unions finalizers', () => {
    const out = strategicMergePatch(deployment, {
      metadata: { labels: { tier: null }, finalizers: ['b'] },
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    }) as typeof deployment
    assert.deepEqual(
      out.spec.template.spec.containers.map((c) => c.name),
      ['app'],
    )
    assert.deepEqual(out.metadata.labels, { app: 'web' })
    assert.deepEqual(out.metadata.finalizers, ['a', 'b'])
  })

  it('replaces lists without a merge key, and orders by $setElementOrder', () => {
    const out = strategicMergePatch(deployment, {
      spec: {
        template: {
          spec: {
            tolerations: [{ key: 'y', operator: 'Exists' }],
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
          },
        },
      },
    }) as typeof deployment
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'y', operator: 'Exists' }])
    assert.deepEqual(
      out.spec.template.spec.containers.map((c) => c.name),
      ['sidecar', 'app'],
    )
  })

  it('refuses unknown patch types with 415', () => {
    assert.throws(
      () => applyPatch('text/plain', deployment, {}),
      (e: unknown) => e instanceof ApiError && e.code === 415,
    )
  })
})
