// Statistics the benchmarks share.

/** The nearest-rank percentile `p` (0-100) of `samples`, in any order; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN
  const s = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * s.length) - 1
  return s[Math.min(s.length - 1, Math.max(0, rank))]!
}
