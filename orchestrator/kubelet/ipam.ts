// Pod IPs from the node's pod CIDR, as the host-local IPAM plugin hands them out behind the
// bridge CNI plugin: the network and the first address (the bridge's gateway) are never given,
// allocation goes round-robin from the last address handed out (so a freed IP is not reused at
// once), and an allocation is keyed by pod UID so asking twice gives the same address.
// Simplifies: state lives in memory; a restarted kubelet re-reserves the IPs of its pods from
// their reported status.podIP.

import { addressAt, cidrSize, formatCidr, parseCidr, parseIPv4, type Cidr } from '../api/cidr.js'

export class PodIPAM {
  private readonly cidr: Cidr
  private readonly byPod = new Map<string, number>()
  private readonly used = new Set<number>()
  /** Index (offset - 2) of the last address handed out. */
  private lastIdx = -1

  constructor(podCIDR: string) {
    this.cidr = parseCidr(podCIDR)
    if (cidrSize(this.cidr) < 4) throw new Error(`pod CIDR ${podCIDR} is too small`)
  }

  get podCIDR(): string {
    return formatCidr(this.cidr)
  }

  /** The pod's IP, allocating one if it has none; undefined when the range is exhausted. */
  allocate(podUid: string): string | undefined {
    const have = this.byPod.get(podUid)
    if (have !== undefined) return addressAt(this.cidr, have)
    const n = cidrSize(this.cidr) - 3 // offsets 2 .. size-2: no network, gateway or broadcast address
    for (let i = 1; i <= n; i++) {
      const idx = (this.lastIdx + i) % n
      const offset = idx + 2
      if (this.used.has(offset)) continue
      this.used.add(offset)
      this.byPod.set(podUid, offset)
      this.lastIdx = idx
      return addressAt(this.cidr, offset)
    }
    return undefined
  }

  /** Marks an address a pod already has (after a kubelet restart); false if it is not ours. */
  reserve(podUid: string, ip: string): boolean {
    let n: number
    try {
      n = parseIPv4(ip)
    } catch {
      return false
    }
    const offset = n - this.cidr.base
    if (offset < 2 || offset >= cidrSize(this.cidr) - 1) return false
    const owner = [...this.byPod].find(([, o]) => o === offset)?.[0]
    if (owner && owner !== podUid) return false
    this.used.add(offset)
    this.byPod.set(podUid, offset)
    return true
  }

  release(podUid: string): void {
    const offset = this.byPod.get(podUid)
    if (offset === undefined) return
    this.byPod.delete(podUid)
    this.used.delete(offset)
  }

  ipOf(podUid: string): string | undefined {
    const o = this.byPod.get(podUid)
    return o === undefined ? undefined : addressAt(this.cidr, o)
  }
}
