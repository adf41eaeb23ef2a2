// The conformance matrix: every behavior of the catalogue (rows, grouped by the notes'
// sections) against every profile that ran (columns), each cell passed / failed / skipped with
// the reason / not in this profile / no scenario, linked to the scenarios in that profile's
// Cucumber HTML report. Behaviors without a scenario are listed, never hidden. When the
// mutation suite has run (reports/mutation.json), a last column says how many mutants prove
// each behavior ("proven by N mutants", "K of N killed") and lists their claims. The note is
// given in English and, right to left, in the notes' own Arabic. Rendered as
// Markdown (reports/conformance.md) and as a self-contained HTML page (reports/conformance.html).

import type { Behavior } from './catalogue.js'
import { behaviorIds } from './catalogue.js'
import type { RunResult, ScenarioResult } from './results.js'
import { proofCell, type BehaviorProof, type MutationReport, type ProofStatus } from './mutation.js'

export type CellStatus = 'passed' | 'failed' | 'skipped' | 'partly' | 'not-run' | 'no-scenario'

export interface Cell {
  status: CellStatus
  scenarios: ScenarioResult[]
  passed: number
  /** Reasons (skip reasons, first lines of failures) of this cell's scenarios. */
  reasons: string[]
}

export interface Row {
  behavior: Behavior
  cells: Cell[]
  /** its mutants (when the mutation suite has run) */
  proof?: BehaviorProof
}

export interface Matrix {
  runs: RunResult[]
  sections: { name: string; rows: Row[] }[]
  /** Per run: how many behaviors ended in each status. */
  totals: Record<CellStatus, number>[]
  /** The mutation suite's last run, when there is one (then every row has its proof). */
  mutation?: { generatedAt: string; proven: number; partly: number; none: number }
}

const FAILING = new Set(['failed', 'undefined', 'ambiguous', 'pending', 'unknown'])

export function cellFor(scenarios: ScenarioResult[], hasScenario: boolean): Cell {
  if (!scenarios.length) return { status: hasScenario ? 'not-run' : 'no-scenario', scenarios, passed: 0, reasons: [] }
  const passed = scenarios.filter((s) => s.status === 'passed').length
  const failing = scenarios.filter((s) => FAILING.has(s.status))
  const skipped = scenarios.filter((s) => s.status === 'skipped')
  const status: CellStatus = failing.length ? 'failed' : skipped.length === scenarios.length ? 'skipped' : skipped.length ? 'partly' : 'passed'
  const reasons = [
    ...new Set(
      (failing.length ? failing : skipped).flatMap((s) => (s.reasons.length ? s.reasons : [failing.length ? `${s.status} (no message)` : 'no reason given'])),
    ),
  ]
  return { status, scenarios, passed, reasons }
}

/**
 * @param known behavior ids that have a scenario somewhere in the features (so that a run that
 *   did not select them says "not in this profile" rather than "no scenario")
 */
export function buildMatrix(
  catalogue: readonly Behavior[],
  runs: readonly RunResult[],
  known: ReadonlySet<string> = new Set(),
  mutation?: MutationReport,
): Matrix {
  const byRun = runs.map((run) => {
    const m = new Map<string, ScenarioResult[]>()
    for (const s of run.scenarios) {
      for (const id of behaviorIds(s.tags)) {
        if (!m.has(id)) m.set(id, [])
        m.get(id)!.push(s)
      }
    }
    return m
  })
  const anyRun = new Set(byRun.flatMap((m) => [...m.keys()]))
  const totals = runs.map(() => ({ passed: 0, failed: 0, skipped: 0, partly: 0, 'not-run': 0, 'no-scenario': 0 }) as Record<CellStatus, number>)
  const sections: Matrix['sections'] = []
  for (const b of catalogue) {
    let section = sections.at(-1)
    if (!section || section.name !== b.section) {
      section = sections.find((s) => s.name === b.section)
      if (!section) {
        section = { name: b.section, rows: [] }
        sections.push(section)
      }
    }
    const cells = byRun.map((m, i) => {
      const c = cellFor(m.get(b.id) ?? [], known.has(b.id) || anyRun.has(b.id))
      totals[i]![c.status]++
      return c
    })
    section.rows.push({ behavior: b, cells, ...(mutation ? { proof: mutation.behaviors[b.id] ?? { mutants: 0, killed: 0, claims: [] } } : {}) })
  }
  if (!mutation) return { runs: [...runs], sections, totals }
  const proofs = { proven: 0, partly: 0, none: 0 }
  for (const row of sections.flatMap((s) => s.rows)) proofs[proofCell(row.proof).status]++
  return { runs: [...runs], sections, totals, mutation: { generatedAt: mutation.generatedAt, ...proofs } }
}

