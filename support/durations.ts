// Durations as features write them: "2s", "500ms", "1.5s", "1m", "1h" in the English features,
// and "20 ثانية", "5 ثواني", "500 مللي ثانية", "دقيقة" forms in the Arabic ones (Western or
// Arabic-Indic digits, "." or "٫" as the decimal point). The {duration} parameter type is built
// from DURATION_PATTERN and parseDuration; both languages give milliseconds.

const DIGITS = '[0-9٠-٩]+(?:[.٫][0-9٠-٩]+)?'

/** Units, longest first where one is a prefix of another. */
const UNITS: [pattern: string, ms: number][] = [
  ['ms', 1],
  ['min', 60_000],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['مللي ثانية', 1],
  ['ملي ثانية', 1],
  ['ثانية', 1000],
  ['ثواني', 1000],
  ['ثوان', 1000],
  ['دقيقة', 60_000],
  ['دقايق', 60_000],
  ['دقائق', 60_000],
  ['ساعة', 3_600_000],
  ['ساعات', 3_600_000],
]

/** What {duration} matches, in either language. */
export const DURATION_PATTERN = new RegExp(`${DIGITS}\\s*(?:${UNITS.map(([u]) => u).join('|')})`)

function westernDigits(s: string): string {
  return s.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace('٫', '.')
}

/** Milliseconds of "2s", "1.5m", "20 ثانية", "٣٠ ثانية". */
export function parseDuration(s: string): number {
  const m = new RegExp(`^(${DIGITS})\\s*(${UNITS.map(([u]) => u).join('|')})$`).exec(s.trim())
  if (!m) throw new Error(`"${s}" is not a duration (use 500ms, 2s, 1.5s, 1m; or 20 ثانية, 5 ثواني, 500 مللي ثانية, 1 دقيقة)`)
  const unit = UNITS.find(([u]) => u === m[2])!
  return Number(westernDigits(m[1]!)) * unit[1]
}
