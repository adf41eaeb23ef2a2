import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DOC } from './book.testing.js'
import { scenarioLines, scenariosOf, tableLines } from './gherkin.js'

describe('scenarios from Gherkin documents', () => {
  const scenarios = scenariosOf(DOC)

  it('indexes every scenario by its AST id, with inherited tags and the Background', () => {
    assert.deepEqual([...scenarios.keys()], ['s1', 's2'])
    const s1 = scenarios.get('s1')!
    assert.deepEqual([s1.uri, s1.line, s1.language, s1.tags], ['features/x/probes.feature', 9, 'en', ['@docker', '@HEAL-02']])
    assert.equal(s1.feature.description, '  The kubelet probes every container.')
    assert.deepEqual(
      s1.backgrounds.map((b) => b.steps.map((s) => s.text)),
      [['a cluster with 1 node']],
    )
    assert.deepEqual(scenarios.get('s2')!.tags, ['@docker', '@config'])
    assert.deepEqual(
      scenarios.get('s2')!.examples[0]!.rows.map((r) => r.line),
      [26, 27],
    )
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
    assert.deepEqual(
      tableLines(
        [
          ['a', 'bbb'],
          ['cc', ''],
        ],
        '',
      ),
      ['| a  | bbb |', '| cc |     |'],
    )
    assert.deepEqual(scenariosOf({ uri: 'x' }).size, 0)
  })
})
