// bench:suite — how long a cucumber-js profile takes and where the time goes: it runs the
// profile (every argument after `--` goes to cucumber-js as given, e.g. `-p ci --tags @HEAL-02`),
// with a messages file of its own next to whatever the profile writes, and reads from it the
// wall time of the run, the sum of the scenarios' times, the slowest scenarios, the scenarios over
// a threshold (20 s: a scenario that long must say why, in a `Slow: <reason>` line of its
// description, and the run lists those that do not), and each worker's busy time.
// The baseline of the same run is the ideal wall time: the scenario-time sum spread evenly over
// the workers; `balance` is how close the run came to it (busy time over wall time per worker).
// Writes reports/bench/suite.json (--out to change it) and exits with cucumber-js's exit code, so
// a run whose scenarios fail is not taken for a measurement of a healthy suite.
//
//   npm run bench:suite -- -p ci [--tags ...] [--out F] [--slowest 10] [--over 20]

import { mkdir, writeFile } from 'node:fs/promises'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { Envelope, Timestamp } from '@cucumber/messages'
import { pathToFileURL } from 'node:url'
import { execa } from 'execa'
import { onExit } from 'signal-exit'

/** The envelopes of a messages file, attachments left out (none is needed here). */
function readMessages(file: string): Envelope[] {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('{"attachment"'))
    .map((l) => JSON.parse(l) as Envelope)
}

/** This benchmark's own options, taken out of the arguments; the rest go to cucumber-js. */
function splitArgs(argv: string[]): { own: Record<string, string>; cucumber: string[] } {
  const own: Record<string, string> = { out: 'reports/bench/suite.json', slowest: '10', over: '20' }
  const cucumber: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : ''
    if (name in own) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]
      if (value === undefined) throw new Error(`bench:suite: --${name} needs a value`)
      own[name] = value
    } else cucumber.push(a)
  }
  return { own, cucumber }
}

const ms = (t: Timestamp): number => Number(t.seconds) * 1000 + t.nanos / 1e6

export interface ScenarioTime {
  name: string
  where: string
  /** The `Slow: ...` line of the scenario's description (`بطيء: ...` in Arabic): why it may take long. */
  slowBecause?: string
  ms: number
  status: string
  workerId: string
}

export interface SuiteTimes {
  wallMs: number
  scenarios: ScenarioTime[]
  workers: { workerId: string; busyMs: number; scenarios: number }[]
}

/** The run's times from its messages: one entry per scenario (its last attempt). */
export function suiteTimes(envelopes: Envelope[]): SuiteTimes {
  const pickles = new Map<string, { name: string; where: string; slowBecause?: string }>()
  const slow = new Map<string, string>()
  const cases = new Map<string, string>()
  const started = new Map<string, { testCaseId: string; at: number; workerId: string }>()
  const status = new Map<string, string>()
  const scenarios = new Map<string, ScenarioTime>()
  let runStart = NaN
  let runEnd = NaN
  const RANK = ['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED']
  for (const e of envelopes) {
    if (e.testRunStarted) runStart = ms(e.testRunStarted.timestamp)
    else if (e.testRunFinished) runEnd = ms(e.testRunFinished.timestamp)
    else if (e.gherkinDocument) {
      for (const c of e.gherkinDocument.feature?.children ?? []) {
        for (const sc of [c.scenario, ...(c.rule?.children ?? []).map((r) => r.scenario)]) {
          const why = /^\s*(?:Slow|بطيء):\s*(.+)$/m.exec(sc?.description ?? '')?.[1]
          if (sc && why) slow.set(sc.id, why.trim())
        }
      }
    } else if (e.pickle) {
      const why = slow.get(e.pickle.astNodeIds[0] ?? '')
      pickles.set(e.pickle.id, { name: e.pickle.name, where: `${e.pickle.uri}:${e.pickle.location?.line ?? 0}`, ...(why ? { slowBecause: why } : {}) })
    } else if (e.testCase) cases.set(e.testCase.id, e.testCase.pickleId)
    else if (e.testCaseStarted) {
      const s = e.testCaseStarted
      started.set(s.id, { testCaseId: s.testCaseId, at: ms(s.timestamp), workerId: s.workerId ?? 'main' })
    } else if (e.testStepFinished) {
      const { testCaseStartedId: id, testStepResult: r } = e.testStepFinished
      if (RANK.indexOf(r.status) > RANK.indexOf(status.get(id) ?? 'UNKNOWN')) status.set(id, r.status)
    } else if (e.testCaseFinished) {
      const s = started.get(e.testCaseFinished.testCaseStartedId)
      const pickle = s && pickles.get(cases.get(s.testCaseId) ?? '')
      if (!s || !pickle) continue
      const prev = scenarios.get(s.testCaseId)
      const t: ScenarioTime = {
        ...pickle,
        ms: ms(e.testCaseFinished.timestamp) - s.at,
        status: status.get(e.testCaseFinished.testCaseStartedId) ?? 'UNKNOWN',
        workerId: s.workerId,
      }
      // a retried scenario counts once, with the time of every attempt
      scenarios.set(s.testCaseId, prev ? { ...t, ms: prev.ms + t.ms } : t)
    }
  }
  const busy = new Map<string, { busyMs: number; scenarios: number }>()
  for (const s of scenarios.values()) {
    const w = busy.get(s.workerId) ?? { busyMs: 0, scenarios: 0 }
    busy.set(s.workerId, { busyMs: w.busyMs + s.ms, scenarios: w.scenarios + 1 })
  }
  return {
    wallMs: runEnd - runStart,
    scenarios: [...scenarios.values()],
    workers: [...busy].map(([workerId, w]) => ({ workerId, ...w })).sort((a, b) => a.workerId.localeCompare(b.workerId)),
  }
}

