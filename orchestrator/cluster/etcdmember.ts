// One etcd member process on this machine and the machine's side of running them: what a member
// is (its name, URLs, data dir, log and process), whether `etcd` and `etcdctl` are installed,
// free loopback ports for its URLs, and cleanup: every member of a process is killed and its
// temp root removed when the process exits (or on a signal), and roots left by a run that was
// killed -9 are reaped by the next one. Mirrors what an operator's service manager does for
// etcd (a unit per member, its data dir, its log); simplified: processes and dirs are found by
// their temp root's name and the owner.pid file in it, not by a service manager.

import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { onExit } from 'signal-exit'

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

export const ROOT_PREFIX = 'ock-etcd-'
/** Every cluster of this process, for cleanup on exit or signal. */
const live = new Set<{ destroySync(): void }>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Runs on normal exit and on SIGINT/SIGTERM/SIGHUP (signal-exit re-raises the signal after).
  onExit(() => {
    for (const c of live) c.destroySync()
  })
}

/** Kills `c`'s members and removes its root when this process exits or is signalled, until forgotten. */
export function destroyOnExit(c: { destroySync(): void }): void {
  installExitHook()
  live.add(c)
}

/** `c` was destroyed: nothing left to do on exit. */
export function forgetOnExit(c: { destroySync(): void }): void {
  live.delete(c)
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
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer()
          s.once('error', reject)
          s.listen(0, '127.0.0.1', () => resolve(s))
        }),
    ),
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
    return {
      ok: false,
      reason: missing(etcd as { code?: string })
        ? "etcd is not on PATH (install Debian's etcd-server package)"
        : `etcd --version failed: ${etcd.stderr || etcd.message}`,
    }
  }
  const ctl = await execa('etcdctl', ['version'], { reject: false, timeout: 10_000, env: { ETCDCTL_API: '3' } })
  if (ctl.exitCode !== 0) {
    return {
      ok: false,
      reason: missing(ctl as { code?: string })
        ? "etcdctl is not on PATH (install Debian's etcd-client package)"
        : `etcdctl version failed: ${ctl.stderr || ctl.message}`,
    }
  }
  return { ok: true, version: /etcd Version: (\S+)/.exec(String(etcd.stdout))?.[1] ?? 'unknown' }
}
