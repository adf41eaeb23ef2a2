// Arabic text with English technical terms, made safe for a right-to-left page: every run of
// Latin text (a term, a name, a command, a number with its unit) is wrapped in
// <bdi dir="ltr">, so the bidi algorithm keeps its words in order and cannot pull neighbouring
// punctuation into it ("الـ Scheduler بيختار node" reads right to left with "Scheduler" and
// "node" whole). Text without Arabic letters needs none of this and is only escaped.

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/

export function hasArabic(text: string): boolean {
  return ARABIC.test(text)
}

export function escapeHtml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/**
 * A Latin run starts at a Latin letter or a digit and goes on over Latin letters, digits, spaces
 * and the punctuation terms and commands use, ending at a letter, a digit or a closing bracket
 * or quote; an Arabic letter ends it.
 */
const LATIN_RUN = /[A-Za-z0-9][A-Za-z0-9 \t.,:;/_\-+=@%#&*'"()[\]{}<>|~!?$^`\\]*/g

const OPEN: Record<string, string> = { ')': '(', ']': '[', '}': '{' }

/** Trims a run to end on a letter, digit or closing mark, and drops closers it did not open. */
export function trimRun(run: string): string {
  let r = run.replace(/[^A-Za-z0-9)\]}"'`%]+$/, '')
  for (;;) {
    const last = r.at(-1)
    const open = last ? OPEN[last] : undefined
    const quote = last === '"' || last === "'" || last === '`'
    const unbalanced = open ? count(r, open) < count(r, last!) : quote ? count(r, last!) % 2 === 1 : false
    if (!unbalanced) return r
    r = r.slice(0, -1).replace(/[^A-Za-z0-9)\]}"'`%]+$/, '')
  }
}

function count(s: string, c: string): number {
  return s.split(c).length - 1
}

/** Escapes text for HTML; in Arabic text, also isolates each Latin run left to right. */
export function isolateLatin(text: string): string {
  if (!hasArabic(text)) return escapeHtml(text)
  let out = ''
  let at = 0
  for (const m of text.matchAll(LATIN_RUN)) {
    const run = trimRun(m[0])
    if (!run) continue
    out += escapeHtml(text.slice(at, m.index)) + `<bdi dir="ltr">${escapeHtml(run)}</bdi>`
    at = m.index + run.length
  }
  return out + escapeHtml(text.slice(at))
}
