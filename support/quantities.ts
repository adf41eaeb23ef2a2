// Kubernetes quantities ("2", "2000m", "1.5Gi") read exactly, for comparing a node's resources
// with the ones a scenario asks for and sizing what fills the difference (./nodeshape.ts, ./reshape.ts),
// and the node shape a scenario asks for.

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }

/**
 * A Kubernetes quantity ("2", "2000m", "1.5Gi", "1536Mi", "1e3") in nano units, exactly (a
 * fraction of a nano unit rounds up, as the API server rounds it), so equal amounts compare
 * equal however they are written.
 */
export function quantityNanos(q: string): bigint {
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/.exec(q.trim())
  if (!m) throw new Error(`"${q}" is not a Kubernetes quantity`)
  const [whole, fraction = ''] = m[2]!.split('.')
  let value = BigInt(`${whole || '0'}${fraction}`) // in units of 10^-fraction.length
  let exponent = 9 - fraction.length + (m[4] !== undefined ? Number(m[4]) : (DECIMAL[m[3] ?? ''] ?? 0))
  if (m[3] && BINARY[m[3]] !== undefined) value *= 1n << BigInt(BINARY[m[3]]!)
  if (exponent >= 0) value *= 10n ** BigInt(exponent)
  else {
    const d = 10n ** BigInt(-exponent)
    value = (value + d - 1n) / d
    exponent = 0
  }
  return m[1] === '-' ? -value : value
}

/** Whether two quantities are the same amount ("2" and "2000m", "1Gi" and "1024Mi"). */
export function sameQuantity(a: string, b: string): boolean {
  return quantityNanos(a) === quantityNanos(b)
}

/** What "a cluster of N nodes [with C CPUs [and M of memory] each]" asks for. */
export interface NodeShape {
  nodes: number
  cpu?: string
  memory?: string
}
