import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CycleState } from '../../framework/interface.js'
import { PodInfo } from '../../framework/nodeinfo.js'
import { node, nodeInfo, pod } from '../../framework/testing.js'
import { NodePorts } from './nodeports.js'

const withPort = (name: string, hostPort: number, hostIP?: string, protocol: 'TCP' | 'UDP' = 'TCP') =>
  pod(name, { containers: [{ name: 'app', image: 'i:1', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] })

describe('NodePorts', () => {
  const table: [string, ReturnType<typeof pod>[], ReturnType<typeof pod>, boolean][] = [
    ['a free port', [], withPort('p', 8080), true],
    ['the same port taken', [withPort('a', 8080)], withPort('p', 8080), false],
    ['the same port on another protocol', [withPort('a', 8080, undefined, 'UDP')], withPort('p', 8080), true],
    ['the same port on another host IP', [withPort('a', 8080, '127.0.0.2')], withPort('p', 8080, '127.0.0.3'), true],
    ['0.0.0.0 conflicts with a specific IP', [withPort('a', 8080, '127.0.0.2')], withPort('p', 8080), false],
  ]
  for (const [name, existing, incoming, fits] of table) {
    it(name, () => {
      const plugin = new NodePorts()
      const state = new CycleState()
      const pi = new PodInfo(incoming)
      assert.ok(plugin.preFilter(state, pi).isSuccess())
      const s = plugin.filter(state, pi, nodeInfo(node('n'), ...existing))
      assert.equal(s.isSuccess(), fits)
      if (!fits) assert.deepEqual(s.reasons, ["node(s) didn't have free ports for the requested pod ports"])
    })
  }

  it('skips pods without host ports', () => {
    assert.ok(new NodePorts().preFilter(new CycleState(), new PodInfo(pod('p'))).isSkip())
  })
})
