// Nothing acknowledged is lost: concurrent writers go through the etcd store while members of
// a real 3-member cluster are killed -9 and restarted (the leader, a follower, and two at once
// so quorum is lost and comes back). Every write the store acknowledged is recorded; afterwards
// each must be present with the acknowledged revision, each writer's revisions must only grow,
// and a watch opened before the chaos must have delivered every acknowledged write once, in
// order. Prints the acknowledged / lost / failed counts. Zero lost is the bar.

import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { EtcdCluster } from '../cluster/etcd.js'
import { etcdAvailable } from '../cluster/etcdmember.js'
import { EtcdStore } from './etcd.js'
import { StoreError, type StoreEvent } from './store.js'
import { holdsWithin } from '../testing/eventually.js'

const etcd = await etcdAvailable()
const skip = etcd.ok ? false : `needs a real etcd: ${etcd.reason}`

const WRITERS = 4
const CYCLES: ('leader' | 'follower' | 'quorum')[] = ['leader', 'follower', 'quorum', 'leader', 'follower', 'quorum']

interface Ack {
  key: string
  value: string
  revision: number
}

describe('etcd store: nothing acknowledged is lost while members die', { skip }, () => {
  let cluster: EtcdCluster | undefined
  let store: EtcdStore | undefined
  after(async () => {
    await store?.close()
    await cluster?.destroy()
  })

  it(`keeps every acknowledged write over ${CYCLES.length} kill cycles`, { timeout: 240_000 }, async (t) => {
    cluster = await EtcdCluster.start({ members: 3 })
    store = new EtcdStore({ endpoints: cluster.endpoints, requestTimeoutMs: 3000, watchRetryMs: 60_000 })
    const s = store
    const c = cluster

    const start = await s.currentRevision()
    const watched: StoreEvent[] = []
    const watchErrors: StoreError[] = []
    const w = s.watch('/nl/', start + 1, { onEvents: (es) => watched.push(...es), onError: (e) => watchErrors.push(e) })

    const acks: Ack[] = []
    const perWriter: number[][] = Array.from({ length: WRITERS }, () => [])
    let failed = 0
    let unknown = 0
    let stop = false

    const writer = async (id: number): Promise<void> => {
      const counter = `/nl/counter/${id}`
      let counterRev = (await s.create(counter, `${id}:0`)).modRevision
      acks.push({ key: counter, value: `${id}:0`, revision: counterRev })
      perWriter[id]!.push(counterRev)
      for (let seq = 1; !stop; seq++) {
        try {
          // a new key, then a compare-and-swap on the writer's counter
          const kv = await s.create(`/nl/keys/${id}/${seq}`, `${id}:${seq}`)
          acks.push({ key: kv.key, value: kv.value, revision: kv.modRevision })
          perWriter[id]!.push(kv.modRevision)
          const up = await s.update(counter, `${id}:${seq}`, counterRev)
          counterRev = up.modRevision
          acks.push({ key: counter, value: up.value, revision: up.modRevision })
          perWriter[id]!.push(up.modRevision)
        } catch (e) {
          if (!(e instanceof StoreError)) throw e
          failed++
          if (e.code === 'Timeout') unknown++
          if (e.code === 'Conflict' && e.current) counterRev = e.current.modRevision
          else {
            // the outcome is unknown: learn the counter's revision again once the store answers
            await holdsWithin(async () => {
              try {
                counterRev = (await s.get(counter))!.modRevision
                return true
              } catch {
                return stop
              }
            }, 30_000)
          }
        }
      }
    }
    const writers = Array.from({ length: WRITERS }, (_, i) => writer(i))

    const ackedSoon = (n: number, ms: number): Promise<boolean> => {
      const target = acks.length + n
      return holdsWithin(() => acks.length >= target, ms)
    }
    const log: string[] = []
    assert.ok(await ackedSoon(200, 20_000), 'writes flow before the chaos starts')
    for (const [i, kind] of CYCLES.entries()) {
      const leader = await c.waitForLeader(15_000)
      const followers = c.members.map((m) => m.name).filter((n) => n !== leader)
      const victims = kind === 'leader' ? [leader] : kind === 'follower' ? [followers[0]!] : [leader, followers[0]!]
      const failedBefore = failed
      const t0 = Date.now()
      for (const v of victims) await c.kill(v)
      if (kind === 'quorum') {
        // with one member of three left no write can be acknowledged
        assert.ok(await holdsWithin(() => failed > failedBefore, 15_000), 'writes fail while quorum is lost')
        const ackedDuringLoss = acks.length
        await c.restart(victims[1]!)
        assert.ok(await ackedSoon(20, 20_000), 'writes resume once a second member is back')
        log.push(
          `cycle ${i + 1}: killed ${victims.join(' + ')} (quorum lost); ${failed - failedBefore} failed writes; writes resumed ${Date.now() - t0} ms after the kill (acknowledged before: ${ackedDuringLoss})`,
        )
        await c.restart(victims[0]!)
      } else {
        assert.ok(await ackedSoon(20, 20_000), `writes continue with ${kind} ${victims[0]} down`)
        log.push(
          `cycle ${i + 1}: killed the ${kind} ${victims[0]}; writes continued (${Date.now() - t0} ms to 20 more acknowledged, ${failed - failedBefore} failed)`,
        )
        await c.restart(victims[0]!)
      }
      await c.waitForLeader(15_000)
      assert.ok(await ackedSoon(150, 20_000), 'writes flow after the members are back')
    }
    stop = true
    await Promise.all(writers)

    // every acknowledged write is there, with the acknowledged revision (or, for a counter, a later one)
    const all = new Map((await s.range('/nl/')).kvs.map((kv) => [kv.key, kv]))
    let lost = 0
    const lostSamples: string[] = []
    const lastAckPerKey = new Map<string, Ack>()
    for (const a of acks) lastAckPerKey.set(a.key, a)
    for (const a of lastAckPerKey.values()) {
      const kv = all.get(a.key)
      const ok = kv && (kv.modRevision === a.revision ? kv.value === a.value : kv.modRevision > a.revision && a.key.startsWith('/nl/counter/'))
      if (!ok) {
        lost++
        if (lostSamples.length < 5) lostSamples.push(`${a.key}@${a.revision}=${a.value} -> ${kv ? `${kv.key}@${kv.modRevision}=${kv.value}` : 'missing'}`)
      }
    }
    // each writer saw its revisions only grow
    for (const [id, revs] of perWriter.entries()) {
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `writer ${id}: revision ${revs[i]} after ${revs[i - 1]}`)
    }
    // the watch saw every acknowledged write once, in revision order
    await holdsWithin(() => watched.length > 0 && watched.at(-1)!.kv.modRevision >= Math.max(...acks.map((a) => a.revision)), 15_000)
    w.cancel()
    const seen = new Map<string, number>()
    for (let i = 1; i < watched.length; i++) assert.ok(watched[i]!.kv.modRevision >= watched[i - 1]!.kv.modRevision, 'watch events in revision order')
    for (const e of watched) seen.set(`${e.kv.key}@${e.kv.modRevision}`, (seen.get(`${e.kv.key}@${e.kv.modRevision}`) ?? 0) + 1)
    const missedByWatch = acks.filter((a) => seen.get(`${a.key}@${a.revision}`) !== 1).length

    const summary = `nothing-lost: acknowledged=${acks.length} lost=${lost} failed=${failed} (outcome unknown: ${unknown}) cycles=${CYCLES.length} writers=${WRITERS} watch-missed=${missedByWatch} watch-errors=${watchErrors.length}`
    for (const l of log) t.diagnostic(l)
    t.diagnostic(summary)
    console.log(summary)
    assert.equal(lost, 0, `lost acknowledged writes: ${lostSamples.join('; ')}`)
    assert.deepEqual(
      watchErrors.map((e) => e.message),
      [],
      'the watch resumed across every fault',
    )
    assert.equal(missedByWatch, 0, 'the watch delivered every acknowledged write exactly once')
    assert.ok(acks.length > 1000, `enough writes to mean something (${acks.length})`)
  })
})
