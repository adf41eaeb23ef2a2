// IntOrString values scaled against a total, as a Deployment's maxSurge / maxUnavailable and a
// PodDisruptionBudget's minAvailable / maxUnavailable use them: "25%" of 10 rounded up is 3,
// rounded down 2; a plain number is itself. Mirrors apimachinery's
// intstr.GetScaledValueFromIntOrPercent (its error text included). Simplifies: nothing.

/** An IntOrString against a total; `dflt` when the value is absent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt
  if (typeof x === 'number') return x
  const m = /^(\d+)%$/.exec(x.trim())
  if (!m) {
    const n = Number(x)
    if (Number.isInteger(n)) return n
    throw new Error(`invalid value for IntOrString: invalid value "${x}"`)
  }
  const f = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(f) : Math.floor(f)
}
