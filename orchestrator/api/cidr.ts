// IPv4 CIDR arithmetic for pod networking on loopback: a cluster CIDR is cut into per-node
// pod CIDRs (as kube-controller-manager's range allocator does with --cluster-cidr and
// --node-cidr-mask-size), and a node's pod CIDR into pod IPs (as the host-local IPAM plugin).
// Simplifies: IPv4 only, no dual stack.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number
  prefix: number
}

export function parseIPv4(ip: string): number {
  const parts = ip.split('.')
  if (parts.length !== 4) throw new Error(`"${ip}" is not an IPv4 address`)
  let n = 0
  for (const p of parts) {
    const v = Number(p)
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`"${ip}" is not an IPv4 address`)
    n = n * 256 + v
  }
  return n
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export function parseCidr(cidr: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim())
  if (!m) throw new Error(`"${cidr}" is not an IPv4 CIDR (a.b.c.d/n)`)
  const prefix = Number(m[2])
  if (prefix > 32) throw new Error(`"${cidr}" has a prefix longer than 32`)
  const addr = parseIPv4(m[1]!)
  const size = 2 ** (32 - prefix)
  return { base: addr - (addr % size), prefix }
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`
}

/** Number of addresses in the range. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix)
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = parseIPv4(ip)
  return n >= c.base && n < c.base + cidrSize(c)
}

/** How many subnets of `prefix` fit in `c`. */
export function subnetCount(c: Cidr, prefix: number): number {
  if (prefix < c.prefix) throw new Error(`a /${prefix} does not fit in ${formatCidr(c)}`)
  return 2 ** (prefix - c.prefix)
}

/** The `index`-th subnet of `prefix` inside `c` (0-based). */
export function subnet(c: Cidr, prefix: number, index: number): Cidr {
  if (index < 0 || index >= subnetCount(c, prefix)) throw new Error(`subnet ${index} of /${prefix} is outside ${formatCidr(c)}`)
  return { base: c.base + index * 2 ** (32 - prefix), prefix }
}

/** Index of the subnet of `prefix` inside `c` that `sub` is, or -1. */
export function subnetIndex(c: Cidr, sub: Cidr): number {
  if (sub.prefix < c.prefix || sub.base < c.base || sub.base >= c.base + cidrSize(c)) return -1
  return Math.floor((sub.base - c.base) / 2 ** (32 - sub.prefix))
}

/** The `offset`-th address of the range (0 is the network address). */
export function addressAt(c: Cidr, offset: number): string {
  if (offset < 0 || offset >= cidrSize(c)) throw new Error(`address ${offset} is outside ${formatCidr(c)}`)
  return formatIPv4(c.base + offset)
}
