import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadCatalogue, parseCatalogue } from './catalogue.js'
import { buildMatrix, cellFor, renderHtml, renderMarkdown } from './matrix.js'
import { collectRun, type Envelope, type RunResult, type ScenarioResult } from './results.js'
import { renderSkipSummary } from './skips.js'
import { proofByBehavior, proofCell, totalsOf, type MutantResult, type MutationReport } from './mutation.js'

const scenario = (name: string, tags: string[], status: ScenarioResult['status'], reasons: string[] = []): ScenarioResult => ({
  pickleId: name,
  name,
  uri: 'features/x.feature',
  line: 3,
  tags,
  status,
  reasons,
})

const catalogue = parseCatalogue(`
- {id: FLOW-01, section: Creating an object, note: "The user sends the desired state."}
- {id: FLOW-03, section: Creating an object, note: "Stored in etcd.", note_ar: "الـ API Server بيخزن الـ Object >> في الـ ETCD"}
- {id: CP-05, section: Cluster architecture, note: "Certificates | PKI", behavior: TLS everywhere, observe: a handshake}
- {id: ETCD-04, section: etcd, note: "Quorum."}
`)

const runs: RunResult[] = [
  {
    profile: 'default',
    finishedAt: '2026-11-26T10:00:00.000Z',
    scenarios: [scenario('a', ['@FLOW-01'], 'passed'), scenario('b', ['@CP-05', '@trace'], 'passed'), scenario('c', ['@CP-05'], 'passed')],
  },
  {
    profile: 'cluster',
    scenarios: [
      scenario('a', ['@FLOW-01', '@trace'], 'skipped', ['target "cluster" cannot run this scenario: @trace: no trace']),
      scenario('b', ['@CP-05', '@trace'], 'skipped', ['target "cluster" cannot run this scenario: @trace: no trace']),
      scenario('c', ['@CP-05'], 'failed', ['AssertionError: expected 401']),
    ],
  },
  { profile: 'docker', scenarios: [] },
]

