import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CATALOGUE, CI, CLUSTER, DEFAULT, DOC, DOC_AR } from './book.testing.js'
import { parseFeature } from './gherkin.js'
import { buildBook, langOf, slug } from './model.js'
import { parseMutationReport, type MutantPatch } from './mutants.js'

const PATCHES: MutantPatch[] = [
  {
    file: 'mutants/kubernetes-features/HEAL-02.threshold.patch',
    behaviors: ['HEAL-02'],
    claim: 'after failureThreshold failures',
    touches: ['orchestrator/kubelet/prober.ts'],
  },
]

describe('the book model', () => {
  const files = new Map([
    [DOC.uri!, { language: 'en' as const, ids: new Set(['HEAL-01', 'HEAL-02']) }],
    [DOC_AR.uri!, { language: 'ar' as const, ids: new Set(['HEAL-02']) }],
    ['features/ar/etcd/quorum.feature', { language: 'ar' as const, ids: new Set(['ETCD-04']) }],
  ])
  const book = buildBook({
    catalogue: CATALOGUE,
    runs: [DEFAULT, CI, CLUSTER],
    known: new Set(['HEAL-01', 'HEAL-02', 'ETCD-04']),
    featureFiles: files,
    targets: { ci: 'builtin', cluster: 'cluster' },
    patches: PATCHES,
  })
  const behavior = (id: string) => book.sections.flatMap((s) => s.behaviors).find((b) => b.behavior.id === id)!

  it("has a chapter per section of the course, in the catalogue's order, every behavior in it", () => {
    assert.deepEqual(
      book.sections.map((s) => [s.name, s.slug, s.behaviors.map((b) => b.behavior.id)]),
      [
        ['Kubernetes features', 'kubernetes-features', ['HEAL-01', 'HEAL-02', 'HEAL-03']],
        ['etcd', 'etcd', ['ETCD-04']],
      ],
    )
  })

  it('puts each scenario in its language, from whichever run parsed it', () => {
    const b = behavior('HEAL-02')
    assert.deepEqual(
      b.scenarios.en.map((s) => s.key),
      ['features/x/probes.feature:9'],
    )
    assert.deepEqual(
      b.scenarios.ar.map((s) => s.key),
      ['features/ar/x/probes.feature:5'],
    )
    assert.equal(b.scenarios.ar[0]!.text.keyword, 'سيناريو')
    assert.deepEqual(behavior('HEAL-01').scenarios.ar, [], 'no Arabic edition yet')
  })

  it('gives the last result of each profile, per behavior and per scenario', () => {
    const b = behavior('HEAL-02')
    assert.deepEqual(
      b.results.map((r) => [r.profile, r.target, r.cell.status]),
      [
        ['default', undefined, 'passed'],
        ['ci', 'builtin', 'passed'],
        ['cluster', 'cluster', 'skipped'],
      ],
    )
    assert.deepEqual(
      b.scenarios.en[0]!.runs.map((r) => [r.profile, r.status]),
      [
        ['default', 'passed'],
        ['ci', 'passed'],
        ['cluster', 'skipped'],
      ],
    )
    // an outline: one scenario, its examples' results together
    const outline = behavior('HEAL-01').scenarios.en[0]!
    assert.deepEqual(outline.runs, [{ profile: 'ci', status: 'failed', passed: 1, total: 2, reasons: ['failed: because'] }])
    assert.equal(behavior('HEAL-01').results.find((r) => r.profile === 'ci')!.cell.status, 'failed')
  })

  it('shows the diagram of the most recent run that drew one, for every example', () => {
    assert.deepEqual(
      behavior('HEAL-02').scenarios.en[0]!.diagrams.map((d) => [d.profile, d.svg]),
      [['ci', '<svg width="300" height="120">ci s1</svg>']],
    )
    assert.deepEqual(
      behavior('HEAL-01').scenarios.en[0]!.diagrams.map((d) => [d.line, d.name]),
      [
        [26, 'p2 name'],
        [27, 'p3 name'],
      ],
    )
    assert.deepEqual(
      behavior('HEAL-02').scenarios.ar[0]!.diagrams.map((d) => d.svg),
      ['<svg width="300" height="120">ci ar</svg>'],
    )
  })

  it('says which feature files tag a behavior but have not run, and which have no scenario at all', () => {
    assert.deepEqual(behavior('ETCD-04').notRun, { en: [], ar: ['features/ar/etcd/quorum.feature'] })
    assert.deepEqual(
      behavior('ETCD-04').results.map((r) => r.cell.status),
      ['not-run', 'not-run', 'not-run'],
    )
    assert.deepEqual(
      behavior('HEAL-03').results.map((r) => r.cell.status),
      ['no-scenario', 'no-scenario', 'no-scenario'],
    )
  })

  it('gives the mutants of a behavior and where it lives; no report means no verdicts', () => {
    assert.deepEqual(behavior('HEAL-02').files, ['orchestrator/kubelet/prober.ts'])
    assert.equal(behavior('HEAL-02').mutants[0]!.status, undefined)
    assert.equal(book.mutation.report, undefined)
    const judged = buildBook({
      catalogue: CATALOGUE,
      runs: [],
      patches: PATCHES,
      mutation: parseMutationReport({ mutants: [{ file: PATCHES[0]!.file, behaviors: ['HEAL-02'], status: 'killed' }] }),
    })
    assert.equal(judged.sections[0]!.behaviors[1]!.mutants[0]!.status, 'killed')
  })

  it('lists the runs it was built from', () => {
    assert.deepEqual(
      book.runs.map((r) => [r.profile, r.scenarios, r.counts]),
      [
        ['default', 1, { passed: 1 }],
        ['ci', 4, { passed: 3, failed: 1 }],
        ['cluster', 1, { skipped: 1 }],
      ],
    )
  })

  it('names things plainly', () => {
    const table: [string, string][] = [
      ['Cluster architecture / master', 'cluster-architecture-master'],
      ['etcd', 'etcd'],
      ['Create object process', 'create-object-process'],
      ['!!!', 'section'],
    ]
    for (const [name, want] of table) assert.equal(slug(name), want)
    assert.deepEqual(['ar', 'en', 'en-GB', undefined].map(langOf), ['ar', 'en', 'en', 'en'])
  })
})

describe('the book model, for feature files no run has parsed', () => {
  const quorum = `# language: ar
@etcd
خاصية: تلاتة etcd members
  @ETCD-04
  سيناريو: الـ writes شغالة
    اذاً الـ writes عن طريق الـ API بتنجح
`
  const book = buildBook({
    catalogue: CATALOGUE,
    runs: [DEFAULT],
    known: new Set(['HEAL-01', 'HEAL-02', 'ETCD-04']),
    unrun: [parseFeature(quorum, 'features/ar/etcd/quorum.feature')],
  })
  const etcd = book.sections.flatMap((s) => s.behaviors).find((b) => b.behavior.id === 'ETCD-04')!

  it('shows their scenarios, read from the files, in their language and without a result', () => {
    assert.deepEqual(
      etcd.scenarios.ar.map((s) => [s.key, s.text.keyword, s.text.tags, s.runs]),
      [['features/ar/etcd/quorum.feature:5', 'سيناريو', ['@etcd', '@ETCD-04'], []]],
    )
  })

  it('says why a file cannot be read', () => {
    assert.throws(() => parseFeature('Feature: x\n  Scenario: y\n    Given z\n  Oops\n', 'features/x.feature'), /features\/x\.feature: \(4:3\)/)
  })
})
