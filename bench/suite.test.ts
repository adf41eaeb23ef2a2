import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Envelope } from '@cucumber/messages'
import { suiteTimes } from './suite.js'

const at = (s: number): { seconds: number; nanos: number } => ({ seconds: Math.floor(s), nanos: Math.round((s % 1) * 1e9) })
const pickle = (id: string, line: number): Envelope =>
  ({
    pickle: { id, name: `scenario ${id}`, uri: 'features/x.feature', location: { line, column: 1 }, language: 'en', steps: [], tags: [], astNodeIds: [] },
  }) as Envelope
const kase = (id: string, pickleId: string): Envelope => ({ testCase: { id, pickleId, testSteps: [] } }) as Envelope
const start = (id: string, testCaseId: string, s: number, workerId?: string): Envelope =>
  ({ testCaseStarted: { id, testCaseId, attempt: 0, timestamp: at(s), ...(workerId ? { workerId } : {}) } }) as Envelope
const step = (id: string, status: string): Envelope =>
  ({ testStepFinished: { testCaseStartedId: id, testStepId: 's', timestamp: at(0), testStepResult: { status, duration: at(0) } } }) as Envelope
const finish = (id: string, s: number): Envelope => ({ testCaseFinished: { testCaseStartedId: id, timestamp: at(s), willBeRetried: false } }) as Envelope

test('suiteTimes: wall time, each scenario once (a retry adds its time), the worst step status, busy time per worker', () => {
  const t = suiteTimes([
    { testRunStarted: { timestamp: at(100) } } as Envelope,
    pickle('p1', 3),
    pickle('p2', 9),
    kase('c1', 'p1'),
    kase('c2', 'p2'),
    start('a', 'c1', 101, '0'),
    start('b', 'c2', 101, '1'),
    step('a', 'PASSED'),
    step('a', 'FAILED'),
    finish('a', 104),
    step('b', 'PASSED'),
    finish('b', 102.5),
    start('a2', 'c1', 104, '0'),
    step('a2', 'PASSED'),
    finish('a2', 106),
    { testRunFinished: { timestamp: at(107), success: true } } as Envelope,
  ])
  assert.equal(t.wallMs, 7000)
  assert.deepEqual(
    t.scenarios.map((s) => [s.where, Math.round(s.ms), s.status, s.workerId]),
    [
      ['features/x.feature:3', 5000, 'PASSED', '0'],
      ['features/x.feature:9', 1500, 'PASSED', '1'],
    ],
  )
  assert.deepEqual(
    t.workers.map((w) => [w.workerId, Math.round(w.busyMs), w.scenarios]),
    [
      ['0', 5000, 1],
      ['1', 1500, 1],
    ],
  )
})

test('suiteTimes: a serial run has one worker, "main"', () => {
  const t = suiteTimes([pickle('p', 1), kase('c', 'p'), start('s', 'c', 1), finish('s', 2)])
  assert.deepEqual(
    t.workers.map((w) => w.workerId),
    ['main'],
  )
})

test('suiteTimes: a scenario says why it is slow in a "Slow:" line of its description', () => {
  const doc = {
    gherkinDocument: {
      uri: 'features/x.feature',
      comments: [],
      feature: {
        children: [
          { scenario: { id: 'sc1', description: '    Slow: it waits out a 5 s window.\n    More text.' } },
          { scenario: { id: 'sc2', description: '' } },
          { scenario: { id: 'sc3', description: '    بطيء: etcd بيفضل واقع 6 ثواني عن قصد.' } },
        ],
      },
    },
  } as unknown as Envelope
  const withAst = (id: string, line: number, ast: string): Envelope => ({ pickle: { ...pickle(id, line).pickle!, astNodeIds: [ast] } }) as Envelope
  const t = suiteTimes([
    doc,
    withAst('p1', 3, 'sc1'),
    withAst('p2', 9, 'sc2'),
    withAst('p3', 15, 'sc3'),
    kase('c1', 'p1'),
    kase('c2', 'p2'),
    kase('c3', 'p3'),
    start('a', 'c1', 1),
    finish('a', 30),
    start('b', 'c2', 1),
    finish('b', 25),
    start('c', 'c3', 1),
    finish('c', 22),
  ])
  assert.deepEqual(
    t.scenarios.map((s) => [s.where, s.slowBecause]),
    [
      ['features/x.feature:3', 'it waits out a 5 s window.'],
      ['features/x.feature:9', undefined],
      ['features/x.feature:15', 'etcd بيفضل واقع 6 ثواني عن قصد.'],
    ],
  )
})
