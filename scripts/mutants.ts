// `npm run test:mutants`: the kit's proof of its own power. Every mutant under mutants/ (a small
// patch that breaks one claim of a behavior; format in scripts/mutation/mutant.ts) is applied
// to an isolated copy of the working tree and its behavior's English scenarios are run against
// it: a scenario must fail (the mutant is killed). In order:
//   1. every behavior of features/behaviors.yaml must have a mutant (those without are listed);
//   2. the baseline: the union of the mutants' scenarios, unmutated, must pass (run here, or
//      read from a ci run of the same tree with --baseline-from reports/ci/messages.ndjson);
//   3. each mutant, in one of --jobs copies (git worktrees of a snapshot of the working tree,
//      uncommitted changes and untracked files included, reset between mutants): `git apply
//      --check` (a patch that no longer applies is stale), apply, run its scenarios with
//      --fail-fast on the `mutants` profile of cucumber.js (English features, strict
//      capabilities, no reports), classify (scripts/mutation/verdict.ts);
//   4. reports/mutation.json (also read by the conformance matrix) and a summary table.
// Exit code 0 only when every mutant run is killed, none is stale or invalid, the baseline
// passed and no behavior lacks a mutant. Copies, temp dirs, processes and the containers they
// started are removed at the end, on Ctrl-C too.
//
// A mutant whose header names the scenario that kills it (`Killed-by:`) runs that scenario alone
// first, and the others only if it survives it: most mutants then cost one scenario, not every
// scenario of their behavior up to the killing one.
//
// Usage: npm run test:mutants -- [--jobs N] [--only <behavior id | file glob>]...
//          [--gate] [--write-hints]
//          [--baseline-from reports/ci/messages.ndjson] [--timeout <seconds per mutant>]
//   --gate         only the mutants that prove a weak spot, plus the cheapest mutant of each
//                  behavior they leave out (the duration of its Killed-by scenario in the
//                  --baseline-from run): every behavior proven, in a fraction of the time (npm test)
//   --write-hints  set each killed mutant's Killed-by: header to the scenario that killed it

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { onExit } from 'signal-exit'
import { CATALOGUE_PATH, loadCatalogue } from '../support/report/catalogue.js'
import { MUTATION_REPORT_PATH, proofByBehavior, readMutationReport, totalsOf, type MutantResult, type MutationReport } from '../support/report/mutation.js'
import { Copies, snapshot, type Copy } from './mutation/copies.js'
import { Children, readMessages, runCucumber, scenarioKey, selectScenarios, type Selected } from './mutation/cucumber.js'
import { gateSelection, onlyFilter, readMutants, tagExpression, withKilledBy, type Mutant } from './mutation/mutant.js'
import { classify, readRun, type RunReading } from './mutation/verdict.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The file beside a ci run's messages that names the tree it ran on (scripts/features.sh). */
const TREE_FILE = 'tree'

const { values: opts } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    only: { type: 'string', multiple: true },
    'baseline-from': { type: 'string' },
    timeout: { type: 'string' },
    gate: { type: 'boolean', default: false },
    'write-hints': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
})
if (opts.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .map((l) => l.slice(3))
      .join('\n'),
  )
  process.exit(0)
}
const JOBS = Math.max(1, Number(opts.jobs) || 1)
const TTY = process.stderr.isTTY === true

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const log = (line: string): void => {
  if (TTY) process.stderr.write('\r\x1b[K')
  console.log(line)
}

interface Planned {
  mutant: Mutant
  tags: string
  scenarios: Selected[]
  expectedMs: number
}

/** The baseline from a ci run of the same tree, or why it cannot serve. */
function baselineFromCi(file: string, tree: string, union: Map<string, Selected>): { run: RunReading } | { unusable: string } {
  if (!existsSync(file)) return { unusable: `${file} does not exist` }
  const treeFile = join(dirname(file), TREE_FILE)
  const theirs = existsSync(treeFile) ? readFileSync(treeFile, 'utf8').trim() : ''
  if (!theirs) return { unusable: `${treeFile} does not say which tree that run saw` }
  if (theirs !== tree) return { unusable: `that run saw tree ${theirs.slice(0, 12)}, the working tree is ${tree.slice(0, 12)} now` }
  const run = readRun(readMessages(file))
  const seen = new Set(run.scenarios.map(scenarioKey))
  const absent = [...union.keys()].filter((k) => !seen.has(k))
  if (absent.length)
    return { unusable: `it did not run ${absent.length} of the mutants' scenarios (${absent.slice(0, 3).join(', ')}${absent.length > 3 ? ', ...' : ''})` }
  return { run }
}