describe('conformance matrix', () => {
  const m = buildMatrix(catalogue, runs, new Set(['FLOW-01', 'CP-05', 'FLOW-03']))
  const md = renderMarkdown(m)
  const html = renderHtml(m)

  it('has a row for every behavior of the catalogue, with or without a scenario', () => {
    assert.deepEqual(
      m.sections.flatMap((s) => s.rows.map((r) => r.behavior.id)),
      ['FLOW-01', 'FLOW-03', 'CP-05', 'ETCD-04'],
    )
    assert.deepEqual(
      m.sections.map((s) => s.name),
      ['Creating an object', 'Cluster architecture', 'etcd'],
    )
  })

  it('has a cell per profile: passed, failed, skipped with the reason, not in this profile, no scenario', () => {
    const status = (id: string) =>
      m.sections
        .flatMap((s) => s.rows)
        .find((r) => r.behavior.id === id)!
        .cells.map((c) => c.status)
    assert.deepEqual(status('FLOW-01'), ['passed', 'skipped', 'not-run'])
    assert.deepEqual(status('CP-05'), ['passed', 'failed', 'not-run'])
    assert.deepEqual(status('FLOW-03'), ['not-run', 'not-run', 'not-run'])
    assert.deepEqual(status('ETCD-04'), ['no-scenario', 'no-scenario', 'no-scenario'])
    assert.deepEqual(m.totals[0], { passed: 2, failed: 0, skipped: 0, partly: 0, 'not-run': 1, 'no-scenario': 1 })
  })

  it('writes Markdown with every id, the reasons numbered, and links to the profile report', () => {
    for (const b of catalogue) assert.match(md, new RegExp(`^\\| ${b.id} \\|`, 'm'), `${b.id} has a row`)
    assert.ok(
      md.includes(
        '| FLOW-01 | The user sends the desired state. | [✔ passed](default/cucumber.html?query=%40FLOW-01) | [↷ skipped (r1)](cluster/cucumber.html?query=%40FLOW-01) | — not in this profile |',
      ),
    )
    assert.ok(
      md.includes(
        '| CP-05 | Certificates \\| PKI | [✔ passed (2)](default/cucumber.html?query=%40CP-05) | [✘ failed 1 of 2 (r2)](cluster/cucumber.html?query=%40CP-05) |',
      ),
    )
    assert.ok(md.includes('- **r1**: target "cluster" cannot run this scenario: @trace: no trace'))
    assert.ok(md.includes('- **r2**: AssertionError: expected 401'))
    assert.ok(md.includes('| ETCD-04 | Quorum. | ∅ no scenario yet | ∅ no scenario yet | ∅ no scenario yet |'))
  })

  it('writes HTML with every id as a row and a cell per profile', () => {
    for (const b of catalogue) {
      assert.ok(html.includes(`<tr id="${b.id}">`), `${b.id} has a row`)
      for (const r of runs) assert.ok(html.includes(`data-behavior="${b.id}" data-profile="${r.profile}"`))
    }
    assert.ok(html.includes('<summary>Certificates | PKI</summary><p><b>Behavior:</b> TLS everywhere</p>'))
  })

  it('links each behavior id to the book when there is one', () => {
    const book = (id: string) => `book/index.html#${id}`
    assert.ok(renderHtml(m, { book }).includes('<td class="id"><a class="book" href="book/index.html#FLOW-01"'))
    assert.match(renderMarkdown(m, { book }), /^\| \[CP-05\]\(book\/index.html#CP-05\) \|/m)
    assert.ok(!html.includes('class="book"'), 'no book, no link')
  })

  it("shows the note in the notes' Arabic beside the English one, right to left", () => {
    assert.ok(md.includes('| FLOW-03 | Stored in etcd.<br><span dir="rtl" lang="ar">الـ API Server بيخزن الـ Object &gt;&gt; في الـ ETCD</span> |'))
    assert.ok(html.includes('Stored in etcd.<p class="note-ar" dir="rtl" lang="ar">الـ API Server بيخزن الـ Object &gt;&gt; في الـ ETCD</p>'))
    assert.ok(md.includes('| FLOW-01 | The user sends the desired state. |'), 'a behavior without note_ar gets no Arabic line')
  })

  it('every behavior of the real catalogue has its note in Arabic too', () => {
    assert.deepEqual(
      loadCatalogue()
        .filter((b) => !b.noteAr)
        .map((b) => b.id),
      [],
    )
  })

  it('lists every behavior of the real catalogue (features/behaviors.yaml)', () => {
    const real = loadCatalogue()
    const out = renderMarkdown(buildMatrix(real, runs))
    const outHtml = renderHtml(buildMatrix(real, runs))
    assert.ok(real.length >= 45)
    for (const b of real) {
      assert.match(out, new RegExp(`^\\| ${b.id} \\|`, 'm'), `${b.id} in the Markdown matrix`)
      assert.ok(outHtml.includes(`<tr id="${b.id}">`), `${b.id} in the HTML matrix`)
    }
  })

  it('says partly when some scenarios passed and the others were skipped', () => {
    const c = cellFor([scenario('a', [], 'passed'), scenario('b', [], 'skipped', ['no docker'])], true)
    assert.deepEqual([c.status, c.passed, c.reasons], ['partly', 1, ['no docker']])
  })
})

describe('the mutants column', () => {
  const mutant = (file: string, behaviors: string[], claim: string, status: MutantResult['status']): MutantResult => ({
    file,
    behaviors,
    claim,
    bug: 'a bug',
    layer: 'orchestrator',
    scenarios: behaviors.map((b) => `@${b}`).join(' or '),
    status,
    durationMs: 1000,
    at: '2026-11-26T10:00:00.000Z',
  })
  const results = [
    mutant('mutants/x/FLOW-01.a.patch', ['FLOW-01'], 'one request', 'killed'),
    mutant('mutants/x/CP-05.a.patch', ['CP-05'], 'TLS | everywhere', 'killed'),
    mutant('mutants/x/CP-05.b.patch', ['CP-05'], 'client <certs> checked', 'survived'),
    mutant('mutants/x/CP-05.c.patch', ['CP-05', 'FLOW-01'], 'both', 'stale'),
  ]
  const report: MutationReport = {
    generatedAt: '2026-11-26T10:00:00.000Z',
    tree: 'abc',
    totals: totalsOf(results),
    missing: ['FLOW-03', 'ETCD-04'],
    mutants: results,
    behaviors: proofByBehavior(
      results,
      catalogue.map((b) => b.id),
    ),
  }
  const m = buildMatrix(catalogue, runs, new Set(['FLOW-01', 'CP-05', 'FLOW-03']), report)
  const md = renderMarkdown(m)
  const html = renderHtml(m)

  const cases: { id: string; mutants: number; killed: number; text: string; md: string }[] = [
    { id: 'FLOW-01', mutants: 2, killed: 1, text: '1 of 2 killed', md: '✘ 1 of 2 killed<br>✔ one request<br>⌀ both (stale) |' },
    {
      id: 'CP-05',
      mutants: 3,
      killed: 1,
      text: '1 of 3 killed',
      md: '✘ 1 of 3 killed<br>✔ TLS \\| everywhere<br>✘ client &lt;certs&gt; checked (survived)<br>⌀ both (stale) |',
    },
    { id: 'FLOW-03', mutants: 0, killed: 0, text: 'no mutant', md: '∅ no mutant |' },
  ]
  for (const c of cases) {
    it(`${c.id}: ${c.text}`, () => {
      const row = m.sections.flatMap((s) => s.rows).find((r) => r.behavior.id === c.id)!
      assert.deepEqual([row.proof?.mutants, row.proof?.killed, proofCell(row.proof).text], [c.mutants, c.killed, c.text])
      const line = md.split('\n').find((l) => l.startsWith(`| ${c.id} |`))!
      assert.ok(line.endsWith(c.md), line)
      assert.ok(html.includes(`data-behavior="${c.id}" data-mutants="${c.mutants}"`))
    })
  }

  it('says "proven by N mutants" when every mutant of a behavior is killed', () => {
    assert.equal(proofCell({ mutants: 1, killed: 1, claims: [] }).text, 'proven by 1 mutant')
    assert.equal(proofCell({ mutants: 3, killed: 3, claims: [] }).text, 'proven by 3 mutants')
  })

  it('adds the column and a summary line only when the mutation suite has run', () => {
    assert.match(md, /^\| Behavior \| Note \| default \| cluster \| docker \| Mutants \|$/m)
    assert.match(md, /Mutants .*: 0 behaviors proven by their mutants, 2 with a mutant not killed, 2 without a mutant/)
    assert.ok(!renderMarkdown(buildMatrix(catalogue, runs)).includes('Mutants'))
    assert.ok(html.includes('<th>Mutants</th>'))
  })
})

describe('reading a run from Cucumber messages', () => {
  const ts = { seconds: 1795650000, nanos: 0 }
  const envelopes: Envelope[] = [
    { testRunStarted: { timestamp: ts } },
    { pickle: { id: 'p1', name: 'one', uri: 'features/a.feature', location: { line: 4 }, tags: [{ name: '@FLOW-01' }] } },
    { pickle: { id: 'p2', name: 'two', uri: 'features/a.feature', location: { line: 9 }, tags: [{ name: '@trace' }] } },
    { testCase: { id: 't1', pickleId: 'p1' } },
    { testCase: { id: 't2', pickleId: 'p2' } },
    // p1 fails once, is retried and passes
    { testCaseStarted: { id: 's1', testCaseId: 't1' } },
    { testStepFinished: { testCaseStartedId: 's1', testStepResult: { status: 'FAILED', message: 'Error: boom\n at x' } } },
    { testCaseFinished: { testCaseStartedId: 's1', willBeRetried: true } },
    { testCaseStarted: { id: 's2', testCaseId: 't1' } },
    { testStepFinished: { testCaseStartedId: 's2', testStepResult: { status: 'PASSED' } } },
    { testCaseFinished: { testCaseStartedId: 's2' } },
    // p2 is skipped by the capability gate, which logs why
    { testCaseStarted: { id: 's3', testCaseId: 't2' } },
    {
      attachment: {
        testCaseStartedId: 's3',
        mediaType: 'text/x.cucumber.log+plain',
        body: 'skipped: target "cluster" cannot run this scenario: @trace: no trace',
      },
    },
    { testStepFinished: { testCaseStartedId: 's3', testStepResult: { status: 'SKIPPED' } } },
    { testStepFinished: { testCaseStartedId: 's3', testStepResult: { status: 'SKIPPED' } } },
    { testCaseFinished: { testCaseStartedId: 's3' } },
    { testRunFinished: { timestamp: { seconds: 1795650002, nanos: 500_000_000 }, success: true } },
  ]
  const run = collectRun('cluster', envelopes)

  it('keeps the final attempt, the skip reason and the run times', () => {
    assert.deepEqual(
      run.scenarios.map((s) => [s.name, s.status, s.reasons, s.line]),
      [
        ['one', 'passed', [], 4],
        ['two', 'skipped', ['target "cluster" cannot run this scenario: @trace: no trace'], 9],
      ],
    )
    assert.equal(run.startedAt, '2026-11-25T23:40:00.000Z')
    assert.equal(run.finishedAt, '2026-11-25T23:40:02.500Z')
  })

  it('prints the skipped scenarios by reason', () => {
    assert.equal(
      renderSkipSummary(run),
      '\n1 scenario skipped, by reason:\n  target "cluster" cannot run this scenario: @trace: no trace\n    - features/a.feature:9  two\n',
    )
    assert.equal(renderSkipSummary({ profile: 'x', scenarios: [] }), '')
  })
})
