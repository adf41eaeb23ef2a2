import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gateSelection, onlyFilter, parseMutant, tagExpression, withKilledBy, type Mutant } from './mutant.js'

const DIFF = `diff --git a/orchestrator/kubelet/prober.ts b/orchestrator/kubelet/prober.ts
index 1111111..2222222 100644
--- a/orchestrator/kubelet/prober.ts
+++ b/orchestrator/kubelet/prober.ts
@@ -1,3 +1,3 @@
 a
-b
+c
 d
`
const FILE = 'mutants/kubernetes-features/HEAL-02.first-failure.patch'
const KNOWN = new Set(['HEAL-02', 'HEAL-03', 'ORCH-04'])
const header = (lines: string[]): string => `${lines.join('\n')}\n\n${DIFF}`
const GOOD = [
  'Behaviors: HEAL-02',
  'Claim: restarted only after failureThreshold failures in a row',
  'Bug: the kubelet restarts a container after its first failed liveness probe.',
  'Layer: orchestrator',
]

describe('reading a mutant file', () => {
  it('reads the header and keeps the diff from its first line', () => {
    const { mutant, errors } = parseMutant(header(GOOD), FILE, KNOWN)
    assert.deepEqual(errors, [])
    assert.deepEqual(
      { ...mutant, diff: mutant!.diff.split('\n')[0] },
      {
        file: FILE,
        behaviors: ['HEAL-02'],
        claim: 'restarted only after failureThreshold failures in a row',
        bug: 'the kubelet restarts a container after its first failed liveness probe.',
        layer: 'orchestrator',
        diff: 'diff --git a/orchestrator/kubelet/prober.ts b/orchestrator/kubelet/prober.ts',
      },
    )
    assert.equal(mutant!.diff, DIFF)
  })

  const valid: { name: string; lines: string[]; expect: Record<string, unknown> }[] = [
    {
      name: 'several behaviors, comma or space separated',
      lines: ['Behaviors: HEAL-02, HEAL-03 ORCH-04', ...GOOD.slice(1)],
      expect: { behaviors: ['HEAL-02', 'HEAL-03', 'ORCH-04'] },
    },
    { name: 'a Scenarios tag expression', lines: [...GOOD, 'Scenarios: @HEAL-02 and @docker'], expect: { scenarios: '@HEAL-02 and @docker' } },
    {
      name: 'the optional Weak-spot and Expect',
      lines: [...GOOD, 'Weak-spot: HEAL-02 one-sided timing', 'Expect: timeout'],
      expect: { weakSpot: 'HEAL-02 one-sided timing', expect: 'timeout' },
    },
    {
      name: 'a value continued on indented lines',
      lines: [GOOD[0]!, GOOD[1]!, 'Bug: the kubelet restarts', '  after the first failure.', GOOD[3]!],
      expect: { bug: 'the kubelet restarts after the first failure.' },
    },
    {
      name: 'keys in any case, layers of the runtime adapter and the fixture',
      lines: ['behaviors: HEAL-02', 'CLAIM: c', 'bug: b', 'layer: runtime adapter'],
      expect: { claim: 'c', layer: 'runtime adapter' },
    },
  ]
  for (const c of valid) {
    it(`reads ${c.name}`, () => {
      const { mutant, errors } = parseMutant(header(c.lines), FILE, KNOWN)
      assert.deepEqual(errors, [])
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual((mutant as unknown as Record<string, unknown>)[k], v, k)
    })
  }

  const invalid: { name: string; text: string; file?: string; error: RegExp }[] = [
    { name: 'no diff', text: `${GOOD.join('\n')}\n\n`, error: /no diff/ },
    { name: 'no blank line before the diff', text: `${GOOD.join('\n')}\n${DIFF}`, error: /header ends with a blank line/ },
    { name: 'text between the header and the diff', text: `${GOOD.join('\n')}\n\nsome words\n${DIFF}`, error: /only blank lines/ },
    {
      name: 'an unknown key (a typo would silently change what runs)',
      text: header([...GOOD, 'Scenario: @HEAL-02']),
      error: /"Scenario: @HEAL-02" is not a header line/,
    },
    { name: 'a missing Claim', text: header([GOOD[0]!, GOOD[2]!, GOOD[3]!]), error: /Claim: missing/ },
    { name: 'a missing Bug', text: header([GOOD[0]!, GOOD[1]!, GOOD[3]!]), error: /Bug: missing/ },
    { name: 'a missing Layer', text: header(GOOD.slice(0, 3)), error: /Layer: missing/ },
    {
      name: 'an unknown Layer',
      text: header([...GOOD.slice(0, 3), 'Layer: scheduler']),
      error: /"scheduler" is none of orchestrator \| runtime adapter \| fixture/,
    },
    { name: 'no Behaviors', text: header(GOOD.slice(1)), error: /Behaviors: missing/ },
    { name: 'a behavior id not in the catalogue', text: header(['Behaviors: HEAL-02 HEAL-99', ...GOOD.slice(1)]), error: /HEAL-99 is not in the catalogue/ },
    { name: 'something that is no behavior id', text: header(['Behaviors: heal-2', ...GOOD.slice(1)]), error: /"heal-2" is not a behavior id/ },
    { name: 'a file named for another behavior', text: header(GOOD), file: 'mutants/x/ORCH-04.y.patch', error: /named for ORCH-04/ },
    { name: 'a file name without slug', text: header(GOOD), file: 'mutants/x/HEAL-02.patch', error: /not <BEHAVIOR-ID>\.<slug>\.patch/ },
    { name: 'an Expect other than timeout', text: header([...GOOD, 'Expect: survived']), error: /Expect: "survived"/ },
    { name: 'a key given twice', text: header([...GOOD, 'Claim: again']), error: /Claim given twice/ },
  ]
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      const { mutant, errors } = parseMutant(c.text, c.file ?? FILE, KNOWN)
      assert.equal(mutant, undefined)
      assert.match(errors.join('\n'), c.error)
    })
  }
})

