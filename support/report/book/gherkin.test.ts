import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { GherkinDocument } from '../results.js'
import { scenarioLines, scenariosOf, tableLines } from './gherkin.js'

const loc = (line: number) => ({ line, column: 1 })
const row = (id: string, line: number, ...values: string[]) => ({ id, location: loc(line), cells: values.map((value) => ({ value })) })

/** A feature with a Background, a plain scenario (doc string, table) and an outline inside a Rule. */
export const DOC: GherkinDocument = {
  uri: 'features/x/probes.feature',
  feature: {
    location: loc(2),
    language: 'en',
    keyword: 'Feature',
    name: 'Probes',
    description: '  The kubelet probes every container.\n',
    tags: [{ name: '@docker' }],
    children: [
      { background: { id: 'bg', location: loc(5), keyword: 'Background', name: '', steps: [{ id: 'b1', location: loc(6), keyword: 'Given ', text: 'a cluster with 1 node' }] } },
      {
        scenario: {
          id: 's1',
          location: loc(9),
          keyword: 'Scenario',
          name: 'liveness restarts',
          tags: [{ name: '@HEAL-02' }],
          steps: [
            { id: 'st1', location: loc(10), keyword: 'Given ', text: 'I apply the manifest:', docString: { content: 'kind: Pod\n\nmetadata: {name: web}', delimiter: '"""' } },
            { id: 'st2', location: loc(15), keyword: 'Then ', text: 'the pod has:', dataTable: { rows: [row('r1', 16, 'restarts', '1'), row('r2', 17, 'phase', 'Running')] } },
          ],
          examples: [],
        },
      },
      {
        rule: {
          id: 'rule',
          keyword: 'Rule',
          name: 'outlines',
          tags: [{ name: '@config' }],
          children: [
            {
              scenario: {
                id: 's2',
                location: loc(21),
                keyword: 'Scenario Outline',
                name: 'by <kind>',
                tags: [],
                steps: [{ id: 'st3', location: loc(22), keyword: 'When ', text: 'I probe by <kind>' }],
                examples: [{ id: 'e1', location: loc(24), keyword: 'Examples', name: '', tags: [], tableHeader: row('h', 25, 'kind'), tableBody: [row('x1', 26, 'http'), row('x2', 27, 'exec')] }],
              },
            },
          ],
        },
      },
    ],
  },
}

describe('scenarios from Gherkin documents', () => {
  const scenarios = scenariosOf(DOC)

  it('indexes every scenario by its AST id, with inherited tags and the Background', () => {
    assert.deepEqual([...scenarios.keys()], ['s1', 's2'])
    const s1 = scenarios.get('s1')!
    assert.deepEqual([s1.uri, s1.line, s1.language, s1.tags], ['features/x/probes.feature', 9, 'en', ['@docker', '@HEAL-02']])
    assert.equal(s1.feature.description, '  The kubelet probes every container.')
    assert.deepEqual(s1.backgrounds.map((b) => b.steps.map((s) => s.text)), [['a cluster with 1 node']])
    assert.deepEqual(scenarios.get('s2')!.tags, ['@docker', '@config'])
    assert.deepEqual(scenarios.get('s2')!.examples[0]!.rows.map((r) => r.line), [26, 27])
  })

  it('writes a scenario back as Gherkin', () => {
    assert.deepEqual(scenarioLines(scenarios.get('s1')!), [
      'Background:',
      '  Given a cluster with 1 node',
      '@docker @HEAL-02',
      'Scenario: liveness restarts',
      '  Given I apply the manifest:',
      '    """',
      '    kind: Pod',
      '',
      '    metadata: {name: web}',
      '    """',
      '  Then the pod has:',
      '    | restarts | 1       |',
      '    | phase    | Running |',
    ])
    assert.equal(scenarioLines(scenarios.get('s2')!).at(-6), '  When I probe by <kind>')
    assert.deepEqual(scenarioLines(scenarios.get('s2')!).slice(-4), ['  Examples:', '    | kind |', '    | http |', '    | exec |'])
  })

  it('aligns tables', () => {
    assert.deepEqual(tableLines([['a', 'bbb'], ['cc', '']], ''), ['| a  | bbb |', '| cc |     |'])
    assert.deepEqual(scenariosOf({ uri: 'x' }).size, 0)
  })
})
