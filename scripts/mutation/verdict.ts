// What one cucumber-js run of a mutant's scenarios says about the mutant, read from the run's
// Cucumber messages and how its process ended:
//   killed    a scenario failed (its first failing step, or hook, and the first lines of the error)
//   survived  every scenario passed
//   timeout   the run exceeded its limit (killed instead when the mutant says `Expect: timeout`)
//   error     the run could not judge the mutant: the process did not start or died before the
//             end of the run, no scenario was selected, a step was undefined, ambiguous or
//             pending, a scenario was skipped, a capability was missing (the strict profile
//             fails the scenario: that is the machine's lack, never a kill), or the run failed
//             outside every scenario
// The same reading serves the baseline (the scenarios unmutated must all pass).

import type { KilledBy, MutantStatus } from '../../support/report/mutation.js'

/** Envelope fields read here (a subset of @cucumber/messages' Envelope). */
export interface Envelope {
  pickle?: { id: string; name: string; uri: string; location?: { line: number }; tags: { name: string }[]; steps: { id: string; text: string }[] }
  hook?: { id: string; name?: string; sourceReference?: { uri?: string; location?: { line: number } } }
  testCase?: { id: string; pickleId: string; testSteps: { id: string; pickleStepId?: string; hookId?: string }[] }
  testCaseStarted?: { id: string; testCaseId: string; timestamp: Timestamp }
  testStepFinished?: { testCaseStartedId: string; testStepId: string; testStepResult: { status: string; message?: string } }
  testCaseFinished?: { testCaseStartedId: string; timestamp: Timestamp; willBeRetried?: boolean }
  testRunFinished?: { success?: boolean; message?: string }
  parseError?: { message: string; source?: { uri?: string } }
}

interface Timestamp {
  seconds: number | string
  nanos: number
}

const ms = (t: Timestamp): number => Number(t.seconds) * 1000 + Math.round(t.nanos / 1e6)

export type ScenarioStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'undefined' | 'ambiguous' | 'unknown'

export interface ScenarioOutcome {
  name: string
  uri: string
  line: number
  tags: string[]
  /** the worst status of its steps so far */
  status: ScenarioStatus
  /** it ended (false: the run stopped, or hung, in it) */
  finished: boolean
  /** the failing (or undefined, ambiguous, pending) step or hook */
  step?: string
  message?: string
  durationMs?: number
}

export interface RunReading {
  scenarios: ScenarioOutcome[]
  /** the run reached its end (testRunFinished) */
  finished: boolean
  success?: boolean
  parseErrors: string[]
}

const RANK: Record<string, number> = { passed: 1, skipped: 2, pending: 3, undefined: 4, ambiguous: 5, failed: 6 }

/** The scenarios a run selected, each with its final status (after retries) and duration. */
export function readRun(envelopes: Iterable<Envelope>): RunReading {
  const pickles = new Map<string, NonNullable<Envelope['pickle']>>()
  const hooks = new Map<string, NonNullable<Envelope['hook']>>()
  const testCases = new Map<string, NonNullable<Envelope['testCase']>>()
  const attempts = new Map<string, { pickleId: string; testCaseId: string; start: number; outcome: ScenarioOutcome }>()
  const final = new Map<string, ScenarioOutcome>()
  const reading: RunReading = { scenarios: [], finished: false, parseErrors: [] }
  for (const e of envelopes) {
    if (e.pickle) pickles.set(e.pickle.id, e.pickle)
    else if (e.hook) hooks.set(e.hook.id, e.hook)
    else if (e.testCase) testCases.set(e.testCase.id, e.testCase)
    else if (e.testCaseStarted) {
      const tc = testCases.get(e.testCaseStarted.testCaseId)
      const p = tc && pickles.get(tc.pickleId)
      if (!tc || !p) continue
      const outcome: ScenarioOutcome = {
        name: p.name,
        uri: p.uri,
        line: p.location?.line ?? 0,
        tags: p.tags.map((t) => t.name),
        status: 'passed',
        finished: false,
      }
      attempts.set(e.testCaseStarted.id, { pickleId: p.id, testCaseId: tc.id, start: ms(e.testCaseStarted.timestamp), outcome })
      final.set(p.id, outcome)
    } else if (e.testStepFinished) {
      const a = attempts.get(e.testStepFinished.testCaseStartedId)
      if (!a) continue
      const status = e.testStepFinished.testStepResult.status.toLowerCase() as ScenarioStatus
      const o = a.outcome
      if ((RANK[status] ?? 0) <= (RANK[o.status] ?? 0)) continue
      o.status = status
      if ((RANK[status] ?? 0) > RANK.skipped!) {
        o.step = stepName(testCases.get(a.testCaseId), e.testStepFinished.testStepId, pickles.get(a.pickleId), hooks)
        o.message = firstLines(e.testStepFinished.testStepResult.message)
      }
    } else if (e.testCaseFinished) {
      const a = attempts.get(e.testCaseFinished.testCaseStartedId)
      if (!a) continue
      a.outcome.durationMs = ms(e.testCaseFinished.timestamp) - a.start
      a.outcome.finished = true
    } else if (e.testRunFinished) {
      reading.finished = true
      reading.success = e.testRunFinished.success
    } else if (e.parseError) reading.parseErrors.push(`${e.parseError.source?.uri ?? ''}: ${e.parseError.message}`)
  }
  reading.scenarios = [...pickles.keys()].flatMap((id) => (final.has(id) ? [final.get(id)!] : []))
  return reading
}