describe("a mutant's scenarios", () => {
  const cases: [Parameters<typeof tagExpression>[0], string][] = [
    [{ behaviors: ['HEAL-02'] }, '@HEAL-02'],
    [{ behaviors: ['FLOW-03', 'FLOW-04'] }, '@FLOW-03 or @FLOW-04'],
    [{ behaviors: ['ORCH-07'], scenarios: '@ORCH-07 and @docker' }, '@ORCH-07 and @docker'],
  ]
  for (const [m, expr] of cases) it(`${JSON.stringify(m)} selects ${expr}`, () => assert.equal(tagExpression(m), expr))
})

describe('--only', () => {
  const repo = mkdtempSync(join(tmpdir(), 'ock-only-test-'))
  const files = ['mutants/a/HEAL-02.first.patch', 'mutants/a/HEAL-03.gone.patch', 'mutants/b/FLOW-03.both.patch']
  for (const f of files) {
    mkdirSync(join(repo, f, '..'), { recursive: true })
    writeFileSync(join(repo, f), '')
  }
  const parsed = new Map<string, Mutant>(
    files.map((f) => [f, { behaviors: f.includes('FLOW') ? ['FLOW-03', 'HEAL-02'] : [f.split('/')[2]!.split('.')[0]!] } as Mutant]),
  )
  const cases: [string[] | undefined, string[]][] = [
    [undefined, files],
    [['HEAL-02'], ['mutants/a/HEAL-02.first.patch', 'mutants/b/FLOW-03.both.patch']],
    [['HEAL-03.gone.patch'], ['mutants/a/HEAL-03.gone.patch']],
    [['HEAL-0*'], ['mutants/a/HEAL-02.first.patch', 'mutants/a/HEAL-03.gone.patch']],
    [['mutants/b/*'], ['mutants/b/FLOW-03.both.patch']],
    [['NOPE-1'], []],
  ]
  for (const [only, kept] of cases)
    it(`${JSON.stringify(only)} keeps ${kept.length}`, () => assert.deepEqual([...onlyFilter(repo, files, only, parsed)].sort(), [...kept].sort()))
  it('cleans up', () => rmSync(repo, { recursive: true, force: true }))
})

describe('--gate and Killed-by hints', () => {
  const m = (file: string, behaviors: string[], weakSpot?: string): Mutant => ({
    file,
    behaviors,
    claim: 'c',
    bug: 'b',
    layer: 'orchestrator',
    diff: '',
    ...(weakSpot ? { weakSpot } : {}),
  })
  const cases: { name: string; mutants: Mutant[]; gate: string[] }[] = [
    {
      name: 'one per behavior, the first by name',
      mutants: [m('b/A-1.y.patch', ['A-1']), m('b/A-1.x.patch', ['A-1']), m('b/B-2.x.patch', ['B-2'])],
      gate: ['b/A-1.x.patch', 'b/B-2.x.patch'],
    },
    {
      name: 'every weak-spot mutant, and it covers its behavior',
      mutants: [m('b/A-1.x.patch', ['A-1']), m('b/A-1.y.patch', ['A-1'], 'A-1 one-sided'), m('b/A-1.z.patch', ['A-1'], 'A-1 echo')],
      gate: ['b/A-1.y.patch', 'b/A-1.z.patch'],
    },
    { name: 'a mutant of two behaviors covers both', mutants: [m('b/A-1.x.patch', ['A-1', 'B-2']), m('b/B-2.x.patch', ['B-2'])], gate: ['b/A-1.x.patch'] },
  ]
  for (const c of cases)
    it(c.name, () =>
      assert.deepEqual(
        gateSelection(c.mutants).map((x) => x.file),
        c.gate,
      ),
    )
  it('the cheapest mutant of a behavior the weak spots leave out, by its cost', () => {
    const mutants = [m('b/A-1.x.patch', ['A-1']), m('b/A-1.y.patch', ['A-1']), m('b/B-2.x.patch', ['B-2'], 'B-2 echo')]
    const cost = (x: Mutant): number => ({ 'b/A-1.x.patch': 30_000, 'b/A-1.y.patch': 4_000, 'b/B-2.x.patch': 90_000 })[x.file]!
    assert.deepEqual(
      gateSelection(mutants, cost).map((x) => x.file),
      ['b/A-1.y.patch', 'b/B-2.x.patch'],
    )
  })

  const header = 'Behaviors: HEAL-02\nClaim: c\nBug: b\n  more of the bug\nLayer: orchestrator\n\ndiff --git a/x b/x\n'
  it('adds a Killed-by line after the header', () => {
    const text = withKilledBy(header, 'A scenario')
    assert.equal(text, 'Behaviors: HEAL-02\nClaim: c\nBug: b\n  more of the bug\nLayer: orchestrator\nKilled-by: A scenario\n\ndiff --git a/x b/x\n')
    assert.equal(parseMutant(text, 'mutants/x/HEAL-02.s.patch').mutant?.killedBy, 'A scenario')
  })
  it('replaces a Killed-by line and its continuation', () => {
    const old = header.replace('Layer: orchestrator\n', 'Killed-by: Old\n  name\nLayer: orchestrator\n')
    assert.equal(withKilledBy(old, 'New'), withKilledBy(header, 'New'))
  })
})
