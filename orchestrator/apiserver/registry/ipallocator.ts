// ClusterIP allocation for Services, as kube-apiserver does it with --service-cluster-ip-range:
// a Service that needs a virtual IP (any type but ExternalName, unless headless) gets a free
// address of the range on create (or the one it asked for, if in range and free), keeps it on
// every update (a client that omits it gets it back; a change is 422 "may not change once set"),
// and gives it back when it is deleted. Each allocated address is a key in the store
// (/registry/ipaddresses/<ip>, upstream's IPAddress objects of the ServiceCIDR allocator), made
// with an exclusive create, so API servers sharing a store never hand out one address twice.
// The Service strategy's hooks that use it are in strategies/service.ts.
// Simplifies: IPv4 single-stack only; no NodePorts; leaks (an API server dying between allocating
// and storing the Service) are repaired when an API server starts, not by a periodic controller.

import type { KObject } from '../../api/meta.js'
import { StoreError, type Store } from '../../store/store.js'

export const IP_PREFIX = '/registry/ipaddresses/'

// -------------------------------------------------------------------------------------------
// IPv4 range arithmetic

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (!m) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export interface IPv4Range {
  cidr: string
  /** First and last assignable address (the network and broadcast addresses are excluded). */
  first: number
  last: number
  size: number
}

export function parseCIDR(cidr: string): IPv4Range {
  const [addr, bitsText] = cidr.split('/')
  const base = parseIPv4(addr ?? '')
  const bits = Number(bitsText)
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30)
    throw new Error(`invalid service CIDR "${cidr}": want an IPv4 a.b.c.d/n with 8 <= n <= 30`)
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  const network = (base & mask) >>> 0
  const broadcast = (network | (~mask >>> 0)) >>> 0
  return { cidr: `${formatIPv4(network)}/${bits}`, first: network + 1, last: broadcast - 1, size: broadcast - network - 1 }
}

export function inRange(range: IPv4Range, ip: string): boolean {
  const n = parseIPv4(ip)
  return n !== undefined && n >= range.first && n <= range.last
}

// -------------------------------------------------------------------------------------------
// the allocator

export class AllocationError extends Error {
  constructor(
    readonly kind: 'allocated' | 'notInRange' | 'full',
    message: string,
  ) {
    super(message)
    this.name = 'AllocationError'
  }
}

/** The Service an address belongs to. */
export interface Owner {
  namespace: string
  name: string
}

/** Allocates addresses of one range; the store is the source of truth. */
export class ServiceIPAllocator {
  readonly range: IPv4Range

  constructor(
    private readonly store: Store,
    cidr: string,
  ) {
    this.range = parseCIDR(cidr)
  }

  get cidr(): string {
    return this.range.cidr
  }

  private key(ip: string): string {
    return IP_PREFIX + ip
  }

  private record(ip: string, owner: Owner): string {
    return JSON.stringify({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: {
        name: ip,
        labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io', 'ipaddress.kubernetes.io/ip-family': 'IPv4' },
        creationTimestamp: new Date().toISOString(),
      },
      spec: { parentRef: { group: '', resource: 'services', namespace: owner.namespace, name: owner.name } },
    })
  }

  /** Takes a specific address; AllocationError (allocated / notInRange) otherwise. */
  async allocate(ip: string, owner: Owner, dryRun = false): Promise<void> {
    if (!inRange(this.range, ip)) throw new AllocationError('notInRange', `provided IP ${ip} is not in the valid range`)
    if (dryRun) {
      if (await this.store.get(this.key(ip))) throw new AllocationError('allocated', 'provided IP is already allocated')
      return
    }
    try {
      await this.store.create(this.key(ip), this.record(ip, owner))
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KeyExists') throw new AllocationError('allocated', 'provided IP is already allocated')
      throw e
    }
  }

  /** Takes a free address, chosen at random as upstream does (fewer collisions between API servers). */
  async allocateNext(owner: Owner, dryRun = false): Promise<string> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const taken = await this.allocated()
      if (taken.size >= this.range.size) break
      const start = Math.floor(Math.random() * this.range.size)
      let ip: string | undefined
      for (let i = 0; i < this.range.size; i++) {
        const candidate = formatIPv4(this.range.first + ((start + i) % this.range.size))
        if (!taken.has(candidate)) {
          ip = candidate
          break
        }
      }
      if (!ip) break
      if (dryRun) return ip
      try {
        await this.store.create(this.key(ip), this.record(ip, owner))
        return ip
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'KeyExists')) throw e // someone else took it meanwhile: look again
      }
    }
    throw new AllocationError('full', 'range is full')
  }

  async release(ip: string): Promise<void> {
    try {
      await this.store.delete(this.key(ip))
    } catch (e) {
      if (!(e instanceof StoreError && e.code === 'NotFound')) throw e
    }
  }

  /** Addresses currently allocated in this range. */
  async allocated(): Promise<Set<string>> {
    const out = new Set<string>()
    let startAfter: string | undefined
    for (;;) {
      const r = await this.store.range(IP_PREFIX, { startAfter, limit: 5000 })
      for (const kv of r.kvs) {
        const ip = kv.key.slice(IP_PREFIX.length)
        if (inRange(this.range, ip)) out.add(ip)
        startAfter = kv.key
      }
      if (!r.more) return out
    }
  }

  /**
   * Brings allocations in line with stored Services (upstream's repair loop, run once): every
   * Service's address is marked allocated, and allocations no Service holds are released once
   * they are older than `graceMs` (younger ones may belong to a create in flight elsewhere).
   */
  async repair(services: KObject[], graceMs = 60_000): Promise<{ claimed: string[]; released: string[] }> {
    const held = new Map<string, Owner>()
    for (const s of services) {
      const spec = (s.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] }
      const ip = spec.clusterIPs?.[0] || spec.clusterIP || undefined
      if (ip && ip !== 'None' && inRange(this.range, ip)) held.set(ip, { namespace: s.metadata?.namespace ?? '', name: s.metadata?.name ?? '' })
    }
    const claimed: string[] = []
    const released: string[] = []
    for (const [ip, owner] of held) {
      try {
        await this.store.create(this.key(ip), this.record(ip, owner))
        claimed.push(ip)
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'KeyExists')) throw e
      }
    }
    const r = await this.store.range(IP_PREFIX)
    for (const kv of r.kvs) {
      const ip = kv.key.slice(IP_PREFIX.length)
      if (!inRange(this.range, ip) || held.has(ip)) continue
      let created = 0
      try {
        created = Date.parse((JSON.parse(kv.value) as { metadata?: { creationTimestamp?: string } }).metadata?.creationTimestamp ?? '') || 0
      } catch {
        // unreadable: treat as old
      }
      if (Date.now() - created < graceMs) continue
      await this.release(ip)
      released.push(ip)
    }
    return { claimed, released }
  }
}
