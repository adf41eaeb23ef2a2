// `npx ock explain <ID> [--run] [--ar]`: one behavior of the course in the terminal, from the
// same sources as the book (model.ts): its note in both languages, its scenarios' text, where
// it lives in the orchestrator (the files its mutants patch), its last result on every profile
// and its mutation proof. With --run, it runs the behavior's scenarios on the embedded
// reference cluster (cucumber-js, profile `explain`: no report is replaced) and prints what the
// cluster did in each, as a text sequence diagram, one line per message.
// Dispatched from bin/ock.js: the orchestrator's own CLI knows nothing of Gherkin.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BEHAVIOR_ID, loadCatalogue } from '../catalogue.js'
import { featureFiles } from '../conformance.js'
import type { CellStatus } from '../matrix.js'
import { readRun, type RunResult } from '../results.js'
import { DIAGRAM_TEXT_FILE_NAME, DIAGRAM_TEXT_MEDIA_TYPE } from '../sequence-text.js'
import { profileTargets, readRuns, unrunFeatures } from './build.js'
import { scenarioLines } from './gherkin.js'
import { buildBook, langOf, type BookBehavior, type BookScenario } from './model.js'
import { loadPatches, MUTANTS_DIR, readMutationReport, tally } from './mutants.js'

export const USAGE = `Usage: ock explain <BEHAVIOR-ID> [--run] [--ar]

Explains one behavior of the course (an id of features/behaviors.yaml, like HEAL-02): its note
in Arabic and English, its scenarios, where it lives in the orchestrator, its last result on
every profile that ran (reports/<profile>/messages.ndjson) and its mutation proof.

  --run     run its scenarios now on the embedded reference cluster, and print what the
            cluster did in each as a text sequence diagram (one line per message)
  --ar      with --run: run the Arabic editions (features/ar/) instead of the English ones
  -h, --help  this text
`

const SYMBOL: Record<CellStatus, string> = { passed: '✔', failed: '✘', skipped: '↷', partly: '◐', 'not-run': '—', 'no-scenario': '∅' }
const WORD: Record<CellStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  partly: 'partly passed',
  'not-run': 'not in this profile',
  'no-scenario': 'no scenario yet',
}

const indent = (lines: readonly string[], by = '  '): string[] => lines.map((l) => (l ? `${by}${l}` : ''))
const when = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'unknown time')

function scenarioBlock(s: BookScenario): string[] {
  const runs = s.runs.map((r) => `${r.profile} ${r.status}${r.total > 1 ? ` ${r.passed}/${r.total}` : ''}`).join(' · ')
  return [`${s.key}${runs ? `   (${runs})` : '   (not run)'}`, ...indent(scenarioLines(s.text)), '']
}

/** The behavior as text: notes, scenarios, where it lives, last results, mutation proof. */
export function renderExplain(b: BookBehavior, section: string, opts: { mutationRan: boolean }): string {
  const x = b.behavior
  const out: string[] = [`${x.id} · ${section}`, '']
  if (x.noteAr) out.push('Note, as the course writes it:', ...indent([x.noteAr]), '')
  out.push('Note, in English:', ...indent([x.note]), '')
  if (x.behavior) out.push(`Behavior: ${x.behavior}`)
  if (x.observe) out.push(`Observed: ${x.observe}`)
  if (x.needs)
    out.push(
      `Needs:    ${Object.entries(x.needs)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
    )
  if (x.behavior || x.observe || x.needs) out.push('')

  for (const [lang, title] of [
    ['en', 'Scenarios (English)'],
    ['ar', 'Scenarios (Arabic)'],
  ] as const) {
    const ss = b.scenarios[lang]
    out.push(`${title}:`)
    if (!ss.length) out.push(lang === 'ar' ? '  no Arabic edition yet' : '  none in the last runs')
    else out.push(...indent(ss.flatMap(scenarioBlock)).slice(0, -1))
    if (b.notRun[lang].length) out.push(`  not run yet: ${b.notRun[lang].join(', ')}`)
    out.push('')
  }

  out.push('Where it lives in the orchestrator:')
  if (b.files.length) for (const f of b.files) out.push(`  ${f}`)
  else out.push(`  no mutant names it yet (${MUTANTS_DIR}/<section>/${x.id}.<slug>.patch)`)
  out.push('')

  out.push('Last result:')
  if (!b.results.length) out.push('  no run yet: run `npx cucumber-js` (or -p ci) first')
  const pw = Math.max(0, ...b.results.map((r) => r.profile.length))
  const tw = Math.max(0, ...b.results.map((r) => (r.target ?? '—').length))
  for (const r of b.results) {
    const c = r.cell
    const n = c.scenarios.length > 1 ? ` (${c.status === 'partly' ? `${c.passed} of ${c.scenarios.length}` : c.scenarios.length})` : ''
    out.push(`  ${r.profile.padEnd(pw)}  ${(r.target ?? '—').padEnd(tw)}  ${SYMBOL[c.status]} ${WORD[c.status]}${n}   ${when(r.finishedAt)}`)
    for (const reason of c.reasons) out.push(`  ${' '.repeat(pw + tw + 4)}${reason}`)
  }
  out.push('')

  out.push('Mutation proof:')
  const counts = tally(b.mutants)
  if (!b.mutants.length) out.push(`  ${opts.mutationRan ? 'no mutant for this behavior yet' : 'no mutation run yet; no mutant for this behavior yet'}`)
  else {
    out.push(
      `  ${b.mutants.length} mutant${b.mutants.length === 1 ? '' : 's'}: ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k === 'not-run' ? 'not run yet' : k}`)
        .join(', ')}${opts.mutationRan ? '' : ' (no mutation run yet)'}`,
    )
    for (const m of b.mutants) {
      out.push(`  - [${m.status ?? 'not run'}] ${m.claim ?? m.file}`)
      if (m.bug) out.push(`      bug: ${m.bug}`)
      out.push(`      ${m.file}${m.layer ? ` (${m.layer})` : ''}`)
      if (m.killedBy) out.push(`      caught by: ${[m.killedBy.scenario, m.killedBy.step, m.killedBy.message?.split('\n')[0]].filter(Boolean).join(' / ')}`)
    }
  }
  return `${out.join('\n')}\n`
}

