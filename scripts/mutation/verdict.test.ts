import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { classify, firstLines, readRun, type Envelope, type ProcessEnd, type Verdict } from './verdict.js'

const t = (s: number): { seconds: number; nanos: number } => ({ seconds: 1_800_000_000 + s, nanos: 0 })

/** The messages of a run of scenarios, each given as its steps' statuses (and messages). */
function messages(
  scenarios: { name: string; steps: [status: string, message?: string][]; finished?: boolean; retried?: boolean }[],
  finished = true,
  extra: Envelope[] = [],
): Envelope[] {
  const out: Envelope[] = [{ hook: { id: 'h1', name: 'capability gate', sourceReference: { uri: 'support/hooks.ts', location: { line: 30 } } } }, ...extra]
  scenarios.forEach((s, i) => {
    out.push({
      pickle: {
        id: `p${i}`,
        name: s.name,
        uri: 'features/a.feature',
        location: { line: 10 * (i + 1) },
        tags: [{ name: '@HEAL-02' }],
        steps: s.steps.map((_, j) => ({ id: `p${i}s${j}`, text: `step ${j + 1} of ${s.name}` })),
      },
    })
    out.push({
      testCase: {
        id: `t${i}`,
        pickleId: `p${i}`,
        testSteps: [{ id: `t${i}h`, hookId: 'h1' }, ...s.steps.map((_, j) => ({ id: `t${i}s${j}`, pickleStepId: `p${i}s${j}` }))],
      },
    })
  })
  scenarios.forEach((s, i) => {
    const attempts = s.retried ? 2 : 1
    for (let a = 0; a < attempts; a++) {
      const started = `c${i}a${a}`
      out.push({ testCaseStarted: { id: started, testCaseId: `t${i}`, timestamp: t(i * 10) } })
      const hookFails = s.steps[0]?.[0] === 'HOOK-FAILED'
      out.push({
        testStepFinished: {
          testCaseStartedId: started,
          testStepId: `t${i}h`,
          testStepResult: hookFails ? { status: 'FAILED', message: s.steps[0]![1] } : { status: 'PASSED' },
        },
      })
      const last = s.retried && a === 0
      s.steps.forEach(([status, message], j) => {
        if (hookFails) return
        out.push({
          testStepFinished: {
            testCaseStartedId: started,
            testStepId: `t${i}s${j}`,
            testStepResult: { status: last ? 'FAILED' : status, ...(message || last ? { message: message ?? 'flaky' } : {}) },
          },
        })
      })
      if (s.finished !== false) out.push({ testCaseFinished: { testCaseStartedId: started, timestamp: t(i * 10 + 4), willBeRetried: last } })
    }
  })
  if (finished) out.push({ testRunFinished: { success: scenarios.every((s) => s.steps.every(([st]) => st === 'PASSED')) } })
  return out
}

const ok: ProcessEnd = { timedOut: false, exitCode: 0 }
const failedExit: ProcessEnd = { timedOut: false, exitCode: 1 }

