import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CATALOGUE, CI, CLUSTER, DOC, DOC_AR, pickle } from './book.testing.js'
import { featurePaths, renderExplain, renderRunDiagrams } from './explain.js'
import { buildBook } from './model.js'
import { parseMutationReport } from './mutants.js'

const files = new Map([
  [DOC.uri!, { language: 'en' as const, ids: new Set(['HEAL-01', 'HEAL-02']) }],
  [DOC_AR.uri!, { language: 'ar' as const, ids: new Set(['HEAL-02']) }],
  ['features/ar/etcd/quorum.feature', { language: 'ar' as const, ids: new Set(['ETCD-04']) }],
])
const patches = [
  {
    file: 'mutants/k/HEAL-02.threshold.patch',
    behaviors: ['HEAL-02'],
    claim: 'after failureThreshold failures',
    bug: 'restarts after the first failure',
    layer: 'orchestrator',
    touches: ['orchestrator/kubelet/prober.ts'],
  },
]

function explain(id: string, mutation?: ReturnType<typeof parseMutationReport>): string {
  const book = buildBook({
    catalogue: CATALOGUE,
    runs: [CI, CLUSTER],
    featureFiles: files,
    targets: { ci: 'builtin', cluster: 'cluster' },
    patches,
    ...(mutation ? { mutation } : {}),
  })
  const section = book.sections.find((s) => s.behaviors.some((b) => b.behavior.id === id))!
  return renderExplain(
    section.behaviors.find((b) => b.behavior.id === id)!,
    section.name,
    { mutationRan: mutation !== undefined },
  )
}

describe('ock explain', () => {
  const text = explain('HEAL-02')

  it('gives the note in both languages, the scenarios in both, where it lives, the last results', () => {
    const expected = [
      'HEAL-02 · Kubernetes features',
      'Note, as the course writes it:\n  Self-Healing: عن طريق الـ Liveness Probe',
      'Note, in English:\n  Self-healing through the liveness probe.',
      'Needs:    runtime: docker',
      'Scenarios (English):\n  features/x/probes.feature:9   (ci passed · cluster skipped)\n    Background:\n      Given a cluster with 1 node\n    @docker @HEAL-02\n    Scenario: liveness restarts',
      'Scenarios (Arabic):\n  features/ar/x/probes.feature:5   (ci passed)\n    @docker @HEAL-02\n    سيناريو: الـ liveness probe بتعمل restart\n      بفرض cluster فيه 1 node',
      'Where it lives in the orchestrator:\n  orchestrator/kubelet/prober.ts',
      'Last result:\n  ci       builtin  ✔ passed (2)   2026-12-05 08:55:41 UTC\n  cluster  cluster  ↷ skipped   2026-12-05 08:56:30 UTC\n                    skipped: because',
      'Mutation proof:\n  1 mutant: 1 not run yet (no mutation run yet)\n  - [not run] after failureThreshold failures\n      bug: restarts after the first failure\n      mutants/k/HEAL-02.threshold.patch (orchestrator)',
    ]
    for (const part of expected) assert.ok(text.includes(part), `has:\n${part}\n--- in ---\n${text}`)
  })

  it('says what is missing instead of leaving it out', () => {
    const table: { id: string; has: string[] }[] = [
      {
        id: 'HEAL-01',
        has: [
          'Scenarios (Arabic):\n  no Arabic edition yet',
          '  no mutant names it yet (mutants/<section>/HEAL-01.<slug>.patch)',
          '✘ failed (2)',
          'no mutation run yet; no mutant for this behavior yet',
        ],
      },
      { id: 'HEAL-03', has: ['Scenarios (English):\n  none in the last runs', '∅ no scenario yet'] },
      { id: 'ETCD-04', has: ['  not run yet: features/ar/etcd/quorum.feature', '— not in this profile'] },
    ]
    for (const c of table) {
      const t = explain(c.id)
      for (const part of c.has) assert.ok(t.includes(part), `${c.id} has:\n${part}\n--- in ---\n${t}`)
    }
  })

  it('gives the verdicts of a mutation run', () => {
    const t = explain(
      'HEAL-02',
      parseMutationReport({
        mutants: [
          {
            file: patches[0]!.file,
            behaviors: ['HEAL-02'],
            status: 'killed',
            killedBy: { scenario: 'liveness restarts', step: 'Then the pod has:', message: 'expected 1\n  at x' },
          },
        ],
      }),
    )
    assert.ok(t.includes('  1 mutant: 1 killed\n  - [killed] after failureThreshold failures'))
    assert.ok(t.includes('      caught by: liveness restarts / Then the pod has: / expected 1\n'))
  })

  it('prints each scenario of a --run with its diagram as text', () => {
    const s = {
      ...pickle('r1', DOC.uri!, 9, ['s1'], ['@HEAL-02'], 'passed'),
      attachments: [{ mediaType: 'text/plain', body: 'Sequence: x\n   +1 ms  a -> b  get\n', fileName: 'sequence-diagram.txt' }],
    }
    const f = { ...pickle('r2', DOC.uri!, 26, ['s2'], ['@HEAL-02'], 'failed'), attachments: [] }
    const out = renderRunDiagrams({ profile: 'explain', scenarios: [s, f] })
    assert.ok(out.includes('── r1 name  (features/x/probes.feature:9): passed\n\nSequence: x\n   +1 ms  a -> b  get\n'))
    assert.ok(out.includes('── r2 name  (features/x/probes.feature:26): failed\n   failed: because\n\n(no diagram'))
  })

  it('runs one language: the Arabic editions are the ones under features/ar/', () => {
    assert.deepEqual(featurePaths(true), ['features/ar/**/*.feature'])
    assert.deepEqual(featurePaths(false), ['features/*.feature', 'features/!(ar)/**/*.feature'])
  })
})
