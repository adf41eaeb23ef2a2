import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Pickle } from '@cucumber/messages'
import { canRunBeside } from './parallel.js'

const pickle = (...tags: string[]): Pickle => ({
  id: tags.join(),
  uri: 'x.feature',
  name: 'x',
  language: 'en',
  steps: [],
  tags: tags.map((name) => ({ name, astNodeId: '' })),
  astNodeIds: [],
})

describe('which scenario may start beside the running ones', () => {
  const cases: [string, Pickle, Pickle[], boolean][] = [
    ['an etcd scenario beside nothing', pickle('@etcd'), [], true],
    ['an etcd scenario beside simulated ones', pickle('@ETCD-01', '@etcd'), [pickle('@HEAL-02'), pickle('@docker')], true],
    ['an etcd scenario beside another', pickle('@etcd'), [pickle('@HEAL-02'), pickle('@etcd', '@faults')], false],
    ['an etcd scenario beside one measuring latency', pickle('@etcd'), [pickle('@etcd', '@latency')], false],
    ['a latency measurement beside an etcd scenario', pickle('@etcd', '@latency'), [pickle('@etcd')], false],
    ['a latency measurement beside simulated ones', pickle('@etcd', '@latency'), [pickle('@HEAL-02'), pickle('@docker')], true],
    ['a simulated scenario beside two etcd ones', pickle('@HEAL-02'), [pickle('@etcd'), pickle('@etcd', '@latency')], true],
  ]
  for (const [what, p, running, expected] of cases) it(`${what}: ${expected ? 'yes' : 'no'}`, () => assert.equal(canRunBeside(p, running), expected))
})
