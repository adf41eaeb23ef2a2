// Per-cluster network leases on loopback. Every cluster of this machine (parallel cucumber
// workers, an `ock up` next to a test run, other engineers' runs) takes a numbered slot, and the
// slot decides its addresses inside 127.0.0.0/8, which Linux serves entirely on `lo`:
//   pods      127.(100+k).N.0/24 for node N          (node.spec.podCIDR)
//   services  127.(160+k).0.0/16                     (the API server's --service-cluster-ip-range)
//   edge      127.(220+k).0.0/16, ingress at .0.1    (the ingress controller's address)
//   nodes     127.(220+k).1.0/24                     (node InternalIPs)
// so two clusters never bind the same address. A slot is an exclusively created lock file under
// the temp dir naming its owner; it is released on stop, and a later acquirer reclaims it when
// the owner's process is gone (crash, Ctrl-C). Mirrors what a cloud's IPAM does for VPC ranges.

import { open, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { readFileSync, unlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { currentProcess, isAlive, type ProcessIdentity } from '../host/process.js'

export const POD_BASE = 100
export const SERVICE_BASE = 160
export const EDGE_BASE = 220
/** Concurrent clusters per machine (second octets 100-131, 160-191, 220-251). */
export const SLOTS = 32
/** Most nodes one cluster can have: node N owns the /24 with third octet N. */
export const MAX_NODES = 256

export interface NetworkLease {
  readonly slot: number
  /** Every pod address of the cluster, e.g. 127.100.0.0/16. */
  readonly podNetwork: string
  /** The ClusterIP range, e.g. 127.160.0.0/16. */
  readonly serviceCIDR: string
  /** Cluster-level addresses that are neither pods nor Services, e.g. 127.220.0.0/16. */
  readonly edgeNetwork: string
  /** Where the ingress listens, e.g. 127.220.0.1. */
  readonly ingressAddress: string
  /** Where node InternalIPs come from, e.g. 127.220.1.0/24. */
  readonly nodeIPRange: string
  /** Most nodes the lease has addresses for. */
  readonly maxNodes: number
  /** node.spec.podCIDR of the node with this index (0-based), e.g. 127.100.3.0/24. */
  podCIDR(nodeIndex: number): string
  /** Gives the slot back; idempotent. */
  release(): Promise<void>
}

interface LockContent extends ProcessIdentity {
  token: string
  description: string
  acquiredAt: string
}

export interface LeaseOptions {
  /** Shown in the lock file, for whoever wonders who holds a slot. */
  description?: string
  /** Where lock files live (default: the OS temp dir). */
  dir?: string
  /** Slots to try, in order (default 0..SLOTS-1). */
  slots?: number[]
}

export class NoFreeSlotError extends Error {
  constructor(dir: string) {
    super(
      `all ${SLOTS} loopback network slots are held by running clusters (lock files ${join(dir, 'ock-netlease-slot-*.lock')}); stop a cluster and try again`,
    )
    this.name = 'NoFreeSlotError'
  }
}

const held = new Map<string, string>() // lock file -> token, released synchronously on exit
let exitHook = false

function lockPath(dir: string, slot: number): string {
  return join(dir, `ock-netlease-slot-${slot}.lock`)
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockContent
  } catch {
    return undefined // absent, or half-written by a creator that is writing it right now
  }
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  try {
    const fh = await open(file, 'wx', 0o644)
    try {
      await fh.writeFile(content)
    } finally {
      await fh.close()
    }
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
}

/**
 * Removes the lock of a dead owner. Reclaimers serialise on a second exclusive file so that
 * two of them cannot both delete-and-recreate (one would delete the other's fresh lock).
 */
async function reclaim(file: string, stale: LockContent | undefined): Promise<void> {
  const guard = `${file}.reclaim`
  if (!(await createExclusive(guard, String(process.pid)))) {
    // a reclaimer that died mid-way leaves its guard behind; it is only ever held for a moment
    const st = await stat(guard).catch(() => undefined)
    if (st && Date.now() - st.mtimeMs > 10_000) await unlink(guard).catch(() => undefined)
    return
  }
  try {
    const now = await readLock(file)
    // `stale` undefined: the file was unreadable for long (its creator died while writing it)
    if (stale ? now?.token === stale.token : now === undefined) {
      const aside = `${file}.${randomUUID()}.stale`
      if (
        await rename(file, aside).then(
          () => true,
          () => false,
        )
      )
        await rm(aside, { force: true })
    }
  } finally {
    await unlink(guard).catch(() => undefined)
  }
}

function octets(slot: number): { pod: number; service: number; edge: number } {
  return { pod: POD_BASE + slot, service: SERVICE_BASE + slot, edge: EDGE_BASE + slot }
}

/** The addresses of a slot, without holding it (for tests and diagnostics). */
export function slotNetworks(slot: number): Omit<NetworkLease, 'release'> {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) throw new RangeError(`slot must be 0..${SLOTS - 1}, not ${slot}`)
  const o = octets(slot)
  return {
    slot,
    podNetwork: `127.${o.pod}.0.0/16`,
    serviceCIDR: `127.${o.service}.0.0/16`,
    edgeNetwork: `127.${o.edge}.0.0/16`,
    ingressAddress: `127.${o.edge}.0.1`,
    nodeIPRange: `127.${o.edge}.1.0/24`,
    maxNodes: 254,
    podCIDR(nodeIndex: number): string {
      if (!Number.isInteger(nodeIndex) || nodeIndex < 0 || nodeIndex >= MAX_NODES) {
        throw new RangeError(`node index must be 0..${MAX_NODES - 1}, not ${nodeIndex}`)
      }
      return `127.${o.pod}.${nodeIndex}.0/24`
    },
  }
}

/** Takes the first free slot; reclaims slots whose owner process is gone. */
export async function acquireNetworkLease(opts: LeaseOptions = {}): Promise<NetworkLease> {
  const dir = opts.dir ?? tmpdir()
  const slots = opts.slots ?? Array.from({ length: SLOTS }, (_, i) => i)
  const me = currentProcess()
  const token = randomUUID()
  const content: LockContent = {
    ...me,
    token,
    description: opts.description ?? `ock cluster (pid ${me.pid})`,
    acquiredAt: new Date().toISOString(),
  }
  const text = JSON.stringify(content, null, 2) + '\n'
  for (const slot of slots) {
    const file = lockPath(dir, slot)
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusive(file, text)) return holdLease(slot, file, token)
      const existing = await readLock(file)
      if (!existing) {
        // being written by a live creator right now, or left empty by one that died doing so
        const st = await stat(file).catch(() => undefined)
        if (st && Date.now() - st.mtimeMs > 10_000) await reclaim(file, undefined)
        else break
        continue
      }
      if (isAlive(existing)) break
      await reclaim(file, existing)
    }
  }
  throw new NoFreeSlotError(dir)
}

function holdLease(slot: number, file: string, token: string): NetworkLease {
  held.set(file, token)
  if (!exitHook) {
    exitHook = true
    process.once('exit', releaseAllSync)
  }
  let released = false
  return {
    ...slotNetworks(slot),
    async release() {
      if (released) return
      released = true
      held.delete(file)
      const now = await readLock(file)
      if (now?.token === token) await unlink(file).catch(() => undefined)
    },
  }
}

/** On process exit, leases that were never released are removed (best effort, synchronous). */
function releaseAllSync(): void {
  for (const [file, token] of held) {
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as LockContent
      if (now.token === token) unlinkSync(file)
    } catch {
      // gone already
    }
  }
  held.clear()
}

/** Whether this machine lets a process listen on `address` (any free port). */
export function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen(0, address, () => srv.close(() => resolve(true)))
  })
}
