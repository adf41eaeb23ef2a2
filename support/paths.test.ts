import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { expectField, getPath } from './paths.js'

const pod = {
  metadata: { name: 'web-1', labels: { app: 'web', 'app.kubernetes.io/name': 'shop' } },
  spec: { replicas: 3, containers: [{ name: 'app', image: 'registry.internal/ock/app:1' }] },
  status: {
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False' },
    ],
  },
}

describe('field paths', () => {
  it('reads dotted, indexed, quoted and matched segments', () => {
    assert.equal(getPath(pod, 'spec.replicas'), 3)
    assert.equal(getPath(pod, 'spec.containers[0].image'), 'registry.internal/ock/app:1')
    assert.equal(getPath(pod, "metadata.labels['app.kubernetes.io/name']"), 'shop')
    assert.equal(getPath(pod, 'status.conditions[type=Ready].status'), 'False')
    assert.equal(getPath(pod, 'status.conditions[type=Missing].status'), undefined)
    assert.equal(getPath(pod, 'spec.nothing.deeper'), undefined)
  })

  it('compares YAML scalars, strings that look like numbers, and markers', () => {
    expectField(pod, 'spec.replicas', '3')
    expectField(pod, 'status.conditions[type=Ready].status', 'False')
    expectField(pod, 'metadata.labels', '{app: web, app.kubernetes.io/name: shop}')
    expectField(pod, 'spec.nodeName', '<absent>')
    expectField(pod, 'metadata.name', '<present>')
    assert.throws(() => expectField(pod, 'spec.replicas', '4'), /spec.replicas/)
    assert.throws(() => expectField(pod, 'spec.nodeName', '<present>'), /should be present/)
  })

  it('takes a timestamp (a Date, as @kubernetes/client-node gives it) as non-empty, unless invalid', () => {
    expectField({ t: new Date() }, 't', '<non-empty>')
    assert.throws(() => expectField({ t: new Date('nope') }, 't', '<non-empty>'), /valid time/)
    assert.throws(() => expectField({ t: '' }, 't', '<non-empty>'), /should not be empty/)
  })

  it('rejects a path it cannot read', () => {
    assert.throws(() => getPath(pod, 'spec..x['), /cannot read field path/)
  })
})
