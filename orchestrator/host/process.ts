// Facts about processes on this host, for ownership that must survive a crash: a lock file or a
// container records who made it (pid, the kernel's start time of that pid, hostname), and a
// later run reclaims it only when that process is gone. The start time guards against pid
// reuse, as systemd and container runtimes do with /proc/<pid>/stat field 22.
// Simplifies: Linux /proc only; elsewhere a pid that answers kill(pid, 0) counts as alive.

import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

/** Who owns a resource: enough to tell later whether that owner still runs on this host. */
export interface ProcessIdentity {
  pid: number
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22), if known. */
  startTicks?: number
  hostname: string
}

/** The kernel's start time of `pid`, or undefined when it does not exist or /proc is missing. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) is in parentheses and may contain spaces: split after the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(rest[19]) // field 22 is the 20th after the state field (3)
    return Number.isFinite(ticks) ? ticks : undefined
  } catch {
    return undefined
  }
}

let self: ProcessIdentity | undefined

/** This process's identity. */
export function currentProcess(): ProcessIdentity {
  self ??= { pid: process.pid, startTicks: processStartTicks(process.pid), hostname: hostname() }
  return self
}

/**
 * Whether the process that recorded `owner` still runs. An owner on another host counts as
 * alive (this host cannot tell), so nothing of another machine is ever reclaimed.
 */
export function isAlive(owner: ProcessIdentity): boolean {
  if (owner.hostname !== hostname()) return true
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false
  try {
    process.kill(owner.pid, 0)
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (owner.startTicks === undefined) return true
  const now = processStartTicks(owner.pid)
  return now === undefined || now === owner.startTicks
}
