import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CycleState } from '../../framework/interface.js'
import { PodInfo } from '../../framework/nodeinfo.js'
import { node, nodeInfo, pod } from '../../framework/testing.js'
import { NodeUnschedulable } from './nodeunschedulable.js'

describe('NodeUnschedulable', () => {
  const table: [string, boolean, Parameters<typeof pod>[1], boolean][] = [
    ['a schedulable node', false, {}, true],
    ['a cordoned node', true, {}, false],
    ['a cordoned node, tolerated', true, { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }, true],
  ]
  for (const [name, unschedulable, spec, fits] of table) {
    it(name, () => {
      const s = new NodeUnschedulable().filter(new CycleState(), new PodInfo(pod('p', spec)), nodeInfo(node('n', { unschedulable })))
      assert.equal(s.isSuccess(), fits)
      if (!fits) assert.deepEqual([s.code, ...s.reasons], ['UnschedulableAndUnresolvable', 'node(s) were unschedulable'])
    })
  }
})
