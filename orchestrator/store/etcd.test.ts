import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { execa } from 'execa'
import { existsSync, readFileSync } from 'node:fs'
import { EtcdCluster } from '../cluster/etcd.js'
import { etcdAvailable, reapStaleRoots } from '../cluster/etcdmember.js'
import { EtcdStore } from './etcd.js'
import { classify, prefixEnd } from './etcdrpc.js'
import { collect, rejects, storeContract } from './contract.js'

const etcd = await etcdAvailable()
const skip = etcd.ok ? false : `needs a real etcd: ${etcd.reason}`

describe('etcd error classification', () => {
  const cases: [string, ReturnType<typeof classify>['kind'], boolean][] = [
    ['14 UNAVAILABLE: etcdserver: no leader', 'not-applied', false],
    ['14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2379', 'not-applied', false],
    ['14 UNAVAILABLE: etcdserver: request timed out', 'ambiguous', true],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 1.001s', 'ambiguous', true],
    // the deadline passed before the call had a connection: it never reached etcd
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 0.999s,name resolution: 0.001s,Waiting for LB pick', 'not-applied', false],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 1.002s,LB pick: 0.001s,remote_addr=127.0.0.1:2379', 'ambiguous', true],
    ['14 UNAVAILABLE: Connection dropped', 'ambiguous', false],
    ['14 UNAVAILABLE: etcdserver: leader changed', 'ambiguous', false],
    ['11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted', 'final', false],
    ['3 INVALID_ARGUMENT: etcdserver: key is not provided', 'final', false],
  ]
  for (const [message, kind, timeout] of cases) {
    it(`${message} -> ${kind}${timeout ? ' (timeout)' : ''}`, () => {
      const c = classify(new Error(message))
      assert.equal(c.kind, kind)
      assert.equal(c.timeout, timeout)
    })
  }

  it('computes the end of a prefix range as clientv3 does', () => {
    assert.deepEqual(prefixEnd('/a/'), Buffer.from('/a0'))
    assert.deepEqual(prefixEnd('a\u00ff'), Buffer.from([0x61, 0xc3, 0xc0]))
    assert.deepEqual(prefixEnd(''), Buffer.from([0]))
  })
})

describe('EtcdStore against one real member', { skip }, () => {
  const clusters: EtcdCluster[] = []
  after(async () => {
    for (const c of clusters) await c.destroy()
  })
  storeContract(
    'EtcdStore',
    async () => {
      const c = await EtcdCluster.start({ members: 1 })
      clusters.push(c)
      return new EtcdStore({ endpoints: c.endpoints, requestTimeoutMs: 3000 })
    },
    { onlineRestore: false },
  )

  it('refuses an online restore and says how etcd is restored', async () => {
    const c = await EtcdCluster.start({ members: 1 })
    clusters.push(c)
    const s = new EtcdStore({ endpoints: c.endpoints })
    const err = await rejects(s.restore(new Uint8Array()), 'Unavailable')
    assert.match(err.message, /snapshot restore/)
    await s.close()
  })
})

