// An etcd cluster of real `etcd` processes (Debian's etcd-server) on loopback ports: N members
// with their own data dirs under one temp root; start, stop, kill -9 and restart a member; find
// the leader; snapshot save and restore into fresh members; remove every process and dir at the
// end. Mirrors what an operator does with etcd and etcdctl (op-guide/recovery). One member's
// process, its ports, the tools it needs and the cleanup after dead runs are in ./etcdmember.ts;
// the write-latency benchmark helper in ./etcdlatency.ts.
// Simplifies: plain HTTP on loopback; etcd 3.4 has no `--bump-revision`, so a restore advances
// the revision with writes and compacts it (what `etcdutl snapshot restore --bump-revision
// --mark-compacted` does), so clients never see revisions go backwards.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { Etcd3 } from 'etcd3'
import { EtcdStore } from '../store/etcd.js'
import { destroyOnExit, forgetOnExit, freePorts, ROOT_PREFIX, reapStaleRoots, type EtcdMember, type MemberStatus } from './etcdmember.js'

export interface EtcdClusterOptions {
  members?: number
  /** Raft heartbeat (etcd --heartbeat-interval). */
  heartbeatMs?: number
  /** Raft election timeout (etcd --election-timeout); a dead leader is replaced after about this long. */
  electionMs?: number
  /** Member names are `<prefix>-0`, `<prefix>-1`, ... */
  namePrefix?: string
  /** Directory for the temp root (default: the OS temp dir). */
  parentDir?: string
}
export class EtcdCluster {
  readonly members: EtcdMember[]
  private readonly heartbeatMs: number
  private readonly electionMs: number
  private destroyed = false
  private token: string
  /** Highest store revision any status answer showed (a restore never goes below it). */
  highestRevision = 0

  private constructor(
    readonly root: string,
    members: EtcdMember[],
    opts: EtcdClusterOptions,
  ) {
    this.members = members
    this.heartbeatMs = opts.heartbeatMs ?? 100
    this.electionMs = opts.electionMs ?? 1000
    this.token = `ock-${Date.now().toString(36)}`
  }

