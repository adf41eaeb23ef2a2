import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CycleState } from '../../framework/interface.js'
import { PodInfo } from '../../framework/nodeinfo.js'
import { node, nodeInfo, pod } from '../../framework/testing.js'
import { NodeName } from './nodename.js'

describe('NodeName', () => {
  const table: [string, string | undefined, string, boolean][] = [
    ['no node named', undefined, 'n1', true],
    ['the named node', 'n1', 'n1', true],
    ['another node', 'n2', 'n1', false],
  ]
  for (const [name, want, on, fits] of table) {
    it(name, () => {
      const s = new NodeName().filter(new CycleState(), new PodInfo(pod('p', want ? { nodeName: want } : {})), nodeInfo(node(on)))
      assert.equal(s.isSuccess(), fits)
      if (!fits) assert.deepEqual(s.reasons, ["node(s) didn't match the requested node name"])
    })
  }
})
