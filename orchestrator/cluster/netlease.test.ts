import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile, utimes } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { acquireNetworkLease, canBind, NoFreeSlotError, slotNetworks, SLOTS } from './netlease.js'

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ock-netlease-test-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('slot addresses: pods, services and the edge never overlap between slots', () => {
  const seen = new Set<string>()
  for (let k = 0; k < SLOTS; k++) {
    const n = slotNetworks(k)
    for (const net of [n.podNetwork, n.serviceCIDR, n.edgeNetwork]) {
      const second = net.split('.')[1]!
      assert.ok(!seen.has(second), `second octet ${second} used twice`)
      seen.add(second)
      assert.ok(Number(second) <= 255)
    }
  }
  const n = slotNetworks(3)
  assert.deepEqual(
    [n.podNetwork, n.podCIDR(0), n.podCIDR(7), n.serviceCIDR, n.ingressAddress],
    ['127.103.0.0/16', '127.103.0.0/24', '127.103.7.0/24', '127.163.0.0/16', '127.223.0.1'],
  )
  assert.throws(() => n.podCIDR(256), RangeError)
  assert.throws(() => slotNetworks(SLOTS), RangeError)
})

test('concurrent acquirers get distinct slots, and a released slot is free again', () =>
  withDir(async (dir) => {
    const leases = await Promise.all(Array.from({ length: 6 }, () => acquireNetworkLease({ dir, slots: [0, 1, 2, 3, 4, 5] })))
    assert.deepEqual(leases.map((l) => l.slot).sort(), [0, 1, 2, 3, 4, 5])
    await assert.rejects(acquireNetworkLease({ dir, slots: [0, 1, 2, 3, 4, 5] }), NoFreeSlotError)
    const two = leases.find((l) => l.slot === 2)!
    await two.release()
    await two.release() // idempotent
    const again = await acquireNetworkLease({ dir, slots: [0, 1, 2, 3, 4, 5] })
    assert.equal(again.slot, 2)
    for (const l of [...leases.filter((l) => l !== two), again]) await l.release()
    assert.deepEqual(await readdir(dir), [])
  }))

test('a slot whose owner died is reclaimed; a live owner keeps it', () =>
  withDir(async (dir) => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    const lock = (pid: number) => JSON.stringify({ pid, hostname: hostname(), token: `t${pid}`, description: 'test', acquiredAt: new Date().toISOString() })
    await writeFile(join(dir, 'ock-netlease-slot-0.lock'), lock(dead))
    await writeFile(join(dir, 'ock-netlease-slot-1.lock'), lock(process.ppid)) // alive
    const l = await acquireNetworkLease({ dir, slots: [1, 0] })
    assert.equal(l.slot, 0)
    await l.release()
    assert.deepEqual(await readdir(dir), ['ock-netlease-slot-1.lock'])
  }))

test('an empty lock file left by a creator that died while writing it is reclaimed after a while', () =>
  withDir(async (dir) => {
    const file = join(dir, 'ock-netlease-slot-0.lock')
    await writeFile(file, '')
    await assert.rejects(acquireNetworkLease({ dir, slots: [0] }), NoFreeSlotError) // fresh: maybe being written
    const old = new Date(Date.now() - 60_000)
    await utimes(file, old, old)
    const l = await acquireNetworkLease({ dir, slots: [0] })
    assert.equal(l.slot, 0)
    await l.release()
  }))

test('this machine serves the leased loopback addresses', async () => {
  const n = slotNetworks(SLOTS - 1)
  for (const addr of [
    n.podCIDR(0).replace('.0/24', '.7'),
    n.podCIDR(255).replace('.0/24', '.254'),
    n.serviceCIDR.replace('.0.0/16', '.12.34'),
    n.ingressAddress,
  ]) {
    assert.equal(await canBind(addr), true, `cannot listen on ${addr}`)
  }
})
