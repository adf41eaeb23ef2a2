// FieldsV1 as upstream writes it: the field set of a configuration (f: fields, k: items of
// associative lists by their keys, v: items of sets, `.` for a member with children), path
// strings in conflict messages, element order, and compare / merge / prune on a few shapes.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { compareElements, fromFieldsV1, pathString, toFieldsV1 } from './fieldset.js'
import { compare, merge, prune, toFieldSet } from './typed.js'

const container = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'c', image: 'app:1', ...extra })

describe('fieldsV1 of a configuration (ToFieldSet)', () => {
  const rows: Array<{ name: string; config: Record<string, unknown>; fieldsV1: unknown }> = [
    { name: 'a scalar is a leaf', config: { spec: { replicas: 3 } }, fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    {
      name: 'containers by name, the item itself with `.`',
      config: { spec: { containers: [container()] } },
      fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
    },
    {
      name: 'container ports by containerPort and protocol (TCP by default)',
      config: { ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] },
      fieldsV1: {
        'f:ports': {
          'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
          'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
        },
      },
    },
    {
      name: 'service ports by port and protocol',
      config: { ports: [{ port: 80, targetPort: 8080 }] },
      fieldsV1: { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } } },
    },
    {
      name: 'env by name',
      config: { env: [{ name: 'A', value: '1' }] },
      fieldsV1: { 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } } },
    },
    {
      name: 'finalizers are a set: v:<value>',
      config: { metadata: { finalizers: ['b', 'a'] } },
      fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } } },
    },
    {
      name: 'a label selector is atomic, an empty map a leaf, labels granular',
      config: { spec: { selector: { matchLabels: { app: 'web' } }, strategy: {} }, metadata: { labels: { app: 'web' } } },
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:selector': {}, 'f:strategy': {} } },
    },
    {
      name: 'args and other lists without keys are atomic',
      config: { args: ['-v'], tolerations: [{ key: 'k' }] },
      fieldsV1: { 'f:args': {}, 'f:tolerations': {} },
    },
    {
      name: 'a list with a repeated key is atomic',
      config: { env: [{ name: 'A' }, { name: 'A' }] },
      fieldsV1: { 'f:env': {} },
    },
  ]
  for (const r of rows) {
    it(r.name, () => {
      const fv1 = toFieldsV1(toFieldSet(r.config))
      assert.deepEqual(fv1, r.fieldsV1)
      // the keys come in fieldpath's order
      assert.equal(JSON.stringify(fv1), JSON.stringify(r.fieldsV1))
      // and read back to the same set
      assert.deepEqual(toFieldsV1(fromFieldsV1(fv1)), fv1)
    })
  }

  it('skips what nobody owns, and never owns the node that holds them', () => {
    const skip = { apiVersion: true, kind: true, metadata: { name: true, namespace: true } } as const
    assert.deepEqual(toFieldsV1(toFieldSet({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd' }, data: { k: 'v' } }, skip)), {
      'f:data': { 'f:k': {} },
    })
  })
})

describe('path strings and order', () => {
  const rows: Array<[string[], string]> = [
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'], '.spec.containers[name="c"].image'],
    [['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a"'], '.metadata.finalizers[="a"]'],
  ]
  for (const [path, s] of rows) it(s, () => assert.equal(pathString(path), s))

  it('fields before keys before values; keys with fewer fields first', () => {
    const els = ['v:"a"', 'k:{"port":80,"protocol":"TCP"}', 'f:b', 'k:{"name":"x"}', 'f:a']
    assert.deepEqual(els.sort(compareElements), ['f:a', 'f:b', 'k:{"name":"x"}', 'k:{"port":80,"protocol":"TCP"}', 'v:"a"'])
  })

  it('iterates a level’s members before its children', () => {
    const s = fromFieldsV1({ 'f:spec': { 'f:template': { 'f:x': {} }, 'f:replicas': {} }, 'f:data': {} })
    assert.deepEqual(s.paths().map(pathString), ['.data', '.spec.replicas', '.spec.template.x'])
  })
})

describe('compare, merge and prune', () => {
  it('an added map or item is in Added with everything below it (FieldsV1 `.`)', () => {
    const c = compare({ metadata: {} }, { metadata: { labels: { app: 'web' } } })
    assert.deepEqual(toFieldsV1(c.added), { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } })
    assert.ok(c.modified.empty() && c.removed.empty())
  })

  it('a changed scalar is Modified, a dropped item Removed', () => {
    const c = compare({ spec: { replicas: 1, containers: [container(), { name: 'd' }] } }, { spec: { replicas: 2, containers: [container()] } })
    assert.deepEqual(toFieldsV1(c.modified), { 'f:spec': { 'f:replicas': {} } })
    assert.deepEqual(toFieldsV1(c.removed), { 'f:spec': { 'f:containers': { 'k:{"name":"d"}': { '.': {}, 'f:name': {} } } } })
  })

  it('merges associative lists item by item and replaces atomic lists', () => {
    const live = { spec: { containers: [container({ args: ['a'], env: [{ name: 'A', value: '1' }] }), { name: 'side', image: 's' }] } }
    const applied = { spec: { containers: [{ name: 'c', image: 'app:2', args: ['b'], env: [{ name: 'B', value: '2' }] }] } }
    assert.deepEqual(merge(live, applied), {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'app:2',
            args: ['b'],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'side', image: 's' },
        ],
      },
    })
    assert.deepEqual(live.spec.containers[0]!.image, 'app:1', 'the live object is not changed')
  })

  it('prunes what the applier owned last time and nobody owns now', () => {
    const obj = { spec: { replicas: 3, paused: true, containers: [container(), { name: 'd', image: 'x' }] } }
    const last = fromFieldsV1({
      'f:spec': { 'f:replicas': {}, 'f:paused': {}, 'f:containers': { 'k:{"name":"c"}': { '.': {} }, 'k:{"name":"d"}': { '.': {} } } },
    })
    const owned = fromFieldsV1({ 'f:spec': { 'f:replicas': {}, 'f:containers': { 'k:{"name":"c"}': { '.': {} } } } })
    prune(obj, last, owned)
    assert.deepEqual(obj, { spec: { replicas: 3, containers: [container()] } })
  })
})