describe('the verdict on a mutant', () => {
  const cases: { name: string; envelopes: Envelope[]; end: ProcessEnd; expect?: 'timeout'; verdict: Partial<Verdict>; detail?: RegExp }[] = [
    {
      name: 'every scenario passed: survived',
      envelopes: messages([{ name: 'a', steps: [['PASSED'], ['PASSED']] }]),
      end: ok,
      verdict: { status: 'survived' },
    },
    {
      name: 'a step failed: killed, by that scenario and step, with the first lines of the error',
      envelopes: messages([
        { name: 'a', steps: [['PASSED'], ['FAILED', 'AssertionError: restarted after 1 failure\n    at x (y.ts:1)\n  expected 3']] },
        { name: 'b', steps: [['PASSED']] },
      ]),
      end: failedExit,
      verdict: {
        status: 'killed',
        killedBy: {
          scenario: 'a',
          uri: 'features/a.feature',
          line: 10,
          step: 'step 2 of a',
          message: 'AssertionError: restarted after 1 failure\n  expected 3',
        },
      },
    },
    {
      name: 'a hook failed (the cluster would not start): killed, by the hook',
      envelopes: messages([{ name: 'a', steps: [['HOOK-FAILED', 'Error: the API server did not start']] }]),
      end: failedExit,
      verdict: {
        status: 'killed',
        killedBy: {
          scenario: 'a',
          uri: 'features/a.feature',
          line: 10,
          step: 'hook "capability gate" (support/hooks.ts:30)',
          message: 'Error: the API server did not start',
        },
      },
    },
    {
      name: 'the final attempt after a retry counts',
      envelopes: messages([{ name: 'a', steps: [['PASSED']], retried: true }]),
      end: ok,
      verdict: { status: 'survived' },
    },
    {
      name: 'a missing capability in the strict profile is an error, never a kill',
      envelopes: messages([
        {
          name: 'a',
          steps: [
            [
              'HOOK-FAILED',
              'Error: target "builtin" cannot run this scenario: @docker: the Docker engine does not answer (this profile requires every capability)',
            ],
          ],
        },
      ]),
      end: failedExit,
      verdict: { status: 'error' },
      detail: /capability is missing .*@docker/,
    },
    {
      name: 'an undefined step is an error',
      envelopes: messages([{ name: 'a', steps: [['PASSED'], ['UNDEFINED']] }]),
      end: failedExit,
      verdict: { status: 'error' },
      detail: /a step is undefined in "a".*step 2 of a/,
    },
    {
      name: 'an ambiguous step is an error, even beside a failure',
      envelopes: messages([
        { name: 'a', steps: [['FAILED', 'x']] },
        { name: 'b', steps: [['AMBIGUOUS']] },
      ]),
      end: failedExit,
      verdict: { status: 'error' },
      detail: /ambiguous/,
    },
    {
      name: 'a skipped scenario is an error',
      envelopes: messages([{ name: 'a', steps: [['SKIPPED']] }]),
      end: ok,
      verdict: { status: 'error' },
      detail: /skipped, which proves nothing/,
    },
    { name: 'no scenario selected is an error', envelopes: messages([]), end: ok, verdict: { status: 'error' }, detail: /no scenario/ },
    {
      name: 'a process that dies before the end of the run is an error',
      envelopes: messages([{ name: 'a', steps: [['PASSED']], finished: false }], false),
      end: { timedOut: false, exitCode: 1, output: 'SyntaxError: x' },
      verdict: { status: 'error' },
      detail: /before the end of the run\nSyntaxError: x/,
    },
    {
      name: 'a process that cannot start is an error',
      envelopes: [],
      end: { timedOut: false, spawnError: 'ENOENT' },
      verdict: { status: 'error' },
      detail: /could not be started: ENOENT/,
    },
    {
      name: 'a run that fails outside every scenario is an error',
      envelopes: messages([{ name: 'a', steps: [['PASSED']] }]),
      end: failedExit,
      verdict: { status: 'error' },
      detail: /outside any scenario/,
    },
    {
      name: 'features that do not parse are an error',
      envelopes: messages([], true, [{ parseError: { message: 'unexpected end of file', source: { uri: 'features/a.feature' } } }]),
      end: failedExit,
      verdict: { status: 'error' },
      detail: /do not parse/,
    },
    {
      name: 'a run that exceeds its limit times out, naming where it hung',
      envelopes: messages(
        [
          { name: 'a', steps: [['PASSED']] },
          { name: 'b', steps: [['PASSED']], finished: false },
        ],
        false,
      ),
      end: { timedOut: true },
      verdict: { status: 'timeout' },
      detail: /in "b" \(features\/a.feature:20\)/,
    },
    {
      name: 'a timeout is a kill when the mutant expects the hang',
      envelopes: messages([{ name: 'b', steps: [['PASSED']], finished: false }], false),
      end: { timedOut: true },
      expect: 'timeout',
      verdict: {
        status: 'killed',
        killedBy: { scenario: 'b', uri: 'features/a.feature', line: 10, step: '(hung)', message: 'the run hung, as the mutant expects' },
      },
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const v = classify(readRun(c.envelopes), c.end, c.expect)
      for (const [k, val] of Object.entries(c.verdict)) assert.deepEqual(v[k as keyof Verdict], val, k)
      if (c.detail) assert.match(v.detail ?? '', c.detail)
    })
  }

  it('reads each scenario with its duration and whether it finished', () => {
    const run = readRun(
      messages(
        [
          { name: 'a', steps: [['PASSED']] },
          { name: 'b', steps: [['PASSED']], finished: false },
        ],
        false,
      ),
    )
    assert.deepEqual(
      run.scenarios.map((s) => [s.name, s.status, s.finished, s.durationMs]),
      [
        ['a', 'passed', true, 4000],
        ['b', 'passed', false, undefined],
      ],
    )
    assert.equal(run.finished, false)
  })

  it('keeps the first lines of an error, without the stack', () => {
    assert.equal(firstLines('Error: a\n    at f (x.ts:1)\n    at g (y.ts:2)\nmore'), 'Error: a\nmore')
    assert.equal(firstLines(undefined), '')
    assert.equal(firstLines('x'.repeat(2000)).length, 1001)
  })
})
