import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectRun, readRun, type Envelope } from './results.js'

const svg = (n: number): string => Buffer.from(`<svg n="${n}"/>`).toString('base64')

/** One scenario tried twice (the first attempt retried), each attempt with a diagram. */
const envelopes: Envelope[] = [
  { gherkinDocument: { uri: 'features/x.feature', feature: { location: { line: 1 }, language: 'en', keyword: 'Feature', name: 'X', tags: [], children: [] } } },
  {
    pickle: {
      id: 'p1',
      name: 'heals',
      uri: 'features/x.feature',
      location: { line: 7 },
      tags: [{ name: '@HEAL-02' }],
      astNodeIds: ['s1', 'r1'],
      language: 'en',
    },
  },
  { testCase: { id: 'tc1', pickleId: 'p1' } },
  { testCaseStarted: { id: 'a1', testCaseId: 'tc1' } },
  { testStepFinished: { testCaseStartedId: 'a1', testStepResult: { status: 'FAILED', message: 'boom\nstack' } } },
  { attachment: { testCaseStartedId: 'a1', mediaType: 'image/svg+xml', body: svg(1), contentEncoding: 'BASE64' } },
  { testCaseFinished: { testCaseStartedId: 'a1', willBeRetried: true } },
  { testCaseStarted: { id: 'a2', testCaseId: 'tc1' } },
  { testStepFinished: { testCaseStartedId: 'a2', testStepResult: { status: 'PASSED' } } },
  { attachment: { testCaseStartedId: 'a2', mediaType: 'image/svg+xml', body: svg(2), contentEncoding: 'BASE64', fileName: 'sequence-diagram.svg' } },
  { attachment: { testCaseStartedId: 'a2', mediaType: 'text/plain', body: 'a -> b', contentEncoding: 'IDENTITY' } },
  { testCaseFinished: { testCaseStartedId: 'a2' } },
]

describe('run results', () => {
  it('keeps the last attempt: status, and its attachments of the media types asked for, decoded', () => {
    const run = collectRun('ci', envelopes, { attachments: ['image/svg+xml'] })
    assert.equal(run.scenarios.length, 1)
    const s = run.scenarios[0]!
    assert.equal(s.status, 'passed')
    assert.deepEqual(s.astNodeIds, ['s1', 'r1'])
    assert.equal(s.language, 'en')
    assert.deepEqual(s.attachments, [{ mediaType: 'image/svg+xml', body: '<svg n="2"/>', fileName: 'sequence-diagram.svg' }])
    assert.equal(run.documents, undefined, 'documents only when asked')
  })

  it('keeps nothing extra unless asked (the matrix reads only statuses)', () => {
    const s = collectRun('ci', envelopes).scenarios[0]!
    assert.equal(s.attachments, undefined)
  })

  it('reads the same from a messages.ndjson file, with the Gherkin documents when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ock-results-'))
    try {
      const file = join(dir, 'messages.ndjson')
      writeFileSync(file, envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n')
      const run = readRun('ci', file, { attachments: ['text/plain'], documents: true })
      assert.deepEqual(run.scenarios[0]!.attachments, [{ mediaType: 'text/plain', body: 'a -> b' }])
      assert.equal(run.documents?.[0]?.feature?.name, 'X')
      assert.equal(readRun('ci', file).documents, undefined)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