/**
 * What a mutant is expected to cost, for --gate: the duration of the scenario that killed it last
 * time (its Killed-by hint, run first) in the ci run's messages; unknown costs sort last.
 */
function gateCosts(ciMessages: string | undefined): (m: Mutant) => number {
  const file = ciMessages ? resolve(REPO, ciMessages) : ''
  if (!file || !existsSync(file)) return () => 0
  const byName = new Map<string, number>()
  for (const s of readRun(readMessages(file)).scenarios) byName.set(s.name, Math.max(byName.get(s.name) ?? 0, s.durationMs ?? 0))
  return (m) => (m.killedBy && byName.has(m.killedBy) ? byName.get(m.killedBy)! : 10 * 60_000)
}

function summaryTable(results: MutantResult[]): string {
  const rows = results.map((r) => [
    relative('mutants', r.file),
    r.behaviors.join(' '),
    r.status,
    r.durationMs ? seconds(r.durationMs) : '',
    r.killedBy
      ? `${r.killedBy.uri}:${r.killedBy.line} ${r.killedBy.step} — ${(r.killedBy.message.split('\n')[0] ?? '').slice(0, 100)}`
      : (r.detail ?? '').split('\n')[0]!.slice(0, 160),
  ])
  const head = ['mutant', 'behaviors', 'status', 'time', 'killed by / why not']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const fmt = (r: string[]): string => r.map((c, i) => (i < r.length - 1 ? c.padEnd(Math.min(widths[i]!, 60)) : c)).join('  ')
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(Math.min(w, 60)))), ...rows.map(fmt)].join('\n')
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0
}

