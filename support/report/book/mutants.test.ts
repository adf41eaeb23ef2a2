import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { filesFor, loadPatches, mutantsFor, parseMutationReport, parsePatch, readMutationReport, tally, type MutantPatch } from './mutants.js'

const PATCH = `Behaviors: HEAL-02
Claim: restarted only after failureThreshold failures in a row
Bug: the kubelet restarts a container after its first failed liveness probe.
Layer: orchestrator
Weak-spot: HEAL-02 one-sided timing

diff --git a/orchestrator/kubelet/prober.ts b/orchestrator/kubelet/prober.ts
index 1..2 100644
--- a/orchestrator/kubelet/prober.ts
+++ b/orchestrator/kubelet/prober.ts
@@ -1 +1 @@
-a
+b
diff --git a/orchestrator/kubelet/kubelet.ts b/orchestrator/kubelet/kubelet.ts
--- a/orchestrator/kubelet/kubelet.ts
+++ b/orchestrator/kubelet/kubelet.ts
`

describe('mutants', () => {
  it('reads a patch: its header, and the files its diff changes', () => {
    assert.deepEqual(parsePatch('mutants/kubernetes-features/HEAL-02.threshold.patch', PATCH), {
      file: 'mutants/kubernetes-features/HEAL-02.threshold.patch',
      behaviors: ['HEAL-02'],
      claim: 'restarted only after failureThreshold failures in a row',
      bug: 'the kubelet restarts a container after its first failed liveness probe.',
      layer: 'orchestrator',
      weakSpot: 'HEAL-02 one-sided timing',
      touches: ['orchestrator/kubelet/prober.ts', 'orchestrator/kubelet/kubelet.ts'],
    })
    const two = parsePatch('x.patch', 'Behaviors: FLOW-03, FLOW-04\nScenarios: @FLOW-03 and not @docker\ndiff --git a/a.ts b/a.ts\n')
    assert.deepEqual(two.behaviors, ['FLOW-03', 'FLOW-04'])
    assert.equal(two.scenarios, '@FLOW-03 and not @docker')
    assert.deepEqual(two.touches, ['a.ts'])
  })

  it('reads mutation reports defensively', () => {
    const table: { name: string; doc: unknown; mutants: number; warnings: number; generatedAt?: string }[] = [
      { name: 'not an object', doc: 'x', mutants: 0, warnings: 1 },
      { name: 'no list', doc: { summary: {} }, mutants: 0, warnings: 1 },
      { name: 'empty list', doc: { mutants: [] }, mutants: 0, warnings: 0 },
      {
        name: 'good and bad entries',
        doc: {
          generatedAt: '2026-12-05T09:00:00Z',
          mutants: [
            { file: './m/a.patch', behaviors: ['A-1'], status: 'killed', killedBy: { scenario: 's', step: 'Then x', message: 'boom' } },
            { file: 'm/b.patch', status: 'exploded' },
            null,
            { behaviors: ['A-1'], status: 'killed' },
          ],
        },
        mutants: 1,
        warnings: 3,
        generatedAt: '2026-12-05T09:00:00Z',
      },
    ]
    for (const c of table) {
      const r = parseMutationReport(c.doc)
      assert.equal(r.mutants.length, c.mutants, c.name)
      assert.equal(r.warnings.length, c.warnings, c.name)
      assert.equal(r.generatedAt, c.generatedAt, c.name)
    }
    const r = parseMutationReport(table[3]!.doc)
    assert.deepEqual(r.mutants[0], { file: 'm/a.patch', behaviors: ['A-1'], status: 'killed', killedBy: { scenario: 's', step: 'Then x', message: 'boom' } })
  })

  it("gives a behavior's mutants with their verdicts, and where it lives", () => {
    const patches: MutantPatch[] = [
      { file: 'm/a.patch', behaviors: ['A-1'], touches: ['o/x.ts', 'o/y.ts'] },
      { file: 'm/b.patch', behaviors: ['A-1', 'B-1'], touches: ['o/y.ts'] },
      { file: 'm/c.patch', behaviors: ['B-1'], touches: ['o/z.ts'] },
    ]
    const report = parseMutationReport({
      mutants: [
        { file: 'm/a.patch', behaviors: ['A-1'], status: 'killed' },
        { file: 'm/gone.patch', behaviors: ['A-1'], status: 'survived', claim: 'old' },
      ],
    })
    const a = mutantsFor('A-1', patches, report)
    assert.deepEqual(
      a.map((m) => [m.file, m.status]),
      [
        ['m/a.patch', 'killed'],
        ['m/b.patch', undefined],
        ['m/gone.patch', 'survived'],
      ],
    )
    assert.deepEqual(filesFor(a), ['o/y.ts', 'o/x.ts'])
    assert.deepEqual(tally(a), { killed: 1, 'not-run': 1, survived: 1 })
    assert.deepEqual(mutantsFor('C-1', patches, report), [])
    assert.deepEqual(
      mutantsFor('B-1', patches).map((m) => m.status),
      [undefined, undefined],
    )
  })

  it('loads patches from the tree and the report from disk (none: no mutation run yet)', () => {
    const root = mkdtempSync(join(tmpdir(), 'ock-mutants-'))
    try {
      assert.deepEqual(loadPatches(root), [])
      assert.equal(readMutationReport(join(root, 'reports')), undefined)
      mkdirSync(join(root, 'mutants', 'kubernetes-features'), { recursive: true })
      writeFileSync(join(root, 'mutants', 'kubernetes-features', 'HEAL-02.threshold.patch'), PATCH)
      assert.deepEqual(
        loadPatches(root).map((p) => p.file),
        ['mutants/kubernetes-features/HEAL-02.threshold.patch'],
      )
      mkdirSync(join(root, 'reports'))
      writeFileSync(join(root, 'reports', 'mutation.json'), '{ half written')
      const r = readMutationReport(join(root, 'reports'))!
      assert.deepEqual(r.mutants, [])
      assert.match(r.warnings[0]!, /could not be read/)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