  /** Starts `members` fresh members and waits until they elected a leader. */
  static async start(opts: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const parent = opts.parentDir ?? tmpdir()
    reapStaleRoots(parent)
    const n = opts.members ?? 3
    if (!Number.isInteger(n) || n < 1) throw new Error(`an etcd cluster needs at least one member, not ${n}`)
    const root = await mkdtemp(join(parent, `${ROOT_PREFIX}${process.pid}-`))
    writeFileSync(join(root, 'owner.pid'), String(process.pid))
    const ports = await freePorts(2 * n)
    const prefix = opts.namePrefix ?? 'etcd'
    const members: EtcdMember[] = Array.from({ length: n }, (_, i) => ({
      name: `${prefix}-${i}`,
      clientUrl: `http://127.0.0.1:${ports[2 * i]}`,
      peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
      dataDir: join(root, `${prefix}-${i}`, 'data'),
      logFile: join(root, `${prefix}-${i}`, 'etcd.log'),
    }))
    const cluster = new EtcdCluster(root, members, opts)
    destroyOnExit(cluster)
    try {
      for (const m of members) await mkdir(join(root, m.name), { recursive: true })
      for (const m of members) cluster.spawn(m)
      await cluster.waitForLeader(30_000)
    } catch (e) {
      await cluster.destroy()
      throw e
    }
    return cluster
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl)
  }

  member(name: string): EtcdMember {
    const m = this.members.find((x) => x.name === name)
    if (!m) throw new Error(`no etcd member "${name}" (members: ${this.members.map((x) => x.name).join(', ')})`)
    return m
  }

  running(name: string): boolean {
    const m = this.member(name)
    return Boolean(m.process && !m.exited)
  }

  private initialCluster(): string {
    return this.members.map((m) => `${m.name}=${m.peerUrl}`).join(',')
  }

  private spawn(m: EtcdMember): void {
    if (this.destroyed) throw new Error('the etcd cluster was destroyed')
    mkdirSync(join(this.root, m.name), { recursive: true })
    const args = [
      '--name',
      m.name,
      '--data-dir',
      m.dataDir,
      '--listen-client-urls',
      m.clientUrl,
      '--advertise-client-urls',
      m.clientUrl,
      '--listen-peer-urls',
      m.peerUrl,
      '--initial-advertise-peer-urls',
      m.peerUrl,
      '--initial-cluster',
      this.initialCluster(),
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      this.token,
      '--heartbeat-interval',
      String(this.heartbeatMs),
      '--election-timeout',
      String(this.electionMs),
      '--logger',
      'zap',
      '--log-outputs',
      'stderr',
      '--log-level',
      'warn',
    ]
    // execa's cleanup kills the child if this process exits; stdout/stderr go to the member's log.
    const log = { file: m.logFile, append: true }
    const p = execa('etcd', args, { stdin: 'ignore', stdout: log, stderr: log, reject: false, cleanup: true, forceKillAfterDelay: 10_000 })
    m.process = p
    m.exited = false
    void p.then(
      () => (m.exited = true),
      () => (m.exited = true),
    )
  }

  /** Starts a stopped or killed member again with its data dir (it rejoins and catches up). */
  async restart(name: string): Promise<void> {
    const m = this.member(name)
    if (this.running(name)) return
    await m.process?.catch(() => undefined)
    this.spawn(m)
    await this.waitForPeerPort(m, 15_000)
  }

  /** SIGKILL, as a crash or a power cut; waits until the process is gone. */
  async kill(name: string): Promise<void> {
    const m = this.member(name)
    if (!m.process) return
    m.process.kill('SIGKILL')
    await m.process.catch(() => undefined)
  }

  /** SIGTERM (graceful stop); SIGKILL after 10 s. */
  async stop(name: string): Promise<void> {
    const m = this.member(name)
    if (!m.process || !this.running(name)) return
    m.process.kill('SIGTERM')
    await m.process.catch(() => undefined)
  }

  /** Status of every member, as `etcdctl endpoint status` shows it. */
  async statuses(timeoutMs = 1500): Promise<MemberStatus[]> {
    return Promise.all(
      this.members.map(async (m): Promise<MemberStatus> => {
        const running = this.running(m.name)
        if (!running) return { name: m.name, running, healthy: false, leader: false }
        const s = new EtcdStore({ endpoints: [m.clientUrl], requestTimeoutMs: timeoutMs })
        try {
          const st = await s.status()
          const revision = Number(st.header.revision)
          this.highestRevision = Math.max(this.highestRevision, revision)
          return { name: m.name, running, healthy: st.leader !== '0', leader: st.leader === st.header.member_id, revision, raftTerm: Number(st.raftTerm) }
        } catch {
          return { name: m.name, running, healthy: false, leader: false }
        } finally {
          await s.close()
        }
      }),
    )
  }

  /** The member that is leader now, as the members themselves report it. */
  async leader(): Promise<string | undefined> {
    const st = await this.statuses()
    const leaders = st.filter((s) => s.leader)
    return leaders.length === 1 ? leaders[0]!.name : undefined
  }

  async waitForLeader(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const leaders = (await this.statuses()).filter((s) => s.leader).map((s) => s.name)
      if (leaders.length === 1) return leaders[0]!
      if (Date.now() > deadline) {
        const why = leaders.length
          ? `${leaders.length} members each report themselves leader (${leaders.join(', ')}): they do not form one cluster`
          : 'no member reports itself leader'
        throw new Error(`etcd elected no single leader within ${timeoutMs} ms: ${why}; logs under ${this.root}\n${this.logTail()}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /**
   * Waits until a (re)started member listens on its peer port. Its client port opens only once
   * it has rejoined a quorum, which may not exist yet (the member may be the one that restores it).
   */
  private async waitForPeerPort(m: EtcdMember, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const { hostname, port } = new URL(m.peerUrl)
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const sock = connect({ host: hostname, port: Number(port) })
        sock.once('connect', () => {
          sock.destroy()
          resolve(true)
        })
        sock.once('error', () => resolve(false))
      })
      if (open) return
      if (!this.running(m.name)) throw new Error(`etcd member ${m.name} exited; log:\n${this.logTail(m)}`)
      if (Date.now() > deadline) throw new Error(`etcd member ${m.name} did not listen on ${m.peerUrl} within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  logTail(m?: EtcdMember): string {
    return (m ? [m] : this.members)
      .map((x) => {
        try {
          return `--- ${x.name}\n${readFileSync(x.logFile, 'utf8').split('\n').slice(-15).join('\n')}`
        } catch {
          return `--- ${x.name}: no log`
        }
      })
      .join('\n')
  }

  /** `etcdctl snapshot save` from a running member with a leader; returns the file. */
  async snapshot(file?: string): Promise<string> {
    const st = await this.statuses()
    const from = st.find((s) => s.healthy) ?? st.find((s) => s.running)
    if (!from) throw new Error('no running etcd member to take a snapshot from')
    const out = file ?? join(this.root, `snapshot-${Date.now()}.db`)
    const args = ['--endpoints', this.member(from.name).clientUrl, '--command-timeout', '30s', 'snapshot', 'save', out]
    const r = await execa('etcdctl', args, { reject: false, env: { ETCDCTL_API: '3' } })
    if (r.exitCode !== 0) throw new Error(`etcdctl snapshot save failed: ${r.stderr || r.stdout}`)
    return out
  }

  /** A disaster: every member is killed and its data dir removed. */
  async loseEverything(): Promise<void> {
    await this.statuses().catch(() => undefined) // remember the last revision
    for (const m of this.members) await this.kill(m.name)
    for (const m of this.members) await rm(m.dataDir, { recursive: true, force: true })
  }

  /**
   * Restores a snapshot into fresh members (new data dirs, a new cluster token, the same
   * addresses), starts them, then advances the revision past any the old cluster handed out and
   * compacts, so watches from before the restore end with "compacted" and clients relist.
   */
  async restore(snapshotFile: string): Promise<void> {
    for (const m of this.members) await this.kill(m.name)
    this.token = `ock-restored-${Date.now().toString(36)}`
    for (const m of this.members) {
      await rm(m.dataDir, { recursive: true, force: true })
      m.dataDir = join(this.root, m.name, `data-restored-${Date.now().toString(36)}`)
      const r = await execa(
        'etcdctl',
        [
          'snapshot',
          'restore',
          snapshotFile,
          '--name',
          m.name,
          '--data-dir',
          m.dataDir,
          '--initial-cluster',
          this.initialCluster(),
          '--initial-cluster-token',
          this.token,
          '--initial-advertise-peer-urls',
          m.peerUrl,
        ],
        { reject: false, env: { ETCDCTL_API: '3' } },
      )
      if (r.exitCode !== 0) throw new Error(`etcdctl snapshot restore failed for ${m.name}: ${r.stderr || r.stdout}`)
    }
    const floor = this.highestRevision
    for (const m of this.members) this.spawn(m)
    await this.waitForLeader(30_000)
    await this.bumpRevision(floor + 1000)
  }

  /** Advances the revision to at least `target` with writes to a scratch key, then compacts there. */
  private async bumpRevision(target: number): Promise<void> {
    const client = new Etcd3({ hosts: this.endpoints })
    try {
      const key = '/ock/restore/revision-bump'
      let rev = Number((await client.get(key).exec()).header.revision)
      while (rev < target) {
        const batch = Math.min(64, target - rev)
        const results = await Promise.all(Array.from({ length: batch }, (_, i) => client.put(key).value(String(i)).exec()))
        rev = Math.max(...results.map((r) => Number(r.header.revision)))
      }
      const del = await client.delete().key(key).exec()
      const at = Number(del.header.revision)
      await client.kv.compact({ revision: String(at), physical: true })
      this.highestRevision = Math.max(this.highestRevision, at)
    } finally {
      client.close()
    }
  }

  /** Kills every member and removes the temp root. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    for (const m of this.members) {
      m.process?.kill('SIGKILL')
      await m.process?.catch(() => undefined)
    }
    await rm(this.root, { recursive: true, force: true })
    forgetOnExit(this)
  }

  /** The synchronous version, for exit handlers. */
  destroySync(): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const m of this.members) {
      const pid = m.process?.pid
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
    if (existsSync(this.root)) rmSync(this.root, { recursive: true, force: true })
    forgetOnExit(this)
  }
}
