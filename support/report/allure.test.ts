import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { enrichResults, labelResult, liftDiagrams, type AllureResult } from './allure.js'
import { parseCatalogue } from './catalogue.js'

const catalogue = parseCatalogue(`
- {id: FLOW-01, section: Creating an object, note: "The user sends the desired state.", note_ar: "الـ user بيبعت الـ Desired State", behavior: One request carries the Deployment., observe: the trace shows one create}
- {id: FLOW-04, section: Creating an object, note: "The user is told only after etcd confirms."}
`)
const byId = new Map(catalogue.map((b) => [b.id, b]))

const result = (over: Partial<AllureResult> = {}): AllureResult => ({
  uuid: 'r1',
  name: '1. The user sends the desired state',
  fullName: 'ock:features/create-object/api-half.feature#1. The user sends the desired state',
  status: 'passed',
  description: 'The course walks through nine steps.',
  labels: [
    { name: 'feature', value: "Creating an object: the API server's half" },
    { name: 'tag', value: '@trace' },
    { name: 'tag', value: '@FLOW-01' },
    { name: 'tag', value: '@FLOW-04' },
  ],
  ...over,
})

describe('Allure results labelled from the catalogue', () => {
  it('sets epic = section, story = behavior id, suites, and describes the note', () => {
    const r = labelResult(result(), byId)
    const labels = (name: string) => r.labels.filter((l) => l.name === name).map((l) => l.value)
    assert.deepEqual(labels('epic'), ['Creating an object'])
    assert.deepEqual(labels('story'), ['FLOW-01', 'FLOW-04'])
    assert.deepEqual(labels('feature'), ["Creating an object: the API server's half"])
    assert.deepEqual([labels('parentSuite'), labels('suite')], [['Creating an object'], ["Creating an object: the API server's half"]])
    assert.match(
      r.description!,
      /^\*\*FLOW-01\*\* \(Creating an object\): The user sends the desired state\.\n- \*In the notes:\* الـ user بيبعت الـ Desired State\n- \*Behavior:\* One request carries the Deployment\.\n- \*Observed:\* the trace shows one create/,
    )
    assert.match(r.description!, /\*\*FLOW-04\*\*/)
    assert.match(r.description!, /The course walks through nine steps\.$/)
  })

  it("gives the note in the notes' Arabic, right to left, and tags Arabic scenarios lang:ar", () => {
    const en = labelResult(result(), byId)
    assert.match(en.description!, /\n- \*In the notes:\* الـ user بيبعت الـ Desired State\n/)
    assert.ok(en.descriptionHtml!.includes('<p dir="rtl" lang="ar">الـ user بيبعت الـ Desired State</p>'))
    assert.ok(!en.labels.some((l) => l.value === 'lang:ar'))
    const ar = labelResult(
      result({ fullName: 'ock:features/ar/create-object/api-half.feature#1. الـ user بيبعت', description: 'الـ Create Object Process' }),
      byId,
    )
    assert.deepEqual(
      ar.labels.filter((l) => l.value === 'lang:ar'),
      [{ name: 'tag', value: 'lang:ar' }],
    )
    assert.ok(ar.descriptionHtml!.endsWith('<p dir="auto">الـ Create Object Process</p>'))
    assert.deepEqual(labelResult(ar, byId), ar)
  })

  it('changes nothing the second time', () => {
    const once = labelResult(result(), byId)
    assert.deepEqual(labelResult(once, byId), once)
  })

  it('leaves results without a behavior tag alone', () => {
    const r = result({ labels: [{ name: 'tag', value: '@trace' }] })
    assert.equal(labelResult(r, byId), r)
  })

  it('moves the sequence diagram from the After hook onto the test', () => {
    const { container, diagrams } = liftDiagrams({
      uuid: 'c1',
      children: ['r1'],
      afters: [
        {
          name: 'diagnostics and cleanup',
          steps: [
            { name: 'sequence-diagram.svg', attachments: [{ name: 'sequence-diagram.svg', source: 'a-attachment.svg', type: 'image/svg+xml' }] },
            { name: 'trace-tail.txt', attachments: [{ name: 'trace-tail.txt', source: 'b-attachment.txt', type: 'text/plain' }] },
          ],
        },
      ],
    })
    assert.deepEqual(
      diagrams.map((d) => d.source),
      ['a-attachment.svg'],
    )
    assert.deepEqual(
      container.afters![0]!.steps!.map((s) => s.name),
      ['trace-tail.txt'],
    )
  })

  it('enriches a results directory in place, with skip reasons from the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ock-allure-'))
    try {
      writeFileSync(join(dir, 'r1-result.json'), JSON.stringify(result()))
      writeFileSync(join(dir, 'r2-result.json'), JSON.stringify(result({ uuid: 'r2', status: 'skipped', name: 'two', fullName: 'ock:features/a.feature#two' })))
      writeFileSync(
        join(dir, 'c1-container.json'),
        JSON.stringify({
          uuid: 'c1',
          children: ['r1'],
          afters: [{ name: 'hook', attachments: [{ name: 'sequence-diagram.svg', source: 'a-attachment.svg', type: 'image/svg+xml' }] }],
        }),
      )
      const run = {
        profile: 'ci',
        scenarios: [{ pickleId: 'p', name: 'two', uri: 'features/a.feature', line: 3, tags: [], status: 'skipped' as const, reasons: ['no docker'] }],
      }
      const s = enrichResults(dir, catalogue, run)
      assert.deepEqual(s, { results: 2, labelled: 2, diagrams: 1, skipReasons: 1 })
      const r1 = JSON.parse(readFileSync(join(dir, 'r1-result.json'), 'utf8')) as AllureResult
      assert.deepEqual(r1.attachments, [{ name: 'Sequence diagram (from the API server trace)', source: 'a-attachment.svg', type: 'image/svg+xml' }])
      const r2 = JSON.parse(readFileSync(join(dir, 'r2-result.json'), 'utf8')) as AllureResult
      assert.equal(r2.statusDetails?.message, 'skipped: no docker')
      // again: nothing moves twice
      assert.deepEqual(enrichResults(dir, catalogue, run), { results: 2, labelled: 2, diagrams: 0, skipReasons: 0 })
      assert.equal((JSON.parse(readFileSync(join(dir, 'r1-result.json'), 'utf8')) as AllureResult).attachments!.length, 1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