async function main(): Promise<number> {
  const started = Date.now()
  const catalogue = loadCatalogue(join(REPO, CATALOGUE_PATH))
  const ids = catalogue.map((b) => b.id)
  const now = (): string => new Date().toISOString()
  const read = readMutants(REPO, new Set(ids))
  const files = read.files
  const parsed = new Map(read.mutants.map((m) => [m.file, m]))
  const invalid: MutantResult[] = read.invalid.map(({ file, errors }) => ({
    file,
    behaviors: [],
    claim: '',
    bug: '',
    layer: '',
    scenarios: '',
    status: 'invalid',
    detail: errors.join('; '),
    durationMs: 0,
    at: now(),
  }))
  const proven = new Set([...parsed.values()].flatMap((m) => m.behaviors))
  const missing = ids.filter((id) => !proven.has(id))
  const keep = onlyFilter(REPO, files, opts.only, parsed)
  if (opts.only?.length && !keep.size) {
    console.error(`mutants: --only ${opts.only.join(' ')} matches no mutant under mutants/`)
    return 2
  }
  const filtered = [...parsed.values()].filter((m) => keep.has(m.file))
  const chosen = opts.gate ? gateSelection(filtered, gateCosts(opts['baseline-from'])) : filtered
  const results: MutantResult[] = invalid.filter((r) => keep.has(r.file))
  const result = (m: Mutant, r: Pick<MutantResult, 'status'> & Partial<MutantResult>): MutantResult => ({
    file: m.file,
    behaviors: m.behaviors,
    claim: m.claim,
    bug: m.bug,
    layer: m.layer,
    ...(m.weakSpot ? { weakSpot: m.weakSpot } : {}),
    scenarios: tagExpression(m),
    durationMs: 0,
    at: now(),
    ...r,
  })
  log(
    `mutants: ${files.length} mutant files (${parsed.size} valid), ${chosen.length} to run${opts.gate ? ' (--gate: the weak spots and one per behavior)' : ''} on ${JOBS} job${JOBS === 1 ? '' : 's'}; ${ids.length - missing.length} of ${ids.length} behaviors have a mutant`,
  )

  const children = new Children()
  const copies = new Copies(REPO)
  let stopping: NodeJS.Signals | undefined
  const removeExitHook = onExit(() => {
    children.signal('SIGKILL')
    copies.remove()
  })
  const stop = (sig: NodeJS.Signals): void => {
    if (stopping) {
      children.signal('SIGKILL')
      copies.remove()
      process.exit(130)
    }
    stopping = sig
    log(`mutants: ${sig}: stopping the runs and removing the copies (again to force)`)
    children.signal('SIGTERM')
    setTimeout(() => children.signal('SIGKILL'), 20_000).unref()
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, stop)

  let baselineInfo: MutationReport['baseline']
  let baselineOk = true
  const snap = snapshot(REPO)
  try {
    const first = await copies.add(snap.commit)

    // what each mutant runs
    const planned: Planned[] = []
    for (const m of chosen) {
      const tags = tagExpression(m)
      try {
        const scenarios = await selectScenarios(first.dir, tags)
        if (!scenarios.length) results.push(result(m, { status: 'error', detail: `its tag expression ${tags} selects no English scenario` }))
        else if (scenarios.some((s) => s.uri.startsWith('features/ar/')))
          results.push(
            result(m, { status: 'error', detail: 'the mutants profile selected an Arabic feature (cucumber.js: the profile must run English features only)' }),
          )
        else planned.push({ mutant: m, tags, scenarios, expectedMs: 0 })
      } catch (e) {
        results.push(result(m, { status: 'error', detail: `its scenarios cannot be selected with ${tags}: ${e instanceof Error ? e.message : String(e)}` }))
      }
    }

    // the baseline: every scenario of a mutant, unmutated, passes
    const union = new Map(planned.flatMap((p) => p.scenarios.map((s) => [scenarioKey(s), s] as const)))
    let baseline: RunReading | undefined
    if (union.size) {
      if (opts['baseline-from']) {
        const from = baselineFromCi(resolve(REPO, opts['baseline-from']), snap.tree, union)
        if ('run' in from) {
          baseline = from.run
          baselineInfo = { source: relative(REPO, resolve(REPO, opts['baseline-from'])), scenarios: union.size, passed: 0 }
          log(`mutants: baseline: ${baselineInfo.source} (a ci run of this tree) ran the mutants' ${union.size} scenarios`)
        } else log(`mutants: baseline: not reusing ${opts['baseline-from']}: ${from.unusable}; running it here`)
      }
      if (!baseline) {
        const tags = [...new Set(planned.map((p) => p.tags))].map((t) => `(${t})`).join(' or ')
        log(`mutants: baseline: running the mutants' ${union.size} scenarios unmutated (${JOBS} worker${JOBS === 1 ? '' : 's'})`)
        const run = await runCucumber({
          cwd: first.dir,
          tags,
          messages: copies.path('baseline.ndjson'),
          timeoutMs: 90 * 60_000,
          parallel: Math.min(JOBS, union.size),
          children,
        })
        baseline = readRun(run.envelopes)
        baselineInfo = { source: 'run', scenarios: union.size, passed: 0, durationMs: run.durationMs }
        if (stopping) return 130
        if (!baseline.finished)
          log(`mutants: baseline: cucumber-js ended before the end of the run (exit ${run.end.exitCode ?? 'none'}):\n${run.end.output ?? ''}`)
      }
      const byKey = new Map(baseline.scenarios.map((s) => [scenarioKey(s), s]))
      const failing = new Set<string>()
      for (const [k, s] of union) {
        const b = byKey.get(k)
        if (b?.status === 'passed' && b.finished) continue
        failing.add(k)
        log(`mutants: baseline: ${b ? b.status : 'not run'}: ${s.name} (${k})${b?.step ? ` at "${b.step}": ${(b.message ?? '').split('\n')[0]}` : ''}`)
      }
      baselineInfo!.passed = union.size - failing.size
      baselineOk = failing.size === 0
      log(
        `mutants: baseline: ${baselineInfo!.passed} of ${union.size} scenarios passed${baselineInfo!.durationMs ? ` in ${seconds(baselineInfo!.durationMs)}` : ''}`,
      )
      for (const p of [...planned]) {
        const broken = p.scenarios.filter((s) => failing.has(scenarioKey(s)))
        if (broken.length) {
          results.push(result(p.mutant, { status: 'error', detail: `the baseline failed: ${broken.map((s) => `${s.name} (${scenarioKey(s)})`).join('; ')}` }))
          planned.splice(planned.indexOf(p), 1)
        } else p.expectedMs = p.scenarios.reduce((sum, s) => sum + (byKey.get(scenarioKey(s))?.durationMs ?? 60_000), 0)
      }
    }

    // the mutants, longest first, on JOBS copies
    planned.sort((a, b) => b.expectedMs - a.expectedMs)
    while (copies.copies.length < Math.min(JOBS, planned.length)) await copies.add(snap.commit)
    const queue = [...planned]
    const running = new Map<Copy, { name: string; since: number }>()
    let done = 0
    const total = planned.length
    const counts = (): string => {
      const t = totalsOf(results)
      return (
        (['killed', 'survived', 'stale', 'timeout', 'error'] as const)
          .filter((k) => t[k])
          .map((k) => `${t[k]} ${k}`)
          .join(', ') || 'none yet'
      )
    }
    const ticker = TTY
      ? setInterval(() => {
          const names = [...running.values()].map((r) => `${r.name} ${Math.round((Date.now() - r.since) / 1000)}s`).join(', ')
          process.stderr.write(`\r\x1b[Kmutants: ${done}/${total} (${counts()}) · running ${names}`.slice(0, (process.stderr.columns || 120) - 1))
        }, 1000)
      : undefined
    const work = async (copy: Copy): Promise<void> => {
      for (let p = queue.shift(); p && !stopping; p = queue.shift()) {
        const m = p.mutant
        const name = basename(m.file, '.patch')
        running.set(copy, { name, since: Date.now() })
        const t0 = Date.now()
        await copy.reset()
        const applied = await copy.apply(join(REPO, m.file))
        let r: MutantResult
        if (!applied.applied) r = result(m, { status: applied.malformed ? 'invalid' : 'stale', detail: applied.message, durationMs: Date.now() - t0 })
        else {
          const timeoutMs = opts.timeout ? Number(opts.timeout) * 1000 : Math.max(180_000, 2 * p.expectedMs + 60_000)
          // the hinted scenario alone first; all of them if it does not kill
          const hinted = m.killedBy !== undefined && p.scenarios.some((s) => s.name === m.killedBy)
          const runs = [...(hinted ? [['--name', `^${escapeRegExp(m.killedBy!)}$`]] : []), []]
          let v: ReturnType<typeof classify> = { status: 'error', detail: 'not run' }
          let processMs = 0
          let scenariosMs = 0
          for (const [i, args] of runs.entries()) {
            const run = await runCucumber({
              cwd: copy.dir,
              tags: p.tags,
              messages: copies.path(`${name}.${i}.ndjson`),
              timeoutMs,
              failFast: true,
              children,
              args,
            })
            if (stopping) break
            const reading = readRun(run.envelopes)
            v = classify(reading, run.end, m.expect)
            processMs += run.durationMs
            scenariosMs += reading.scenarios.reduce((sum, s) => sum + (s.durationMs ?? 0), 0)
            if (v.status === 'killed' || (i === 0 && hinted && v.status !== 'survived')) break
          }
          if (stopping) break
          r = result(m, { ...v, durationMs: Date.now() - t0, timing: { prepareMs: Date.now() - t0 - processMs, processMs, scenariosMs } })
        }
        running.delete(copy)
        results.push(r)
        done++
        const why = r.killedBy ? `by ${r.killedBy.uri}:${r.killedBy.line} "${r.killedBy.step}"` : (r.detail ?? '').split('\n')[0]
        log(`[${done}/${total}] ${r.status.padEnd(8)} ${name} (${seconds(r.durationMs)}) ${why}`)
      }
      running.delete(copy)
    }
    await Promise.all(copies.copies.map((c) => work(c)))
    if (ticker) clearInterval(ticker)
    if (stopping) return 130
  } finally {
    for (const s of signals) process.off(s, stop)
    children.signal('SIGTERM')
    copies.remove()
    removeExitHook()
    if (children.forced.size) await sweepLeftovers()
  }

  // the report: this run's results, merged over the last report's for mutants not run now (--only)
  const reportPath = join(REPO, MUTATION_REPORT_PATH)
  let all = results
  if (opts.only?.length) {
    const previous = (() => {
      try {
        return readMutationReport(reportPath)?.mutants ?? []
      } catch {
        return []
      }
    })()
    const ran = new Set(results.map((r) => r.file))
    all = [...previous.filter((r) => !ran.has(r.file) && files.includes(r.file)), ...results]
  }
  all.sort((a, b) => a.file.localeCompare(b.file))
  const report: MutationReport = {
    generatedAt: new Date().toISOString(),
    tree: snap.tree,
    ...(baselineInfo ? { baseline: baselineInfo } : {}),
    totals: totalsOf(all),
    missing,
    mutants: all,
    behaviors: proofByBehavior(all, ids),
  }
  mkdirSync(dirname(reportPath), { recursive: true })
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`)

  const wall = Date.now() - started
  const ran = results.filter((r) => r.durationMs > 0)
  console.log(`\n${summaryTable(results.sort((a, b) => a.file.localeCompare(b.file)))}\n`)
  if (missing.length) console.log(`Behaviors without a mutant (${missing.length}): ${missing.join(', ')}`)
  const t = totalsOf(results)
  console.log(
    `Mutants: ${results.length} (${
      (['killed', 'survived', 'stale', 'timeout', 'error', 'invalid'] as const)
        .filter((k) => t[k])
        .map((k) => `${t[k]} ${k}`)
        .join(', ') || 'none'
    })`,
  )
  if (ran.length)
    console.log(
      `Time per mutant: median ${seconds(median(ran.map((r) => r.durationMs)))}, max ${seconds(Math.max(...ran.map((r) => r.durationMs)))}; total ${seconds(wall)} on ${JOBS} job${JOBS === 1 ? '' : 's'}${baselineInfo?.durationMs ? ` (baseline ${seconds(baselineInfo.durationMs)})` : ''}`,
    )
  const timed = ran.flatMap((r) => (r.timing ? [r.timing] : []))
  if (timed.length)
    console.log(
      `Outside the scenarios (copy reset and patch, cucumber-js start-up and exit): median ${seconds(median(timed.map((t) => t.prepareMs + t.processMs - t.scenariosMs)))} per mutant`,
    )
  console.log(`Report: ${relative(process.cwd(), reportPath)}`)
  const unhinted = results.filter((r) => r.killedBy && parsed.get(r.file)?.killedBy !== r.killedBy.scenario)
  if (unhinted.length && opts['write-hints']) {
    for (const r of unhinted) writeFileSync(join(REPO, r.file), withKilledBy(readFileSync(join(REPO, r.file), 'utf8'), r.killedBy!.scenario))
    console.log(`Killed-by: set in ${unhinted.length} mutant file${unhinted.length === 1 ? '' : 's'}`)
  } else if (unhinted.length)
    console.log(
      `Killed-by: ${unhinted.length} killed mutant${unhinted.length === 1 ? ' has' : 's have'} no hint or another scenario in it (run with --write-hints to set them): ${unhinted.map((r) => basename(r.file, '.patch')).join(', ')}`,
    )
  const bad = results.filter((r) => r.status !== 'killed').length
  return bad || missing.length || !baselineOk ? 1 : 0
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Containers and etcd dirs of runs that had to be killed hard (a clean run removes its own). */
async function sweepLeftovers(): Promise<void> {
  try {
    const { sweepOrphans } = await import('../orchestrator/runtime/docker/engine.js')
    await sweepOrphans()
  } catch {
    // no Docker engine: nothing was started there
  }
  try {
    const { reapStaleRoots } = await import('../orchestrator/cluster/etcdmember.js')
    reapStaleRoots()
  } catch {
    // best effort
  }
}

process.exitCode = await main()
