import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Container, Pod } from '../api/types.js'
import { containerEnvironment } from './environment.js'

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u1', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [] },
}

describe('containerEnvironment (literal values and the downward API)', () => {
  const cases: [string, string | undefined][] = [
    ['metadata.name', 'web'],
    ['metadata.namespace', 'shop'],
    ['metadata.uid', 'u1'],
    ['spec.nodeName', 'node-1'],
    ['spec.serviceAccountName', 'sa'],
    ['status.podIP', '10.244.1.5'],
    ['status.hostIP', '192.168.0.1'],
    ["metadata.labels['app']", 'web'],
    ["metadata.annotations['team']", 'a'],
    ['spec.unknown', undefined],
  ]
  for (const [fieldPath, want] of cases) {
    it(`fieldRef ${fieldPath}`, () => {
      const c = {
        name: 'app',
        env: [
          { name: 'X', valueFrom: { fieldRef: { fieldPath } } },
          { name: 'LIT', value: 'v' },
        ],
      } as Container
      assert.deepEqual(containerEnvironment(pod, c, '10.244.1.5', '192.168.0.1'), { ...(want === undefined ? {} : { X: want }), LIT: 'v' })
    })
  }
})