export interface RenderOptions {
  /** Link from a cell to the scenarios of a behavior in a profile's report (relative to the output). */
  link?: (profile: string, behaviorId: string) => string | undefined
  /** Link from a behavior's id to its page in the book (relative to the output), when there is a book. */
  book?: (behaviorId: string) => string | undefined
  /** Links to the full reports, shown on top. */
  reports?: { label: string; href: string }[]
  generatedAt?: string
  catalogue?: string
}

export const defaultLink = (profile: string, id: string): string => `${profile}/cucumber.html?query=${encodeURIComponent(`@${id}`)}`

const PROOF_SYMBOL: Record<ProofStatus, string> = { proven: '✔', partly: '✘', none: '∅' }
const CLAIM_SYMBOL: Record<string, string> = { killed: '✔', survived: '✘', stale: '⌀', timeout: '⧗', error: '!', invalid: '!' }

/** A behavior's mutants, one line each: the claim it breaks and what became of it. */
function claimLines(p: BehaviorProof): string[] {
  return p.claims.map((c) => `${CLAIM_SYMBOL[c.status] ?? '?'} ${c.claim}${c.status === 'killed' ? '' : ` (${c.status})`}`)
}

const SYMBOL: Record<CellStatus, string> = { passed: '✔', failed: '✘', skipped: '↷', partly: '◐', 'not-run': '—', 'no-scenario': '∅' }
const WORD: Record<CellStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  partly: 'partly',
  'not-run': 'not in this profile',
  'no-scenario': 'no scenario yet',
}

/** Numbers reasons in order of first appearance, so cells can say "skipped (r2)". */
class Reasons {
  readonly list: string[] = []
  ref(reason: string): number {
    let i = this.list.indexOf(reason)
    if (i < 0) i = this.list.push(reason) - 1
    return i + 1
  }
}

function cellText(c: Cell, reasons: Reasons): string {
  const refs = c.reasons.map((r) => `r${reasons.ref(r)}`).join(', ')
  const n = c.scenarios.length
  switch (c.status) {
    case 'passed':
      return `passed${n > 1 ? ` (${n})` : ''}`
    case 'failed':
      return `failed ${c.scenarios.filter((x) => FAILING.has(x.status)).length} of ${n} (${refs})`
    case 'skipped':
      return `skipped (${refs})`
    case 'partly':
      return `passed ${c.passed} of ${n}; others skipped (${refs})`
    default:
      return WORD[c.status]
  }
}

function runLabel(r: RunResult): string {
  const when = r.finishedAt ?? r.startedAt
  return when ? when.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'unknown time'
}

