// `npm run test:determinism`: placement is proven deterministic. Every English scenario of the
// placement behaviors (ORCH-02, ORCH-05, ORCH-09, CP-03, CP-04) that checks where a pod lands
// (a step that says a pod runs on, lands on, is spread over, or is Pending: PLACEMENT below)
// runs --repeat times (20) unmutated and must pass every time; then under each mutant of those
// behaviors that a placement scenario kills (its Killed-by; a mutant killed by another kind of
// scenario is left to the mutation suite), its placement scenarios run --repeat times and must
// fail every time (a scenario
// that passes one time in three under a mutant is no check). Runs in isolated copies of the
// working tree as `npm run test:mutants` does (scripts/mutation/), on --jobs copies. Not part of
// `npm test`: it takes long. Results in reports/determinism.json.
//
// Usage: npm run test:determinism -- [--repeat N] [--jobs N] [--only <behavior id | mutant file glob>]...
//          [--timeout <seconds per run>]

import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { onExit } from 'signal-exit'
import { CATALOGUE_PATH, loadCatalogue } from '../support/report/catalogue.js'
import { Copies, snapshot } from './mutation/copies.js'
import { Children, runCucumber, scenarioKey, selectScenarios } from './mutation/cucumber.js'
import { onlyFilter, readMutants, tagExpression, type Mutant } from './mutation/mutant.js'
import { classify, readRun, type Envelope } from './mutation/verdict.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const PLACEMENT_BEHAVIORS = ['ORCH-02', 'ORCH-05', 'ORCH-09', 'CP-03', 'CP-04']
/** A step that checks where a pod lands (or that it lands nowhere). */
const PLACEMENT = /\b(runs?|lands?) on\b|\bspread over\b|\bis Pending\b|\bare Pending\b/

const { values: opts } = parseArgs({
  options: {
    repeat: { type: 'string', default: '20' },
    jobs: { type: 'string', default: '2' },
    only: { type: 'string', multiple: true },
    timeout: { type: 'string' },
  },
})
const REPEAT = Math.max(1, Number(opts.repeat) || 1)
const JOBS = Math.max(1, Number(opts.jobs) || 1)

interface Scenario {
  name: string
  uri: string
  line: number
}

