// Runs cucumber-js in a copy of the tree as a child process of its own process group (so a
// timeout or an interrupt stops it with everything it started: kubectl, etcd members, the
// Docker containers it removes on SIGTERM), on the `mutants` profile of cucumber.js (English
// features, strict, no reports), with a messages file as its only report. Also selects
// scenarios without running them (Cucumber's API: the pickles a tag expression selects).

import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { execa } from 'execa'
import { loadConfiguration, loadSources } from '@cucumber/cucumber/api'
import type { Envelope, ProcessEnd } from './verdict.js'

export const PROFILE = 'mutants'

/** A scenario (pickle) as selection knows it: uri:line names it across runs of the same tree. */
export interface Selected {
  name: string
  uri: string
  line: number
}

export const scenarioKey = (s: { uri: string; line: number }): string => `${s.uri}:${s.line}`

const quiet = { stdout: new Writable({ write: (_c, _e, done) => done() }), stderr: new Writable({ write: (_c, _e, done) => done() }) }

/** The English scenarios the profile selects with this tag expression, in the tree at cwd. */
export async function selectScenarios(cwd: string, tags: string): Promise<Selected[]> {
  const env = { cwd, ...quiet }
  const { runConfiguration } = await loadConfiguration({ profiles: [PROFILE], provided: { tags } }, env)
  const plan = await loadSources(runConfiguration.sources, env)
  if (plan.errors.length) throw new Error(plan.errors.map((e) => `${e.uri ?? ''}: ${e.message}`).join('; '))
  return plan.plan.map((p) => ({ name: p.name, uri: p.uri, line: p.location.line }))
}

/** Child processes alive now, by pid (each leads its own process group). */
export class Children {
  private readonly alive = new Set<number>()
  /** Pids that had to be killed hard: what they started may be left behind. */
  readonly forced = new Set<number>()

  add(pid: number): void {
    this.alive.add(pid)
  }
  delete(pid: number): void {
    this.alive.delete(pid)
  }
  get pids(): number[] {
    return [...this.alive]
  }
  /** Signals every child's process group. */
  signal(sig: NodeJS.Signals): void {
    for (const pid of this.alive) {
      try {
        process.kill(-pid, sig)
        if (sig === 'SIGKILL') this.forced.add(pid)
      } catch {
        // already gone
      }
    }
  }
}

export interface CucumberRun {
  envelopes: Envelope[]
  end: ProcessEnd
  durationMs: number
}

export interface RunOptions {
  cwd: string
  tags: string
  /** where the messages go (overwritten) */
  messages: string
  timeoutMs: number
  failFast?: boolean
  parallel?: number
  children: Children
  /** extra cucumber-js arguments */
  args?: string[]
}

/** Time a child gets to clean up after SIGTERM before SIGKILL. */
const GRACE_MS = 15_000

export async function runCucumber(o: RunOptions): Promise<CucumberRun> {
  const bin = join(o.cwd, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js')
  const args = [
    bin,
    '-p',
    PROFILE,
    '--tags',
    o.tags,
    '--format',
    `message:${o.messages}`,
    ...(o.failFast ? ['--fail-fast'] : []),
    ...(o.parallel && o.parallel > 1 ? ['--parallel', String(o.parallel)] : []),
    ...(o.args ?? []),
  ]
  const started = Date.now()
  let timedOut = false
  const child = execa(process.execPath, args, { cwd: o.cwd, detached: true, reject: false, all: true, stdin: 'ignore', env: { FORCE_COLOR: '0' } })
  if (child.pid === undefined) {
    const r = await child
    return { envelopes: [], end: { timedOut: false, spawnError: String(r.all || r.message || 'no pid') }, durationMs: Date.now() - started }
  }
  const pid = child.pid
  o.children.add(pid)
  let hard: NodeJS.Timeout | undefined
  const limit = setTimeout(() => {
    timedOut = true
    try {
      process.kill(-pid, 'SIGTERM')
    } catch {
      // gone
    }
    hard = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL')
        o.children.forced.add(pid)
      } catch {
        // gone
      }
    }, GRACE_MS)
  }, o.timeoutMs)
  const result = await child
  clearTimeout(limit)
  if (hard) clearTimeout(hard)
  o.children.delete(pid)
  const output = tail(String(result.all ?? ''), 30)
  const spawnError = result.failed && result.exitCode === undefined && !result.signal && !timedOut ? result.message : undefined
  return {
    envelopes: readMessages(o.messages),
    end: { timedOut, ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}), output, ...(spawnError ? { spawnError } : {}) },
    durationMs: Date.now() - started,
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** A messages file's envelopes (large attachments skipped: none is needed here). */
export function readMessages(file: string): Envelope[] {
  if (!existsSync(file)) return []
  const out: Envelope[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('{"attachment"')) continue
    try {
      out.push(JSON.parse(line) as Envelope)
    } catch {
      // a run killed mid-write leaves half a line
    }
  }
  return out
}