function runSummary(r: RunResult): string {
  const counts = new Map<string, number>()
  for (const s of r.scenarios) counts.set(s.status, (counts.get(s.status) ?? 0) + 1)
  return `${r.scenarios.length} scenarios (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'})`
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

export function renderMarkdown(m: Matrix, opts: RenderOptions = {}): string {
  const link = opts.link ?? defaultLink
  const reasons = new Reasons()
  const lines: string[] = [
    '# Conformance matrix',
    '',
    `Every behavior of the course (\`${opts.catalogue ?? 'features/behaviors.yaml'}\`) and how the last run of each profile did with it. ` +
      "A cell links to the behavior's scenarios in that profile's Cucumber report; reasons for skips and failures are listed at the end." +
      (opts.generatedAt ? ` Generated ${opts.generatedAt}.` : ''),
    '',
  ]
  if (!m.runs.length) lines.push('No profile has run yet: run `npx cucumber-js` (or `-p ci`, `-p cluster`) first.', '')
  else {
    lines.push(
      '| Profile | Last run | Scenarios | Behaviors passed | failed | skipped | partly | not in profile | no scenario |',
      '|---|---|---|---|---|---|---|---|---|',
    )
    m.runs.forEach((r, i) => {
      const t = m.totals[i]!
      lines.push(
        `| ${r.profile} | ${runLabel(r)} | ${runSummary(r)} | ${t.passed} | ${t.failed} | ${t.skipped} | ${t.partly} | ${t['not-run']} | ${t['no-scenario']} |`,
      )
    })
    lines.push('')
  }
  if (m.mutation) {
    const t = m.mutation
    lines.push(
      `Mutants (\`npm run test:mutants\`, ${t.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}): ${t.proven} behaviors proven by their mutants, ${t.partly} with a mutant not killed, ${t.none} without a mutant; details in [mutation.json](mutation.json).`,
      '',
    )
  }
  if (opts.reports?.length) lines.push(`Reports: ${opts.reports.map((r) => `[${r.label}](${r.href})`).join(' · ')}`, '')
  lines.push(`Key: ${(Object.keys(SYMBOL) as CellStatus[]).map((k) => `${SYMBOL[k]} ${WORD[k]}`).join(' · ')}`, '')
  for (const section of m.sections) {
    lines.push(`## ${section.name}`, '')
    const mutants = m.mutation ? ' Mutants |' : ''
    lines.push(
      `| Behavior | Note | ${m.runs.map((r) => r.profile).join(' | ')} |${mutants}`,
      `|---|---|${m.runs.map(() => '---|').join('')}${mutants ? '---|' : ''}`,
    )
    for (const row of section.rows) {
      const cells = row.cells.map((c, i) => {
        const text = `${SYMBOL[c.status]} ${cellText(c, reasons)}`
        const href = c.scenarios.length ? link(m.runs[i]!.profile, row.behavior.id) : undefined
        return href ? `[${md(text)}](${href})` : md(text)
      })
      const noteAr = row.behavior.noteAr ? `<br><span dir="rtl" lang="ar">${md(h(row.behavior.noteAr))}</span>` : ''
      if (m.mutation) {
        const p = proofCell(row.proof)
        cells.push(md([`${PROOF_SYMBOL[p.status]} ${p.text}`, ...(row.proof ? claimLines(row.proof) : [])].map(h).join('<br>')))
      }
      const bookHref = opts.book?.(row.behavior.id)
      lines.push(`| ${bookHref ? `[${row.behavior.id}](${bookHref})` : row.behavior.id} | ${md(row.behavior.note)}${noteAr} | ${cells.join(' | ')} |`)
    }
    lines.push('')
  }
  if (reasons.list.length) {
    lines.push('## Reasons', '')
    reasons.list.forEach((r, i) => lines.push(`- **r${i + 1}**: ${md(r)}`))
    lines.push('')
  }
  return lines.join('\n')
}

function h(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!)
}

