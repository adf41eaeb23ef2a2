// The etcd store door against one real etcd member: the history and content under the door's
// key prefix only, values that are not JSON (a real kube-apiserver's protobuf) without an
// object, and a history whose last write lies outside the prefix still ends.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Etcd3 } from 'etcd3'
import { EtcdCluster } from '../../orchestrator/cluster/etcd.js'
import { etcdAvailable } from '../../orchestrator/cluster/etcdmember.js'
import { etcdStoreDoor } from './storedoor.js'

const etcd = await etcdAvailable()
const skip = etcd.ok ? false : `needs a real etcd: ${etcd.reason}`

describe('the etcd store door', { skip }, () => {
  let cluster: EtcdCluster
  let client: Etcd3
  before(async () => {
    cluster = await EtcdCluster.start({ members: 1 })
    client = new Etcd3({ hosts: cluster.endpoints })
  })
  after(async () => {
    client?.close()
    await cluster?.destroy()
  })

  const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name } })
  // what a kube-apiserver writes for a built-in kind: the `k8s\0` magic and a protobuf Unknown
  const protobuf = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x0e, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x08]), Buffer.from('ConfigMap')])

  it('reads the history and content under its prefix, protobuf values without an object', async () => {
    const door = etcdStoreDoor(cluster.endpoints, undefined, { prefix: '/registry/' })
    try {
      const from = await door.revision()
      await client.put('/registry/configmaps/ns/a').value(cm('a'))
      await client.put('/registry/configmaps/ns/b').value(protobuf)
      await client.put('/calico/ipam/v2/host/x').value('{"not":"kubernetes"}')
      await client.delete().key('/registry/configmaps/ns/a')
      // the last write is outside the prefix: the replay still ends at the current revision
      await client.put('/other/last').value('x')
      const writes = await door.writesSince(from)
      assert.deepEqual(
        writes.map((w) => [w.revision - from, w.type, w.key, w.object?.metadata?.name ?? null]),
        [
          [1, 'put', '/registry/configmaps/ns/a', 'a'],
          [2, 'put', '/registry/configmaps/ns/b', null],
          [4, 'delete', '/registry/configmaps/ns/a', 'a'],
        ],
      )
      assert.ok(
        writes.every((w) => w.acknowledgedAt === undefined),
        'no acknowledgement times: a real etcd cannot tell',
      )
      const keys = async (prefix?: string) => (await door.read(prefix)).map((v) => [v.key, v.object === undefined ? 'not JSON' : 'JSON'])
      const cases: [prefix: string | undefined, expected: string[][]][] = [
        [undefined, [['/registry/configmaps/ns/b', 'not JSON']]],
        ['/registry/configmaps/', [['/registry/configmaps/ns/b', 'not JSON']]],
        ['/', [['/registry/configmaps/ns/b', 'not JSON']]],
        ['/calico/', []],
      ]
      for (const [prefix, expected] of cases) assert.deepEqual(await keys(prefix), expected, `read(${prefix ?? ''})`)
      assert.ok(((await door.mark()) ?? 0) >= from + 5, 'a mark is a revision the store has reached')
      assert.match(door.describe(), /\(keys under \/registry\/\)$/)
    } finally {
      door.close()
    }
  })

  it('without a prefix reads every key (the built-in target)', async () => {
    const door = etcdStoreDoor(cluster.endpoints, () => [])
    try {
      const from = await door.revision()
      await client.put('/anything').value('{}')
      assert.deepEqual(
        (await door.writesSince(from)).map((w) => w.key),
        ['/anything'],
      )
      assert.ok((await door.read()).some((v) => v.key === '/calico/ipam/v2/host/x'))
    } finally {
      door.close()
    }
  })
})
