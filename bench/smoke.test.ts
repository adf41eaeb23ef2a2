// Every benchmark still runs: each `npm run bench:*` at a tiny size, as the README gives it
// (through npm, from the repository's root), its JSON written to a temp dir and read back. A
// benchmark that nobody runs rots (bench:scheduler did: its pods were refused once admission
// wanted a ServiceAccount); this keeps every one in `npm test` (npm run test:bench). The sizes
// here prove the code path, not the numbers: full-size runs stay manual (README, "Benchmarks").

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, test } from 'node:test'
import { execa } from 'execa'

const ROOT = resolve(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'ock-bench-smoke-'))
after(() => rmSync(dir, { recursive: true, force: true }))

interface Smoke {
  script: string
  args: string[]
  /** what the JSON must hold: a field path and a check of its value */
  checks: [string, (v: unknown) => boolean][]
  timeoutMs: number
  /** runs with nothing beside it: its exit status holds a timing budget (bench:startup's ratio to raw Docker) */
  alone?: true
}

const positive = (v: unknown): boolean => typeof v === 'number' && v > 0
const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0

const SMOKES: Smoke[] = [
  {
    script: 'bench:scheduler',
    args: ['--sizes', '50', '--pods', '100', '--concurrency', '20'],
    checks: [
      ['results.0.podsPerSecond', positive],
      ['results.0.baseline.podsPerSecond', positive],
    ],
    timeoutMs: 120_000,
  },
  {
    script: 'bench:etcd',
    args: ['--writes', '10', '--members', '1,3'],
    checks: [
      ['results.1.p50', positive],
      ['baseline.p50', positive],
    ],
    timeoutMs: 120_000,
  },
  {
    script: 'bench:startup',
    args: ['--pods', '2'],
    checks: [
      ['ockP99Ms', positive],
      ['rawP99Ms', positive],
    ],
    timeoutMs: 240_000,
    alone: true,
  },
  {
    script: 'bench:soak',
    args: ['--seconds', '3', '--objects', '30', '--object-kb', '16', '--watch-buffer-kb', '256'],
    checks: [['budget.pass', (v) => v === true]],
    timeoutMs: 120_000,
  },
  {
    script: 'bench:api',
    args: ['--ops', '20', '--concurrency', '1,5'],
    checks: [
      ['stores.etcd', nonEmpty],
      ['rawEtcd', nonEmpty],
      ['target.createP99Ms', positive],
      // where the time goes: CPU per request on both sides, and the store calls' own latency
      ['stores.etcd.0.create.cpuMsPerOp', positive],
      ['rawEtcd.0.create.cpuMsPerOp', positive],
      ['stores.etcd.0.create.storeCallP99Ms', positive],
    ],
    timeoutMs: 120_000,
  },
  {
    script: 'bench:boot',
    args: ['--runs', '1', '--configs', 'in-process,ock-up'],
    checks: [
      ['configs.in-process.milestones.podRunning.p50Ms', positive],
      ['configs.ock-up.milestones.podRunning.p50Ms', positive],
    ],
    timeoutMs: 120_000,
  },
  {
    script: 'bench:suite',
    args: ['-p', 'mutants', '--tags', '@ORCH-02'],
    checks: [
      ['scenarioSumMs', positive],
      ['workers', nonEmpty],
      ['slowest', nonEmpty],
    ],
    timeoutMs: 240_000,
  },
]

function field(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[k]), o)
}

function smoke(s: Smoke): void {
  test(`npm run ${s.script} -- ${s.args.join(' ')}`, { timeout: s.timeoutMs + 10_000 }, async () => {
    const out = join(dir, `${s.script.replace(':', '-')}.json`)
    const r = await execa('npm', ['run', '--silent', s.script, '--', ...s.args, '--out', out], {
      cwd: ROOT,
      reject: false,
      all: true,
      timeout: s.timeoutMs,
      stdin: 'ignore',
    })
    assert.equal(
      r.exitCode,
      0,
      `${s.script} exited ${r.exitCode ?? r.signal}:\n${String(r.all ?? '')
        .split('\n')
        .slice(-30)
        .join('\n')}`,
    )
    const json = JSON.parse(readFileSync(out, 'utf8')) as unknown
    for (const [path, ok] of s.checks) assert.ok(ok(field(json, path)), `${s.script}: ${path} is ${JSON.stringify(field(json, path))} in ${out}`)
  })
}

// a benchmark whose exit status holds a timing budget runs alone (a neighbour would spend it)
describe('the benchmarks with a timing budget, one at a time', () => {
  for (const s of SMOKES.filter((s) => s.alone)) smoke(s)
})

// the others two at a time: their smoke runs prove code paths, not numbers, and mostly wait on processes
describe('the other benchmarks at a tiny size, two at a time', { concurrency: 2 }, () => {
  for (const s of SMOKES.filter((s) => !s.alone)) smoke(s)
})