interface Variant {
  /** 'unmutated' or the mutant's file */
  name: string
  mutant?: Mutant
  scenarios: Scenario[]
  /** runs that went as they must (unmutated: all passed; mutant: killed) */
  good: number
  bad: { run: number; status: string; detail: string }[]
  ms: number[]
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

async function main(): Promise<number> {
  const started = Date.now()
  const ids = loadCatalogue(join(REPO, CATALOGUE_PATH)).map((b) => b.id)
  const { files, mutants } = readMutants(REPO, new Set(ids))
  const keep = onlyFilter(REPO, files, opts.only, new Map(mutants.map((m) => [m.file, m])))
  const children = new Children()
  const copies = new Copies(REPO, 'ock-determinism-')
  let stopping = false
  const removeExitHook = onExit(() => {
    children.signal('SIGKILL')
    copies.remove()
  })
  const stop = (): void => {
    if (stopping) {
      children.signal('SIGKILL')
      copies.remove()
      process.exit(130)
    }
    stopping = true
    console.log('determinism: stopping (again to force)')
    children.signal('SIGTERM')
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const variants: Variant[] = []
  try {
    const snap = snapshot(REPO)
    const first = await copies.add(snap.commit)
    // the placement scenarios: a dry run gives every step of the behaviors' English scenarios
    const tags = PLACEMENT_BEHAVIORS.map((b) => `@${b}`).join(' or ')
    const dry = await runCucumber({ cwd: first.dir, tags, messages: copies.path('dry-run.ndjson'), timeoutMs: 10 * 60_000, children, args: ['--dry-run'] })
    // the messages hold every pickle of the features; those the tags select have a test case
    const selected = new Set(dry.envelopes.flatMap((e: Envelope) => (e.testCase ? [e.testCase.pickleId] : [])))
    const pickles = dry.envelopes.flatMap((e: Envelope) => (e.pickle && selected.has(e.pickle.id) ? [e.pickle] : []))
    const placement: Scenario[] = pickles
      .filter((p) => p.steps.some((s) => PLACEMENT.test(s.text)))
      .map((p) => ({ name: p.name, uri: p.uri, line: p.location?.line ?? 0 }))
    if (!placement.length) {
      console.error(`determinism: no scenario of ${PLACEMENT_BEHAVIORS.join(', ')} checks where a pod lands (dry run: ${dry.end.output ?? ''})`)
      return 1
    }
    const names = new Map<string, number>()
    for (const p of pickles) names.set(p.name, (names.get(p.name) ?? 0) + 1)
    const twice = placement.filter((s) => names.get(s.name)! > 1)
    if (twice.length) {
      console.error(
        `determinism: scenarios are selected by name, and these names are not unique among the placement behaviors' scenarios: ${twice.map((s) => s.name).join('; ')}`,
      )
      return 1
    }
    const isPlacement = new Set(placement.map(scenarioKey))
    console.log(`determinism: ${placement.length} placement scenarios, ${REPEAT} runs each, unmutated and under each of their mutants:`)
    for (const s of placement) console.log(`  ${scenarioKey(s)}  ${s.name}`)

    variants.push({ name: 'unmutated', scenarios: placement, good: 0, bad: [], ms: [] })
    for (const m of mutants.filter((x) => keep.has(x.file) && x.behaviors.some((b) => PLACEMENT_BEHAVIORS.includes(b)))) {
      // a mutant whose Killed-by scenario is not about placement (the scheduler writing pod status, the
      // QoS class) is proven by the mutation suite, not here: its placement scenarios are not meant to kill it
      if (m.killedBy && !placement.some((s) => s.name === m.killedBy)) {
        console.log(`determinism: ${m.file}: killed by "${m.killedBy}", which does not check where a pod lands; not a placement mutant`)
        continue
      }
      const own = (await selectScenarios(first.dir, tagExpression(m))).filter((s) => isPlacement.has(scenarioKey(s)))
      if (!own.length) console.log(`determinism: ${m.file}: none of its scenarios checks where a pod lands; skipped`)
      else variants.push({ name: m.file, mutant: m, scenarios: own, good: 0, bad: [], ms: [] })
    }

    const tasks = variants.flatMap((v) => Array.from({ length: REPEAT }, (_, i) => ({ v, run: i + 1 })))
    while (copies.copies.length < Math.min(JOBS, tasks.length)) await copies.add(snap.commit)
    let done = 0
    const work = async (copy: (typeof copies.copies)[number], n: number): Promise<void> => {
      for (let t = tasks.shift(); t && !stopping; t = tasks.shift()) {
        const { v, run } = t
        await copy.reset()
        if (v.mutant) {
          const applied = await copy.apply(join(REPO, v.mutant.file))
          if (!applied.applied) {
            v.bad.push({ run, status: 'stale', detail: applied.message })
            continue
          }
        }
        const expected = v.scenarios.length * 60_000
        const r = await runCucumber({
          cwd: copy.dir,
          tags: PLACEMENT_BEHAVIORS.map((b) => `@${b}`).join(' or '),
          messages: copies.path(`run-${n}.ndjson`),
          timeoutMs: opts.timeout ? Number(opts.timeout) * 1000 : 2 * expected + 60_000,
          failFast: Boolean(v.mutant),
          children,
          args: v.scenarios.flatMap((s) => ['--name', `^${escape(s.name)}$`]),
        })
        if (stopping) break
        v.ms.push(r.durationMs)
        const verdict = classify(readRun(r.envelopes), r.end, v.mutant?.expect)
        const ok = v.mutant ? verdict.status === 'killed' : verdict.status === 'survived'
        if (ok) v.good++
        else {
          const status = v.mutant ? verdict.status : verdict.status === 'killed' ? 'failed' : verdict.status
          const detail = verdict.killedBy
            ? `${verdict.killedBy.scenario} (${verdict.killedBy.uri}:${verdict.killedBy.line}) at "${verdict.killedBy.step}": ${verdict.killedBy.message.split('\n')[0]}`
            : (verdict.detail ?? '')
          v.bad.push({ run, status, detail })
        }
        done++
        console.log(
          `[${done}] ${v.name === 'unmutated' ? 'unmutated' : basename(v.name, '.patch')} run ${run}/${REPEAT}: ${ok ? 'as expected' : `NOT as expected (${v.bad.at(-1)!.status})`} (${seconds(r.durationMs)})`,
        )
      }
    }
    await Promise.all(copies.copies.map((c, i) => work(c, i)))
    if (stopping) return 130
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    copies.remove()
    removeExitHook()
  }

  console.log('')
  for (const v of variants) {
    const want = v.mutant ? 'killed' : 'passed'
    console.log(
      `${v.good === REPEAT ? 'ok  ' : 'FAIL'} ${v.name}: ${want} ${v.good} of ${REPEAT} runs (${v.scenarios.length} scenario${v.scenarios.length === 1 ? '' : 's'}; ${v.ms.length ? `${seconds(v.ms.reduce((a, b) => a + b, 0) / v.ms.length)} a run` : 'not run'})`,
    )
    for (const b of v.bad) console.log(`       run ${b.run}: ${b.status}: ${b.detail.slice(0, 200)}`)
  }
  console.log(`determinism: ${seconds(Date.now() - started)} on ${JOBS} job${JOBS === 1 ? '' : 's'}`)
  const out = join(REPO, 'reports', 'determinism.json')
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), repeat: REPEAT, variants: variants.map(({ mutant: _m, ...v }) => v) }, null, 2)}\n`,
  )
  console.log(`Report: reports/determinism.json`)
  return variants.every((v) => v.good === REPEAT) ? 0 : 1
}

process.exitCode = await main()