describe('EtcdStore against a 3-member cluster', { skip }, () => {
  let cluster: EtcdCluster
  let store: EtcdStore
  after(async () => {
    await store?.close()
    await cluster?.destroy()
  })

  it('starts a cluster with one leader', async () => {
    cluster = await EtcdCluster.start({ members: 3 })
    store = new EtcdStore({ endpoints: cluster.endpoints, requestTimeoutMs: 4000 })
    const st = await cluster.statuses()
    assert.equal(st.filter((s) => s.leader).length, 1)
  })

  it('keeps a watch going across a leader kill: every event once, in order', async () => {
    const first = await store.create('/w/0', '0')
    const w = collect(store, '/w/', first.modRevision)
    await cluster.kill((await cluster.leader())!)
    for (let i = 1; i <= 5; i++) await store.create(`/w/${i}`, String(i))
    const got = await w.next(6)
    assert.deepEqual(w.errors, [])
    assert.deepEqual(
      got.map((e) => e.kv.key),
      ['/w/0', '/w/1', '/w/2', '/w/3', '/w/4', '/w/5'],
    )
    const revs = got.map((e) => e.kv.modRevision)
    assert.deepEqual(
      revs,
      [...revs].sort((a, b) => a - b),
    )
    w.cancel()
    for (const m of cluster.members) await cluster.restart(m.name)
    await cluster.waitForLeader(15_000)
  })

  it('fails a write within its bound when no member is up, and writes nothing', async () => {
    for (const m of cluster.members) await cluster.kill(m.name)
    const t0 = Date.now()
    const err = await rejects(store.create('/down/x', '1'), 'Unavailable')
    const took = Date.now() - t0
    assert.ok(took < 4000 + 1500, `failed after ${took} ms`)
    assert.match(err.message, /ECONNREFUSED|no leader|unavailable/i)
    for (const m of cluster.members) await cluster.restart(m.name)
    await cluster.waitForLeader(15_000)
    assert.equal(await store.get('/down/x'), undefined)
  })

  it('restores a snapshot into fresh members without moving the revision backwards', async () => {
    await store.create('/r/before', 'b')
    const file = await cluster.snapshot()
    await store.create('/r/after', 'a')
    const revBefore = await store.currentRevision()
    const w = collect(store, '/r/', revBefore + 1)
    await cluster.loseEverything()
    await cluster.restore(file)
    assert.equal((await store.get('/r/before'))?.value, 'b')
    assert.equal(await store.get('/r/after'), undefined)
    assert.ok((await store.currentRevision()) > revBefore, 'revision after restore is above every revision handed out before')
    const old = collect(store, '/r/', revBefore)
    await old.next(1)
    assert.equal(old.errors[0]?.code, 'Compacted', 'a watch from before the restore ends with Compacted, so clients relist')
    w.cancel()
  })
})

describe('etcd fixture cleanup', { skip }, () => {
  const child = (script: string) =>
    execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), reject: false, buffer: true, stdout: 'pipe' })
  const starter = `import { EtcdCluster } from './orchestrator/cluster/etcd.ts'
const c = await EtcdCluster.start({ members: 2 })
console.log(JSON.stringify({ root: c.root, pids: c.members.map((m) => m.process.pid) }))
setInterval(() => {}, 1000)`

  async function startChild(): Promise<{ p: ReturnType<typeof child>; root: string; pids: number[] }> {
    const p = child(starter)
    const line = await new Promise<string>((resolve, reject) => {
      let buf = ''
      p.stdout!.on('data', (d: Buffer) => {
        buf += d.toString()
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!)
      })
      p.then((r) => reject(new Error(`child exited: ${r.stderr}`)), reject)
    })
    return { p, ...(JSON.parse(line) as { root: string; pids: number[] }) }
  }

  /** Running (not a zombie waiting to be reaped). */
  const alive = (pid: number): boolean => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z'
    } catch {
      return false
    }
  }

  it('removes members and data when the run is interrupted (SIGINT)', async () => {
    const { p, root, pids } = await startChild()
    p.kill('SIGINT')
    await p
    assert.equal(existsSync(root), false, `${root} removed`)
    const end = Date.now() + 5000
    while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    for (const pid of pids) assert.equal(alive(pid), false, `etcd ${pid} gone`)
  })

  it('reaps members and data of a run that was killed with SIGKILL', async () => {
    const { p, root, pids } = await startChild()
    p.kill('SIGKILL')
    await p
    assert.equal(existsSync(root), true, 'a SIGKILLed run cannot clean up after itself')
    const reaped = reapStaleRoots()
    assert.ok(reaped.includes(root), `reaped ${root}`)
    assert.equal(existsSync(root), false)
    // SIGKILL is delivered asynchronously: give the kernel a moment to end them
    const end = Date.now() + 5000
    while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    for (const pid of pids) assert.equal(alive(pid), false, `etcd ${pid} gone`)
  })
})