export function renderHtml(m: Matrix, opts: RenderOptions = {}): string {
  const link = opts.link ?? defaultLink
  const reasons = new Reasons()
  const out: string[] = []
  out.push(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OCK conformance matrix</title>
<style>
body { font: 14px/1.45 system-ui, 'Segoe UI', 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1400px; padding: 0 16px; color: #1b2631; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #d5dbdb; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #d5dbdb; padding: 6px 8px; vertical-align: top; text-align: left; }
th { background: #f4f6f6; position: sticky; top: 0; } td.id { white-space: nowrap; font-weight: 600; }
td.cell { white-space: nowrap; } td.cell a { color: inherit; text-decoration: none; display: block; } td.cell a:hover { text-decoration: underline; }
.passed { background: #d5f5e3; } .failed { background: #fadbd8; } .skipped { background: #fcf3cf; } .partly { background: #e8f8f5; }
.not-run { background: #f8f9f9; color: #7f8c8d; } .no-scenario { background: #ffffff; color: #95a5a6; }
.proven { background: #d5f5e3; } .none { background: #ffffff; color: #95a5a6; } td.proof ul { margin: 4px 0 0; padding-left: 16px; white-space: normal; min-width: 16em; }
details summary { cursor: pointer; } details p { margin: 4px 0; color: #566573; } .muted { color: #5d6d7e; } .reports a { margin-right: 14px; }
ul.reasons { list-style: none; padding-left: 0; } ul.reasons li { margin-bottom: 4px; }
.note-ar { margin: 4px 0 0; color: #34495e; font-family: 'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', Tahoma, sans-serif; text-align: right; }
</style></head><body>`)
  out.push('<h1>Conformance matrix</h1>')
  out.push(
    `<p class="muted">Every behavior of the course (<code>${h(opts.catalogue ?? 'features/behaviors.yaml')}</code>) and how the last run of each profile did with it. A cell links to the behavior's scenarios in that profile's Cucumber report (with their sequence diagrams).${opts.generatedAt ? ` Generated ${h(opts.generatedAt)}.` : ''}</p>`,
  )
  if (opts.reports?.length) out.push(`<p class="reports">${opts.reports.map((r) => `<a href="${h(r.href)}">${h(r.label)}</a>`).join('')}</p>`)
  if (!m.runs.length) out.push('<p>No profile has run yet: run <code>npx cucumber-js</code> (or <code>-p ci</code>, <code>-p cluster</code>) first.</p>')
  else {
    out.push('<table><thead><tr><th>Profile</th><th>Last run</th><th>Scenarios</th><th>Behaviors</th></tr></thead><tbody>')
    m.runs.forEach((r, i) => {
      const t = m.totals[i]!
      const parts = (Object.keys(WORD) as CellStatus[]).filter((k) => t[k]).map((k) => `<span class="${k}">&nbsp;${t[k]} ${h(WORD[k])}&nbsp;</span>`)
      out.push(
        `<tr><td><a href="${h(r.profile)}/cucumber.html">${h(r.profile)}</a></td><td>${h(runLabel(r))}</td><td>${h(runSummary(r))}</td><td>${parts.join(' ')}</td></tr>`,
      )
    })
    out.push('</tbody></table>')
  }
  if (m.mutation) {
    const t = m.mutation
    out.push(
      `<p>Mutants (<code>npm run test:mutants</code>, ${h(t.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}): <span class="proven">&nbsp;${t.proven} behaviors proven by their mutants&nbsp;</span> <span class="partly">&nbsp;${t.partly} with a mutant not killed&nbsp;</span> <span class="none">&nbsp;${t.none} without a mutant&nbsp;</span>; details in <a href="mutation.json">mutation.json</a>.</p>`,
    )
  }
  for (const section of m.sections) {
    out.push(`<h2>${h(section.name)}</h2>`)
    out.push(
      `<table><thead><tr><th>Behavior</th><th>Note</th>${m.runs.map((r) => `<th>${h(r.profile)}</th>`).join('')}${m.mutation ? '<th>Mutants</th>' : ''}</tr></thead><tbody>`,
    )
    for (const row of section.rows) {
      const b = row.behavior
      const more = [
        b.behavior && `<p><b>Behavior:</b> ${h(b.behavior)}</p>`,
        b.observe && `<p><b>Observed:</b> ${h(b.observe)}</p>`,
        b.needs &&
          `<p><b>Needs:</b> ${h(
            Object.entries(b.needs)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', '),
          )}</p>`,
      ]
        .filter(Boolean)
        .join('')
      const noteAr = b.noteAr ? `<p class="note-ar" dir="rtl" lang="ar">${h(b.noteAr)}</p>` : ''
      const note = (more ? `<details><summary>${h(b.note)}</summary>${more}</details>` : h(b.note)) + noteAr
      const cells = row.cells.map((c, i) => {
        const text = `${SYMBOL[c.status]} ${cellText(c, reasons)}`
        const title = c.scenarios.map((s) => `${s.status}: ${s.name} (${s.uri}:${s.line})`).join('\n')
        const href = c.scenarios.length ? link(m.runs[i]!.profile, b.id) : undefined
        const inner = href ? `<a href="${h(href)}" title="${h(title)}">${h(text)}</a>` : h(text)
        return `<td class="cell ${c.status}" data-behavior="${h(b.id)}" data-profile="${h(m.runs[i]!.profile)}">${inner}</td>`
      })
      if (m.mutation) {
        const p = proofCell(row.proof)
        const claims = row.proof?.claims.length
          ? `<ul>${row.proof.claims.map((c, i) => `<li title="${h(c.file)}">${h(claimLines(row.proof!)[i]!)}</li>`).join('')}</ul>`
          : ''
        cells.push(
          `<td class="cell proof ${p.status === 'partly' ? 'failed' : p.status}" data-behavior="${h(b.id)}" data-mutants="${row.proof?.mutants ?? 0}">${h(`${PROOF_SYMBOL[p.status]} ${p.text}`)}${claims}</td>`,
        )
      }
      const bookHref = opts.book?.(b.id)
      const id = bookHref
        ? `<a class="book" href="${h(bookHref)}" title="${h(`${b.id} in the book: notes, scenarios, diagrams, mutation proof`)}">${h(b.id)}</a>`
        : h(b.id)
      out.push(`<tr id="${h(b.id)}"><td class="id">${id}</td><td>${note}</td>${cells.join('')}</tr>`)
    }
    out.push('</tbody></table>')
  }
  if (reasons.list.length) {
    out.push('<h2>Reasons</h2><ul class="reasons">')
    reasons.list.forEach((r, i) => out.push(`<li id="r${i + 1}"><b>r${i + 1}</b>: ${h(r)}</li>`))
    out.push('</ul>')
  }
  out.push('</body></html>')
  return out.join('\n')
}
