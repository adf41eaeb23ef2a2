import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cordonedBy } from './kubectl.js'

describe('nodes a kubectl command line cordons', () => {
  const table: [string, string[]][] = [
    ['kubectl cordon node-1 node-3', ['node-1', 'node-3']],
    ['kubectl drain node-2 --ignore-daemonsets', ['node-2']],
    ['kubectl drain --timeout 3s node-2 --ignore-daemonsets', ['node-2']],
    ['kubectl drain node-2 --ignore-daemonsets --timeout=3s', ['node-2']],
    ['kubectl uncordon node-2', []],
    ['kubectl get nodes', []],
  ]
  for (const [line, nodes] of table) it(line, () => assert.deepEqual(cordonedBy(line), nodes))
})