/** What a --run found: each scenario's result and its diagram as text. */
export function renderRunDiagrams(run: RunResult): string {
  const out: string[] = []
  for (const s of run.scenarios) {
    out.push('', `── ${s.name}  (${s.uri}:${s.line}): ${s.status}`)
    for (const r of s.reasons) out.push(`   ${r}`)
    const text = s.attachments?.find((a) => a.mediaType === DIAGRAM_TEXT_MEDIA_TYPE && (a.fileName ?? DIAGRAM_TEXT_FILE_NAME) === DIAGRAM_TEXT_FILE_NAME)
    out.push('', text ? text.body.trimEnd() : '(no diagram: the scenario ended before its cluster had a trace)')
  }
  return `${out.join('\n')}\n`
}

/** Paths of one language's features: the Arabic editions live under features/ar/. */
export function featurePaths(arabic: boolean): string[] {
  return arabic ? ['features/ar/**/*.feature'] : ['features/*.feature', 'features/!(ar)/**/*.feature']
}

function fail(message: string): never {
  process.stderr.write(`ock explain: ${message}\n`)
  process.exit(2)
}

export async function main(argv: string[]): Promise<void> {
  let values: { run?: boolean; ar?: boolean; help?: boolean }
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: argv,
      options: { run: { type: 'boolean' }, ar: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }))
  } catch (e) {
    fail(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`)
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  if (positionals.length !== 1) fail(`name one behavior id\n\n${USAGE}`)
  const id = positionals[0]!.replace(/^@/, '').toUpperCase()
  const catalogue = loadCatalogue()
  if (!BEHAVIOR_ID.test(id) || !catalogue.some((b) => b.id === id)) {
    const near = catalogue.filter((b) => b.id.startsWith(id.split('-')[0] ?? '')).map((b) => b.id)
    fail(
      `"${positionals[0]}" is not a behavior of features/behaviors.yaml${near.length ? `; did you mean one of ${near.join(', ')}?` : ` (ids look like ${catalogue[0]?.id ?? 'HEAL-02'})`}`,
    )
  }
  if (values.ar && !values.run) fail('--ar chooses the language of --run; give --run too')

  const warnings: string[] = []
  const runs = readRuns('reports', warnings)
  const files = new Map([...featureFiles()].map(([uri, f]) => [uri, { language: langOf(f.language), ids: f.ids }]))
  const mutation = readMutationReport('reports')
  const book = buildBook({
    catalogue: catalogue.filter((b) => b.id === id),
    runs,
    featureFiles: files,
    unrun: unrunFeatures(files.keys(), runs, '.', warnings),
    targets: await profileTargets(),
    patches: loadPatches(),
    ...(mutation ? { mutation } : {}),
  })
  const section = book.sections[0]!
  for (const w of [...warnings, ...(mutation?.warnings ?? [])]) process.stderr.write(`ock explain: ${w}\n`)
  process.stdout.write(renderExplain(section.behaviors[0]!, section.name, { mutationRan: mutation !== undefined }))
  if (!values.run) return

  const dir = mkdtempSync(join(tmpdir(), 'ock-explain-'))
  try {
    const messages = join(dir, 'messages.ndjson')
    process.stdout.write(`\nRunning @${id} (${values.ar ? 'Arabic' : 'English'} scenarios) on the embedded reference cluster...\n`)
    const { execa } = await import('execa')
    const result = await execa('cucumber-js', ['-p', 'explain', '--tags', `@${id}`, '--format', `message:${messages}`, ...featurePaths(Boolean(values.ar))], {
      preferLocal: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      reject: false,
    })
    let run: RunResult | undefined
    try {
      run = readRun('explain', messages, { attachments: [DIAGRAM_TEXT_MEDIA_TYPE] })
    } catch {
      run = undefined
    }
    if (!run?.scenarios.length) process.stdout.write(`\nNo scenario of @${id} ran${values.ar ? ' (no Arabic edition yet?)' : ''}.\n`)
    else process.stdout.write(renderRunDiagrams(run))
    process.exitCode = result.exitCode ?? 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
