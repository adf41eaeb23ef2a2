// The members' states as etcd reports them, against a real 3-member cluster: names, one leader,
// a killed member that stays a member but does not answer, and a new leader after the old one dies.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EtcdCluster } from '../../orchestrator/cluster/etcd.js'
import { etcdAvailable } from '../../orchestrator/cluster/etcdmember.js'
import { etcdMembersReader, withEtcdMembers, type EtcdMembersReader } from './etcdmembers.js'
import { loadTargetConfig } from './config.js'
import { faultDoorsFor } from './faults/doors.js'
import { fakeCommand } from './faults/fake.testing.js'
import type { EtcdMemberState } from './target.js'

const etcd = await etcdAvailable()
const skip = etcd.ok ? false : `needs a real etcd: ${etcd.reason}`

describe("etcd's members as etcd reports them", { skip }, () => {
  let cluster: EtcdCluster
  let reader: EtcdMembersReader
  before(async () => {
    cluster = await EtcdCluster.start({ members: 3 })
    reader = etcdMembersReader(cluster.endpoints, undefined)
  })
  after(async () => {
    reader?.close()
    await cluster?.destroy()
  })

  it('names every member, one of them the leader; a killed one stays a member that does not answer', async () => {
    const leader = await reader.waitForLeader(10_000)
    const before = await reader.members()
    assert.deepEqual(before.map((m) => m.name).sort(), ['etcd-0', 'etcd-1', 'etcd-2'])
    assert.deepEqual(
      before.filter((m) => m.leader).map((m) => m.name),
      [leader],
    )
    assert.ok(before.every((m) => m.running && m.healthy))
    assert.deepEqual(before.map((m) => m.clientUrl).sort(), [...cluster.endpoints].sort())
    await cluster.kill(leader)
    const next = await reader.waitForLeader(10_000)
    assert.notEqual(next, leader, 'another member leads')
    const after = await reader.members()
    assert.deepEqual(
      after.filter((m) => !m.running).map((m) => m.name),
      [leader],
    )
  })
})

describe("a fault provider's control-plane door with the members read from etcd", () => {
  it('lists members and waits for a leader through etcd; kills through the provider', async () => {
    const fake = await fakeCommand('fault')
    try {
      const file = await fake.config(
        'faults:\n  provider: commands\n  commands:\n    killEtcdMember: ./fault kill {member}\n    restartEtcdMember: ./fault start {member}\n',
      )
      const provider = faultDoorsFor(loadTargetConfig(file).faults!, file).controlPlane()
      await assert.rejects(provider.etcdMembers(), /list etcd members' states/, 'a provider alone cannot list them')
      const members: EtcdMemberState[] = [{ name: 'etcd-0', clientUrl: 'http://127.0.0.1:1', running: true, healthy: true, leader: true }]
      const door = withEtcdMembers(provider, { members: async () => members, waitForLeader: async () => 'etcd-0' })
      assert.deepEqual(await door.etcdMembers(), members)
      assert.equal(await door.waitForEtcdLeader(1000), 'etcd-0')
      await door.killEtcdMember('etcd-0')
      assert.deepEqual(await fake.calls(), [['fault', 'kill', 'etcd-0']])
    } finally {
      await fake.remove()
    }
  })
})
