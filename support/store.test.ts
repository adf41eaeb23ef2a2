import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isWriteOf, type ObjectRef } from './store.js'
import type { StoreWrite } from './targets/target.js'

const cm = (namespace: string, name: string): StoreWrite['object'] => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name } })

describe('which store writes are of an object', () => {
  const settings: ObjectRef = { kind: 'ConfigMap', namespace: 'ock-1', name: 'settings' }
  const cases: [what: string, write: Pick<StoreWrite, 'key' | 'object'>, ref: ObjectRef, of: boolean][] = [
    ['a decoded write of it', { key: '/registry/configmaps/ock-1/settings', object: cm('ock-1', 'settings') }, settings, true],
    ['another name', { key: '/registry/configmaps/ock-1/other', object: cm('ock-1', 'other') }, settings, false],
    ['another namespace', { key: '/registry/configmaps/ock-2/settings', object: cm('ock-2', 'settings') }, settings, false],
    [
      'another kind',
      { key: '/registry/secrets/ock-1/settings', object: { kind: 'Secret', metadata: { namespace: 'ock-1', name: 'settings' } } },
      settings,
      false,
    ],
    [
      'any object of the kind in the namespace',
      { key: '/registry/configmaps/ock-1/x', object: cm('ock-1', 'x') },
      { kind: 'ConfigMap', namespace: 'ock-1' },
      true,
    ],
    // a real kube-apiserver's protobuf: only the key can tell
    ['an undecodable value at its key', { key: '/registry/configmaps/ock-1/settings' }, settings, true],
    ['an undecodable value of another kind at its name', { key: '/registry/secrets/ock-1/settings' }, settings, true],
    ['an undecodable value of another name in the namespace', { key: '/registry/events/ock-1/settings.17a' }, settings, false],
    ['an undecodable value in another namespace', { key: '/registry/configmaps/ock-2/settings' }, settings, false],
    ['an undecodable value in the namespace, any name', { key: '/registry/configmaps/ock-1/x' }, { kind: 'ConfigMap', namespace: 'ock-1' }, true],
    ['an undecodable cluster-scoped value by name', { key: '/registry/namespaces/team' }, { kind: 'Namespace', name: 'team' }, true],
  ]
  for (const [what, write, ref, of] of cases) {
    it(`${what}: ${of ? 'counts' : 'does not count'}`, () => assert.equal(isWriteOf({ revision: 1, type: 'put', ...write }, ref), of))
  }
})
