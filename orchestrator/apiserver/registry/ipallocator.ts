// ClusterIP allocation for Services, as kube-apiserver does it with --service-cluster-ip-range:
// a Service that needs a virtual IP (any type but ExternalName, unless headless) gets a free
// address of the range on create (or the one it asked for, if in range and free), keeps it on
// every update (a client that omits it gets it back; a change is 422 "may not change once set"),
// and gives it back when it is deleted. Each allocated address is a key in the store
// (/registry/ipaddresses/<ip>, upstream's IPAddress objects of the ServiceCIDR allocator), made
// with an exclusive create, so API servers sharing a store never hand out one address twice.
// Simplifies: IPv4 single-stack only; no NodePorts; leaks (an API server dying between allocating
// and storing the Service) are repaired when an API server starts, not by a periodic controller.

import { ApiError, internalError, invalid, type FieldError } from '../../api/errors.js'
import type { KObject, StoredObject } from '../../api/meta.js'
import type { ResourceInfo } from '../../api/resources.js'
import { StoreError, type Store } from '../../store/store.js'
import type { RequestContext, StorageHooks } from './store.js'

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
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid service CIDR "${cidr}": want an IPv4 a.b.c.d/n with 8 <= n <= 30`)
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

interface Owner {
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
      metadata: { name: ip, labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io', 'ipaddress.kubernetes.io/ip-family': 'IPv4' }, creationTimestamp: new Date().toISOString() },
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
      const ip = clusterIPOf(s)
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

// -------------------------------------------------------------------------------------------
// the Service strategy: which Services need an address, validation, and the registry hooks

interface ServiceSpec {
  type?: string
  clusterIP?: string
  clusterIPs?: string[]
  ipFamilies?: string[]
  ipFamilyPolicy?: string
}

function specOf(o: KObject): ServiceSpec {
  return ((o.spec ??= {}) as ServiceSpec)
}

function clusterIPOf(o: KObject): string | undefined {
  const s = (o.spec ?? {}) as ServiceSpec
  return s.clusterIPs?.[0] || s.clusterIP || undefined
}

/** ExternalName Services have no virtual IP; headless ones ask for none. */
export function needsClusterIP(o: KObject): boolean {
  const s = (o.spec ?? {}) as ServiceSpec
  return s.type !== 'ExternalName' && clusterIPOf(o) !== 'None'
}

/** Upstream ValidateService / ValidateServiceUpdate, for the clusterIP fields. */
export function validateServiceIPs(obj: KObject, old: KObject | undefined): FieldError[] {
  const s = (obj.spec ?? {}) as ServiceSpec
  const errors: FieldError[] = []
  const ips = s.clusterIPs ?? []
  if (s.type === 'ExternalName') {
    if (s.clusterIP || ips.length) errors.push({ type: 'FieldValueForbidden', field: 'spec.clusterIPs', detail: 'may not be set for ExternalName services' })
    return errors
  }
  if (s.clusterIP && ips.length && ips[0] !== s.clusterIP) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: ips, detail: 'must match `clusterIP` when both are specified' })
  }
  ;(s.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4') errors.push({ type: 'FieldValueInvalid', field: `spec.ipFamilies[${i}]`, value: f, detail: 'not configured on this cluster' })
  })
  if (ips.length > 1) errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: ips, detail: 'this cluster is not configured for dual-stack services' })
  const first = ips[0] ?? s.clusterIP
  if (first && first !== 'None' && parseIPv4(first) === undefined) {
    const v6 = first.includes(':')
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: first, detail: v6 ? 'IPv6 is not configured on this cluster' : 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' })
  }
  if (old) {
    const o = (old.spec ?? {}) as ServiceSpec
    const before = o.clusterIPs?.[0] ?? o.clusterIP
    if (o.type !== 'ExternalName' && before && first !== before) {
      errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: ips.length ? ips : first ? [first] : [], detail: 'may not change once set' })
    }
  }
  return errors
}

function setAddress(o: KObject, ip: string): void {
  const s = specOf(o)
  s.clusterIP = ip
  s.clusterIPs = [ip]
  s.ipFamilies ??= ['IPv4']
  s.ipFamilyPolicy ??= 'SingleStack'
}

function owner(o: KObject): Owner {
  return { namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' }
}

/** A requested address that cannot be had is 422 on spec.clusterIPs; a full range is a 500, as upstream. */
function allocationFailure(o: KObject, ip: string | undefined, e: unknown): ApiError {
  if (e instanceof AllocationError && e.kind !== 'full' && ip) {
    const ips = specOf(o).clusterIPs?.length ? specOf(o).clusterIPs! : [ip]
    return invalid({ group: '', kind: 'Service' }, o.metadata?.name ?? '', [
      { type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: ips, detail: `failed to allocate IP ${ip}: ${e.message}` },
    ])
  }
  if (e instanceof AllocationError) return internalError(new Error(`failed to allocate a serviceIP: ${e.message}`))
  return e instanceof ApiError ? e : internalError(e)
}

async function take(alloc: ServiceIPAllocator, ctx: RequestContext, o: KObject): Promise<(() => Promise<void>) | undefined> {
  const requested = clusterIPOf(o)
  try {
    if (requested) {
      await alloc.allocate(requested, owner(o), ctx.dryRun)
      setAddress(o, requested)
    } else {
      setAddress(o, await alloc.allocateNext(owner(o), ctx.dryRun))
    }
  } catch (e) {
    throw allocationFailure(o, requested, e)
  }
  const ip = clusterIPOf(o)!
  return ctx.dryRun ? undefined : () => alloc.release(ip)
}

/** The registry hooks that give Services their ClusterIPs. */
export function serviceIPHooks(alloc: ServiceIPAllocator): StorageHooks {
  return {
    async beginCreate(ctx: RequestContext, o: KObject) {
      const s = specOf(o)
      if (s.type === 'ExternalName') return undefined
      if (clusterIPOf(o) === 'None') {
        s.clusterIP = 'None'
        s.clusterIPs = ['None']
        s.ipFamilies ??= ['IPv4']
        s.ipFamilyPolicy ??= 'SingleStack'
        return undefined
      }
      return take(alloc, ctx, o)
    },
    // upstream patchAllocatedValues: an update that omits the address keeps it
    prepareForUpdate(next: KObject, current: StoredObject) {
      if (!needsClusterIPOrHeadless(current) || specOf(next).type === 'ExternalName') return
      const n = specOf(next)
      const c = (current.spec ?? {}) as ServiceSpec
      if (!n.clusterIP && c.clusterIP) n.clusterIP = c.clusterIP
      if (!n.clusterIPs?.length && c.clusterIPs?.length) n.clusterIPs = [...c.clusterIPs]
      if (!n.ipFamilies?.length && c.ipFamilies?.length) n.ipFamilies = [...c.ipFamilies]
      if (!n.ipFamilyPolicy && c.ipFamilyPolicy) n.ipFamilyPolicy = c.ipFamilyPolicy
    },
    validate(obj: KObject, old: KObject | undefined) {
      return validateServiceIPs(obj, old)
    },
    async beginUpdate(ctx: RequestContext, next: KObject, current: StoredObject) {
      // ExternalName -> a type with a virtual IP: allocate now
      if (needsClusterIPOrHeadless(current) || !needsClusterIP(next)) return undefined
      return take(alloc, ctx, next)
    },
    async afterUpdate(next: KObject, current: StoredObject) {
      const ip = clusterIPOf(current)
      if (ip && ip !== 'None' && !needsClusterIPOrHeadless(next)) await alloc.release(ip)
    },
    async afterDelete(o: KObject) {
      const ip = clusterIPOf(o)
      if (ip && ip !== 'None') await alloc.release(ip)
    },
  }
}

function needsClusterIPOrHeadless(o: KObject): boolean {
  return ((o.spec ?? {}) as ServiceSpec).type !== 'ExternalName'
}

/** Which kinds the hooks apply to. */
export function isService(info: ResourceInfo): boolean {
  return info.group === '' && info.kind === 'Service'
}
