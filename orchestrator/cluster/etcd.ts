// An etcd cluster of real `etcd` processes (Debian's etcd-server) on loopback ports: N members
// with their own data dirs under one temp root; start, stop, kill -9 and restart a member; find
// the leader; snapshot save and restore into fresh members; remove every process and dir at the
// end. Mirrors what an operator does with etcd and etcdctl (op-guide/recovery).
// Simplifies: plain HTTP on loopback; etcd 3.4 has no `--bump-revision`, so a restore advances
// the revision with writes and compacts it (what `etcdutl snapshot restore --bump-revision
// --mark-compacted` does), so clients never see revisions go backwards.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { onExit } from 'signal-exit'
import { Etcd3 } from 'etcd3'
import { EtcdStore } from '../store/etcd.js'

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

export interface EtcdMember {
  readonly name: string
  readonly clientUrl: string
  readonly peerUrl: string
  dataDir: string
  readonly logFile: string
  /** The running process, if any. */
  process?: ResultPromise
  /** Set when that process has exited. */
  exited?: boolean
}

export interface MemberStatus {
  name: string
  running: boolean
  /** Answers with a leader (false for a stopped member or one without quorum). */
  healthy: boolean
  leader: boolean
  revision?: number
  raftTerm?: number
}

const ROOT_PREFIX = 'ock-etcd-'

/** Every cluster of this process, for cleanup on exit or signal. */
const live = new Set<EtcdCluster>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Runs on normal exit and on SIGINT/SIGTERM/SIGHUP (signal-exit re-raises the signal after).
  onExit(() => {
    for (const c of live) c.destroySync()
  })
}

/** Kills etcd processes and removes roots left by OCK runs whose process died (for example kill -9). */
export function reapStaleRoots(parent = tmpdir()): string[] {
  const reaped: string[] = []
  let entries: string[]
  try {
    entries = readdirSync(parent).filter((e) => e.startsWith(ROOT_PREFIX))
  } catch {
    return reaped
  }
  for (const entry of entries) {
    const root = join(parent, entry)
    let owner = Number.NaN
    try {
      owner = Number(readFileSync(join(root, 'owner.pid'), 'utf8').trim())
    } catch {
      continue // not one of ours, or still being created
    }
    if (!Number.isInteger(owner) || pidAlive(owner)) continue
    for (const pid of processesUnder(root)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true })
    reaped.push(root)
  }
  return reaped
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Pids of etcd processes whose command line names a data dir under `root`. */
function processesUnder(root: string): number[] {
  const pids: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      if (cmd[0]?.endsWith('etcd') && cmd.some((a) => a.startsWith(root))) pids.push(Number(d))
    } catch {
      // exited meanwhile
    }
  }
  return pids
}

/** `count` distinct free TCP ports on 127.0.0.1 (held together while picking, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => resolve(s))
    })),
  )
  const ports = servers.map((s) => (s.address() as AddressInfo).port)
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ports
}

/** Whether `etcd` (members) and `etcdctl` (snapshots, restore) are installed and run. */
export async function etcdAvailable(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const missing = (r: { code?: string; message?: string }): boolean => r.code === 'ENOENT' || /ENOENT/.test(String(r.message))
  const etcd = await execa('etcd', ['--version'], { reject: false, timeout: 10_000 })
  if (etcd.exitCode !== 0) {
    return { ok: false, reason: missing(etcd as { code?: string }) ? "etcd is not on PATH (install Debian's etcd-server package)" : `etcd --version failed: ${etcd.stderr || etcd.message}` }
  }
  const ctl = await execa('etcdctl', ['version'], { reject: false, timeout: 10_000, env: { ETCDCTL_API: '3' } })
  if (ctl.exitCode !== 0) {
    return { ok: false, reason: missing(ctl as { code?: string }) ? "etcdctl is not on PATH (install Debian's etcd-client package)" : `etcdctl version failed: ${ctl.stderr || ctl.message}` }
  }
  return { ok: true, version: /etcd Version: (\S+)/.exec(String(etcd.stdout))?.[1] ?? 'unknown' }
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
    installExitHook()
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
    live.add(cluster)
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
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', m.clientUrl,
      '--advertise-client-urls', m.clientUrl,
      '--listen-peer-urls', m.peerUrl,
      '--initial-advertise-peer-urls', m.peerUrl,
      '--initial-cluster', this.initialCluster(),
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', this.token,
      '--heartbeat-interval', String(this.heartbeatMs),
      '--election-timeout', String(this.electionMs),
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      '--log-level', 'warn',
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
        const why = leaders.length ? `${leaders.length} members each report themselves leader (${leaders.join(', ')}): they do not form one cluster` : 'no member reports itself leader'
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
        ['snapshot', 'restore', snapshotFile, '--name', m.name, '--data-dir', m.dataDir, '--initial-cluster', this.initialCluster(), '--initial-cluster-token', this.token, '--initial-advertise-peer-urls', m.peerUrl],
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
    live.delete(this)
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
    live.delete(this)
  }
}

/** Latency of `writes` sequential creates through the store, in ms (a benchmark helper). */
export interface WriteLatency {
  members: number
  writes: number
  p50: number
  p90: number
  p99: number
  mean: number
}

export async function measureWriteLatency(cluster: EtcdCluster, writes: number): Promise<WriteLatency> {
  const store = new EtcdStore({ endpoints: cluster.endpoints })
  try {
    // warm up the connection and the leader
    for (let i = 0; i < 10; i++) await store.create(`/bench/warmup/${i}`, 'x')
    const samples: number[] = []
    const value = 'v'.repeat(256)
    for (let i = 0; i < writes; i++) {
      const t0 = performance.now()
      await store.create(`/bench/w/${i}`, value)
      samples.push(performance.now() - t0)
    }
    samples.sort((a, b) => a - b)
    const q = (p: number): number => round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!)
    return { members: cluster.members.length, writes, p50: q(0.5), p90: q(0.9), p99: q(0.99), mean: round(samples.reduce((a, b) => a + b, 0) / samples.length) }
  } finally {
    await store.close()
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