function stepName(tc: Envelope['testCase'], testStepId: string, pickle: Envelope['pickle'], hooks: Map<string, NonNullable<Envelope['hook']>>): string {
  const ts = tc?.testSteps.find((s) => s.id === testStepId)
  if (ts?.pickleStepId) return pickle?.steps.find((s) => s.id === ts.pickleStepId)?.text ?? '(unknown step)'
  if (ts?.hookId) {
    const h = hooks.get(ts.hookId)
    const where = h?.sourceReference?.uri ? ` (${h.sourceReference.uri}:${h.sourceReference.location?.line ?? 0})` : ''
    return `hook ${h?.name ? `"${h.name}"` : ''}${where}`.replace('hook  ', 'hook ')
  }
  return '(unknown step)'
}

/** The first lines of an error message, enough to say what failed. */
export function firstLines(message: string | undefined, lines = 6, chars = 1000): string {
  if (!message) return ''
  const text = message
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .slice(0, lines)
    .join('\n')
    .trim()
  return text.length > chars ? `${text.slice(0, chars)}…` : text
}

/** A strict profile fails a scenario whose capability the machine lacks (support/hooks.ts says so). */
export const MISSING_CAPABILITY = /cannot run this scenario/

export interface ProcessEnd {
  /** the process could not be started */
  spawnError?: string
  timedOut: boolean
  exitCode?: number
  /** the last lines the process wrote, for errors */
  output?: string
}

export interface Verdict {
  status: Exclude<MutantStatus, 'stale' | 'invalid'>
  killedBy?: KilledBy
  detail?: string
}

/** The verdict on a mutant from its run (see the top of this file). */
export function classify(run: RunReading, end: ProcessEnd, expect?: 'timeout'): Verdict {
  const tail = end.output ? `\n${end.output}` : ''
  if (end.spawnError) return { status: 'error', detail: `cucumber-js could not be started: ${end.spawnError}` }
  const failed = run.scenarios.find((s) => s.status === 'failed' && !MISSING_CAPABILITY.test(s.message ?? ''))
  if (end.timedOut) {
    const hung = run.scenarios.find((s) => !s.finished)
    const where = hung ? ` in "${hung.name}" (${hung.uri}:${hung.line})` : ''
    if (expect === 'timeout')
      return {
        status: 'killed',
        killedBy: {
          scenario: hung?.name ?? '(none)',
          uri: hung?.uri ?? '',
          line: hung?.line ?? 0,
          step: '(hung)',
          message: 'the run hung, as the mutant expects',
        },
      }
    return { status: 'timeout', detail: `the run exceeded its time limit${where}${failed ? `; it had already failed "${failed.name}"` : ''}` }
  }
  if (run.parseErrors.length) return { status: 'error', detail: `the features do not parse: ${run.parseErrors.join('; ')}` }
  const broken = run.scenarios.find((s) => s.status === 'undefined' || s.status === 'ambiguous' || s.status === 'pending')
  if (broken) return { status: 'error', detail: `a step is ${broken.status} in "${broken.name}" (${broken.uri}:${broken.line}): ${broken.step ?? ''}` }
  const lacking = run.scenarios.find((s) => s.status === 'failed' && MISSING_CAPABILITY.test(s.message ?? ''))
  if (lacking) return { status: 'error', detail: `a capability is missing for "${lacking.name}" (${lacking.uri}:${lacking.line}): ${lacking.message}` }
  if (failed)
    return {
      status: 'killed',
      killedBy: { scenario: failed.name, uri: failed.uri, line: failed.line, step: failed.step ?? '(unknown step)', message: failed.message ?? '' },
    }
  if (!run.finished) return { status: 'error', detail: `cucumber-js ended (exit code ${end.exitCode ?? 'none'}) before the end of the run${tail}` }
  if (!run.scenarios.length) return { status: 'error', detail: 'no scenario was selected' }
  const skipped = run.scenarios.find((s) => s.status === 'skipped')
  if (skipped) return { status: 'error', detail: `"${skipped.name}" (${skipped.uri}:${skipped.line}) was skipped, which proves nothing` }
  if (end.exitCode !== 0 || run.success === false)
    return { status: 'error', detail: `every scenario passed but the run failed (exit code ${end.exitCode ?? 'none'}), outside any scenario${tail}` }
  return { status: 'survived' }
}