async function main(): Promise<number> {
  const { own, cucumber } = splitArgs(process.argv.slice(2))
  const tmp = mkdtempSync(join(tmpdir(), 'ock-bench-suite-'))
  const removeTmp = onExit(() => rmSync(tmp, { recursive: true, force: true }))
  const messages = join(tmp, 'messages.ndjson')
  const bin = resolve('node_modules/@cucumber/cucumber/bin/cucumber.js')
  const load = loadavg()
  const startedAt = new Date().toISOString()
  process.stdout.write(`bench:suite: cucumber-js ${cucumber.join(' ')}\n`)
  const t0 = performance.now()
  const run = await execa(process.execPath, [bin, ...cucumber, '--format', `message:${messages}`], { stdio: 'inherit', reject: false })
  const processMs = performance.now() - t0
  const times = suiteTimes(readMessages(messages))
  removeTmp()
  rmSync(tmp, { recursive: true, force: true })
  if (!times.scenarios.length) {
    process.stderr.write(`bench:suite: cucumber-js ran no scenario (exit ${run.exitCode ?? run.signal})\n`)
    return run.exitCode || 1
  }
  const round = (x: number): number => Math.round(x)
  const sumMs = times.scenarios.reduce((a, s) => a + s.ms, 0)
  const workers = Math.max(1, times.workers.length)
  const overMs = Number(own.over) * 1000
  const bySlowest = [...times.scenarios].sort((a, b) => b.ms - a.ms)
  const report = {
    benchmark: 'suite',
    command: `npm run bench:suite -- ${cucumber.join(' ')}`,
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100) },
    exitCode: run.exitCode ?? null,
    wallMs: round(times.wallMs),
    processMs: round(processMs),
    scenarioCount: times.scenarios.length,
    statuses: Object.fromEntries([...new Set(times.scenarios.map((s) => s.status))].map((st) => [st, times.scenarios.filter((s) => s.status === st).length])),
    scenarioSumMs: round(sumMs),
    baseline: { rule: 'ideal wall time: the scenario-time sum spread evenly over the workers', idealWallMs: round(sumMs / workers) },
    workers: times.workers.map((w) => ({ ...w, busyMs: round(w.busyMs), busyShare: Math.round((w.busyMs / times.wallMs) * 1000) / 1000 })),
    slowest: bySlowest.slice(0, Number(own.slowest)).map((s) => ({ ...s, ms: round(s.ms) })),
    over: {
      seconds: Number(own.over),
      scenarios: bySlowest.filter((s) => s.ms > overMs).map((s) => ({ name: s.name, where: s.where, ms: round(s.ms), slowBecause: s.slowBecause ?? null })),
      withoutReason: bySlowest.filter((s) => s.ms > overMs && !s.slowBecause).length,
    },
  }
  const out = resolve(own.out!)
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, JSON.stringify(report, null, 2) + '\n')
  const s = (x: number): string => (x / 1000).toFixed(1)
  process.stdout.write(
    `\nbench:suite: ${report.scenarioCount} scenarios, wall ${s(report.wallMs)} s (process ${s(report.processMs)} s), scenario time ${s(sumMs)} s, ideal wall on ${workers} worker(s) ${s(report.baseline.idealWallMs)} s\n`,
  )
  for (const w of report.workers)
    process.stdout.write(`  worker ${w.workerId}: busy ${s(w.busyMs)} s (${Math.round(w.busyShare * 100)}% of the wall time), ${w.scenarios} scenarios\n`)
  process.stdout.write(`  slowest:\n`)
  for (const x of report.slowest) process.stdout.write(`    ${s(x.ms).padStart(6)} s  ${x.where}  ${x.name}\n`)
  process.stdout.write(`  over ${own.over} s: ${report.over.scenarios.length}, ${report.over.withoutReason} without a "Slow:" reason\n`)
  for (const x of report.over.scenarios)
    process.stdout.write(`    ${s(x.ms).padStart(6)} s  ${x.where}  ${x.slowBecause ? `Slow: ${x.slowBecause}` : 'NO REASON STATED'}\n`)
  process.stdout.write(`  wrote ${out}\n`)
  return run.exitCode ?? 1
}

// run as a script (npm run bench:suite), not when a test imports suiteTimes
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exit(await main())
