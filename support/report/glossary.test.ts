import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { conceptName, definitionSignature, headerComment, renderGlossary, type GlossaryEnvelope } from './glossary.js'

const STEP_FILE = `// Steps about widgets: what they are and how they spin.

import { Then } from '@cucumber/cucumber'

Then('the {kind} {string} spins at {int} rpm:', async function (this: OckWorld, kind: KindRef, name: string, rpm: number, table: DataTable) {
  // ...
})

When('nobody uses this', () => {})
`

const envelopes: GlossaryEnvelope[] = [
  { parameterType: { name: 'kind', regularExpressions: ['(?:widget|gadget)s?'], sourceReference: { uri: 'steps/parameter-types.ts', location: { line: 3 } } } },
  {
    stepDefinition: {
      id: 's1',
      pattern: { source: 'the {kind} {string} spins at {int} rpm:', type: 'CUCUMBER_EXPRESSION' },
      sourceReference: { uri: 'steps/widgets.steps.ts', location: { line: 5 } },
    },
  },
  {
    stepDefinition: {
      id: 's2',
      pattern: { source: 'nobody uses this', type: 'CUCUMBER_EXPRESSION' },
      sourceReference: { uri: 'steps/widgets.steps.ts', location: { line: 9 } },
    },
  },
  { gherkinDocument: { uri: 'features/w.feature', feature: { children: [{ scenario: { steps: [{ id: 'a1', keyword: 'Then ', location: { line: 7 } }] } }] } } },
  {
    pickle: {
      id: 'p1',
      uri: 'features/w.feature',
      steps: [
        {
          id: 'ps1',
          text: 'the widget "w" spins at 3 rpm:',
          astNodeIds: ['a1'],
          argument: { dataTable: { rows: [{ cells: [{ value: 'axis' }, { value: 'x' }] }] } },
        },
      ],
    },
  },
  {
    testCase: {
      pickleId: 'p1',
      testSteps: [
        {
          pickleStepId: 'ps1',
          stepDefinitionIds: ['s1'],
          stepMatchArgumentsLists: [
            {
              stepMatchArguments: [
                { group: { value: 'widget' }, parameterTypeName: 'kind' },
                { group: { value: '"w"' }, parameterTypeName: 'string' },
                { group: { value: '3' }, parameterTypeName: 'int' },
              ],
            },
          ],
        },
      ],
    },
  },
]

describe('step glossary', () => {
  const md = renderGlossary(envelopes, { readFile: (uri) => (uri === 'steps/widgets.steps.ts' ? STEP_FILE : '// Parameter types: {kind}.') })

  it('lists every pattern with its keyword, file:line and usage', () => {
    assert.match(md, /### Then the \{kind\} \{string\} spins at \{int\} rpm:\n\nDefined at `steps\/widgets.steps.ts:5`; used in 1 place\./)
    assert.match(md, /### When nobody uses this\n\nDefined at `steps\/widgets.steps.ts:9`; \*\*not used by any feature yet\*\*/)
  })

  it('names each parameter with its type in the step, its TypeScript type and an example value', () => {
    assert.ok(md.includes('| `kind` | `{kind}` | `KindRef` | `widget` |'))
    assert.ok(md.includes('| `rpm` | `{int}` | `number` | `3` |'))
    assert.ok(md.includes('| `table` | data table | `DataTable` | (below the step) |'))
  })

  it('quotes an example from a feature, with its location and table', () => {
    assert.ok(md.includes('```gherkin\n# features/w.feature:7\nThen the widget "w" spins at 3 rpm:\n  | axis | x |\n```'))
  })

  it("groups by step file, introduced by the file's header comment, and lists parameter types", () => {
    assert.ok(md.includes('## Widgets\n\n`steps/widgets.steps.ts`: Steps about widgets: what they are and how they spin.'))
    assert.ok(md.includes('| `{kind}` | `(?:widget\\|gadget)s?` | `steps/parameter-types.ts:3` |'))
  })
})

describe('glossary helpers', () => {
  it('names concepts after step files', () => {
    assert.equal(conceptName('steps/api-errors.steps.ts'), 'API errors')
    assert.equal(conceptName('steps/resources.steps.ts'), 'Resources')
    assert.equal(conceptName('steps/tls.steps.ts'), 'TLS')
  })
  it('reads the header comment and the function signature', () => {
    assert.equal(headerComment(STEP_FILE), 'Steps about widgets: what they are and how they spin.')
    assert.deepEqual(definitionSignature(STEP_FILE, 5), {
      keyword: 'Then',
      params: [
        { name: 'kind', type: 'KindRef' },
        { name: 'name', type: 'string' },
        { name: 'rpm', type: 'number' },
        { name: 'table', type: 'DataTable' },
      ],
    })
    assert.deepEqual(definitionSignature(STEP_FILE, 9), { keyword: 'When', params: [] })
  })
})

describe('step glossary, two languages', () => {
  const arabic: GlossaryEnvelope[] = [
    ...envelopes,
    {
      stepDefinition: {
        id: 's1ar',
        pattern: { source: 'الـ {kind} {string} بتلف {int} لفة:', type: 'CUCUMBER_EXPRESSION' },
        sourceReference: { uri: 'steps/widgets.steps.ts', location: { line: 5 } },
      },
    },
    {
      gherkinDocument: {
        uri: 'features/ar/w.feature',
        feature: { children: [{ scenario: { steps: [{ id: 'b1', keyword: 'اذاً ', location: { line: 9 } }] } }] },
      },
    },
    { pickle: { id: 'p2', uri: 'features/ar/w.feature', steps: [{ id: 'ps2', text: 'الـ widget "w" بتلف 3 لفة:', astNodeIds: ['b1'] }] } },
    { testCase: { pickleId: 'p2', testSteps: [{ pickleStepId: 'ps2', stepDefinitionIds: ['s1ar'] }] } },
  ]
  const md = renderGlossary(arabic, { readFile: (uri) => (uri === 'steps/widgets.steps.ts' ? STEP_FILE : '') })

  it('shows the Arabic phrasing beside the English one, as one step, right to left', () => {
    assert.ok(
      md.includes(
        '| English | العربية |\n|---|---|\n| `the {kind} {string} spins at {int} rpm:` | <span dir="rtl">`الـ {kind} {string} بتلف {int} لفة:`</span> |',
      ),
    )
    assert.equal(md.match(/^### /gm)?.length, 2)
    assert.match(md, /Every step the features can use: 2 steps in 1 step files, one file per domain concept; 1 of them also have an Arabic phrasing/)
  })

  it('counts uses in both languages and quotes an Arabic example too', () => {
    assert.ok(md.includes('used in 2 places (1 in Arabic)'))
    assert.ok(md.includes('<div dir="rtl">\n\n```gherkin\n# features/ar/w.feature:9\nاذاً الـ widget "w" بتلف 3 لفة:\n```\n\n</div>'))
  })
})
