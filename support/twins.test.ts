// The Arabic editions of the features (features/ar/) run the same checks as their English
// twins: every Arabic scenario binds, step by step, the same step definition bodies with the
// same argument values (parsed: `20 ثانية` and `20s` are both 20000 ms) and the same doc strings
// and data tables. That is why the mutation suite (npm run test:mutants) runs the English
// scenarios only: a mutant the English scenario kills, its Arabic twin kills too.
//
// Twins are paired as the Arabic features are written: an Arabic feature
// features/ar/<path> mirrors features/<path> (or, when no English feature has that path, the
// English scenarios with the same tags wherever they are); within it, the n-th Arabic
// scenario (or example row) with a given set of tags is the twin of the n-th English one with
// the same set of tags.
//
// Data table cells are compared as the steps read them: an Arabic trace phrase
// (TRACE_PHRASES_AR, `الـ store بلغ انه خزنه بـ revision`) is the English phrase it stands for and
// is checked by the same predicate, an Arabic row of a node's timeline (NODE_TIMELINE_AR,
// `اتعلم عليها Ready=Unknown`, `بعد 2 ثانية، في خلال 3 ثواني`) the English row it stands for;
// every other cell must be the same text. A new Arabic
// vocabulary in tables gets its translation here, from where the steps read it.
//
// One in-process dry run of Cucumber (no scenario executes) gives every pickle's steps and the
// step definitions they matched; the support code library gives each step definition's body and
// parses its arguments.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { isDeepStrictEqual } from 'node:util'
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api'
import { timelineCellAsEnglish, TRACE_PHRASES_AR } from './trace.js'

const AR = 'features/ar/'

/** A step as the twins comparison sees it: which body runs, with what. */
export interface BoundStep {
  text: string
  /** where the step definition is written (uri:line), for messages */
  definedAt: string
  /** the step definition's body; the English and Arabic phrasings of a step share it */
  body: unknown
  values: unknown[]
  docString?: string
  dataTable?: string[][]
}

export interface Scenario {
  uri: string
  line: number
  name: string
  tags: string[]
  steps: BoundStep[]
}

/** Pairs every Arabic scenario with its English twin, or says why it cannot. */
export function pairTwins(scenarios: readonly Scenario[]): { pairs: [ar: Scenario, en: Scenario][]; problems: string[] } {
  const english = scenarios.filter((s) => !s.uri.startsWith(AR))
  const arabic = scenarios.filter((s) => s.uri.startsWith(AR))
  const key = (s: Scenario): string => [...s.tags].sort().join(' ')
  const pairs: [Scenario, Scenario][] = []
  const problems: string[] = []
  const groups = new Map<string, Scenario[]>()
  for (const s of arabic) {
    const k = `${s.uri}\n${key(s)}`
    if (!groups.has(k)) groups.set(k, [])
    groups.get(k)!.push(s)
  }
  for (const group of groups.values()) {
    const first = group[0]!
    const samePath = `features/${first.uri.slice(AR.length)}`
    const inFile = english.some((s) => s.uri === samePath) ? english.filter((s) => s.uri === samePath) : english
    const candidates = inFile.filter((s) => key(s) === key(first))
    const where = `${first.uri} (tags ${key(first) || 'none'})`
    const files = [...new Set(candidates.map((s) => s.uri))]
    if (!candidates.length) problems.push(`${where}: no English scenario in ${inFile === english ? 'features/' : samePath} has the same tags`)
    else if (files.length > 1)
      problems.push(
        `${where}: English scenarios with the same tags are in ${files.join(', ')}; give the Arabic feature the path of its English twin (features/ar/<same path>)`,
      )
    else if (candidates.length !== group.length)
      problems.push(
        `${where}: ${group.length} Arabic scenario(s) but ${candidates.length} English one(s) with these tags in ${files[0]}; twins are paired by position among the scenarios with the same tags, so translate all of them or none`,
      )
    else group.forEach((s, i) => pairs.push([s, candidates[i]!]))
  }
  return { pairs, problems }
}

/** How an Arabic scenario differs from its English twin, step by step (empty when it does not). */
export function twinDifferences(ar: Scenario, en: Scenario): string[] {
  const out: string[] = []
  const n = Math.max(ar.steps.length, en.steps.length)
  if (ar.steps.length !== en.steps.length) out.push(`${ar.steps.length} steps, its English twin has ${en.steps.length}`)
  for (let i = 0; i < n; i++) {
    const a = ar.steps[i]
    const e = en.steps[i]
    const at = `step ${i + 1}`
    if (!a || !e) {
      out.push(`${at}: ${a ? `"${a.text}" has no English counterpart` : `missing; the English twin has "${e!.text}"`}`)
      continue
    }
    if (a.body !== e.body) out.push(`${at}: "${a.text}" runs the step defined at ${a.definedAt}, the English "${e.text}" runs the one at ${e.definedAt}`)
    else if (!isDeepStrictEqual(a.values, e.values))
      out.push(`${at}: "${a.text}" passes ${JSON.stringify(a.values)}, the English "${e.text}" passes ${JSON.stringify(e.values)}`)
    if (a.docString !== e.docString) out.push(`${at}: its doc string differs from the English one`)
    if (!isDeepStrictEqual(a.dataTable, e.dataTable))
      out.push(`${at}: its data table ${JSON.stringify(a.dataTable)} differs from the English one ${JSON.stringify(e.dataTable)}`)
  }
  return out
}

interface DryRunEnvelope {
  pickle?: {
    id: string
    uri: string
    name: string
    location?: { line: number }
    tags: { name: string }[]
    steps: { id: string; text: string; argument?: { docString?: { content: string }; dataTable?: { rows: { cells: { value: string }[] }[] } } }[]
  }
  testCase?: { pickleId: string; testSteps: { pickleStepId?: string; stepDefinitionIds?: string[] }[] }
}

interface StepDefinitionModel {
  id: string
  uri: string
  line: number
  unwrappedCode: unknown
  expression: { match(text: string): { getValue(thisObj: unknown): unknown }[] | null }
}

const TABLE_TRANSLATIONS: Readonly<Record<string, string>> = TRACE_PHRASES_AR

/** A data table cell as the steps read it (an Arabic phrase as the English one it stands for). */
function asRead(cell: string): string {
  return TABLE_TRANSLATIONS[cell.trim()] ?? timelineCellAsEnglish(cell)
}

/** Every scenario of the features, English and Arabic, with its steps bound (a dry run). */
async function boundScenarios(): Promise<{ scenarios: Scenario[]; unbound: string[] }> {
  const discard = new Writable({ write: (_chunk, _enc, done) => done() })
  const environment = { stdout: discard, stderr: discard }
  const { runConfiguration } = await loadConfiguration({ profiles: [] }, environment)
  const support = await loadSupport(runConfiguration, environment)
  const envelopes: DryRunEnvelope[] = []
  await runCucumber(
    {
      ...runConfiguration,
      support,
      // both languages (the profiles run one each)
      sources: { ...runConfiguration.sources, paths: ['features/**/*.feature'], tagExpression: '' },
      runtime: { ...runConfiguration.runtime, dryRun: true, parallel: 0, failFast: false },
      formats: { stdout: 'summary', files: {}, publish: false, options: {} },
    },
    environment,
    (e) => envelopes.push(e as DryRunEnvelope),
  )
  // the API types the library as opaque; these are the fields of its StepDefinition objects used here
  const library = support as unknown as { stepDefinitions: StepDefinitionModel[] }
  const definitions = new Map(library.stepDefinitions.map((d) => [d.id, d]))
  const testCases = new Map(envelopes.flatMap((e) => (e.testCase ? [[e.testCase.pickleId, e.testCase] as const] : [])))
  const scenarios: Scenario[] = []
  const unbound: string[] = []
  for (const { pickle } of envelopes) {
    if (!pickle) continue
    const testCase = testCases.get(pickle.id)
    const steps = pickle.steps.map((step): BoundStep => {
      const ids = testCase?.testSteps.find((t) => t.pickleStepId === step.id)?.stepDefinitionIds ?? []
      const def = ids.length === 1 ? definitions.get(ids[0]!) : undefined
      if (!def) unbound.push(`${pickle.uri}:${pickle.location?.line ?? 0} "${step.text}" is ${ids.length ? 'ambiguous' : 'undefined'}`)
      const args = def?.expression.match(step.text) ?? []
      const arg = step.argument
      return {
        text: step.text,
        definedAt: def ? `${def.uri}:${def.line}` : 'nowhere',
        body: def?.unwrappedCode,
        values: args.map((a) => a.getValue(STAND_IN_WORLD)),
        ...(arg?.docString ? { docString: arg.docString.content } : {}),
        ...(arg?.dataTable ? { dataTable: arg.dataTable.rows.map((r) => r.cells.map((c) => asRead(c.value))) } : {}),
      }
    })
    scenarios.push({ uri: pickle.uri, line: pickle.location?.line ?? 0, name: pickle.name, tags: pickle.tags.map((t) => t.name), steps })
  }
  return { scenarios, unbound }
}

/**
 * What a parameter transformer reads of the World: a bound named after a timing ("the storage
 * timeout plus 16s") resolves against the scenario's stated timings; here every timing stands
 * for a number of its own, so twins agree only when they name the same timings.
 */
const STAND_IN_WORLD = {
  statedTimings: new Proxy({} as Record<string, number>, {
    get: (_, name) => (typeof name === 'string' ? 1_000_000 * (1 + [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_003, 0)) : undefined),
  }),
}

const step = (text: string, body: unknown, values: unknown[], extra: Partial<BoundStep> = {}): BoundStep => ({
  text,
  definedAt: String(body),
  body,
  values,
  ...extra,
})
const sc = (uri: string, line: number, tags: string[], steps: BoundStep[] = []): Scenario => ({ uri, line, name: `${uri}:${line}`, tags, steps })

describe('pairing Arabic scenarios with their English twins', () => {
  const cases: { name: string; scenarios: Scenario[]; pairs: [number, number][]; problem?: RegExp }[] = [
    {
      name: 'by path and position among the scenarios with the same tags',
      scenarios: [
        sc('features/x/a.feature', 3, ['@A-01']),
        sc('features/x/a.feature', 9, ['@A-01', '@faults']),
        sc('features/x/a.feature', 15, ['@A-01']),
        sc('features/ar/x/a.feature', 4, ['@A-01']),
        sc('features/ar/x/a.feature', 8, ['@A-01']),
        sc('features/ar/x/a.feature', 12, ['@A-01', '@faults']),
      ],
      pairs: [
        [3, 0],
        [4, 2],
        [5, 1],
      ],
    },
    {
      name: 'in another English file when none has the Arabic path',
      scenarios: [sc('features/x/control.feature', 3, ['@B-01']), sc('features/x/other.feature', 3, ['@B-02']), sc('features/ar/x/b.feature', 4, ['@B-01'])],
      pairs: [[2, 0]],
    },
    {
      name: 'not when the English scenarios with those tags are spread over files',
      scenarios: [sc('features/x/a.feature', 3, ['@B-01']), sc('features/x/b.feature', 3, ['@B-01']), sc('features/ar/x/c.feature', 4, ['@B-01'])],
      pairs: [],
      problem: /give the Arabic feature the path/,
    },
    {
      name: 'not when only some of the scenarios with those tags are translated',
      scenarios: [sc('features/x/a.feature', 3, ['@A-01']), sc('features/x/a.feature', 9, ['@A-01']), sc('features/ar/x/a.feature', 4, ['@A-01'])],
      pairs: [],
      problem: /1 Arabic scenario\(s\) but 2 English/,
    },
    {
      name: 'not when no English scenario has the same tags',
      scenarios: [sc('features/x/a.feature', 3, ['@A-01']), sc('features/ar/x/a.feature', 4, ['@A-01', '@docker'])],
      pairs: [],
      problem: /no English scenario/,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const { pairs, problems } = pairTwins(c.scenarios)
      assert.deepEqual(
        pairs.map(([a, e]) => [c.scenarios.indexOf(a), c.scenarios.indexOf(e)]),
        c.pairs,
      )
      if (c.problem) assert.match(problems.join('\n'), c.problem)
      else assert.deepEqual(problems, [])
    })
  }
})

describe('comparing twins', () => {
  const wait = (): void => {}
  const run = (): void => {}
  const en = sc(
    'features/a.feature',
    3,
    ['@A-01'],
    [
      step('I run "kubectl get pods"', run, ['kubectl get pods']),
      step('within 20s the pod "web" is Running', wait, [20_000, 'web'], { dataTable: [['a', '1']] }),
    ],
  )
  const cases: { name: string; ar: BoundStep[]; differs?: RegExp }[] = [
    {
      name: 'same bodies and parsed values (20 ثانية is 20s) are twins',
      ar: [
        step('بشغل "kubectl get pods"', run, ['kubectl get pods']),
        step('خلال 20 ثانية الـ pod "web" تبقى Running', wait, [20_000, 'web'], { dataTable: [['a', '1']] }),
      ],
    },
    {
      name: 'another value is not',
      ar: [
        step('بشغل "kubectl get pods"', run, ['kubectl get pods']),
        step('خلال 30 ثانية الـ pod "web" تبقى Running', wait, [30_000, 'web'], { dataTable: [['a', '1']] }),
      ],
      differs: /step 2: .* passes \[30000,"web"\]/,
    },
    {
      name: 'another step body is not',
      ar: [
        step('بشغل "kubectl get pods"', wait, ['kubectl get pods']),
        step('خلال 20 ثانية الـ pod "web" تبقى Running', wait, [20_000, 'web'], { dataTable: [['a', '1']] }),
      ],
      differs: /step 1: .* runs the step defined at/,
    },
    {
      name: 'another data table is not',
      ar: [
        step('بشغل "kubectl get pods"', run, ['kubectl get pods']),
        step('خلال 20 ثانية الـ pod "web" تبقى Running', wait, [20_000, 'web'], { dataTable: [['a', '2']] }),
      ],
      differs: /step 2: its data table/,
    },
    { name: 'a missing step is not', ar: [step('بشغل "kubectl get pods"', run, ['kubectl get pods'])], differs: /1 steps, its English twin has 2/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const d = twinDifferences(sc('features/ar/a.feature', 4, ['@A-01'], c.ar), en)
      if (c.differs) assert.match(d.join('\n'), c.differs)
      else assert.deepEqual(d, [])
    })
  }
})

describe('the Arabic features', async () => {
  const { scenarios, unbound } = await boundScenarios()
  const { pairs, problems } = pairTwins(scenarios)

  it('bind every step to exactly one step definition', () => {
    assert.deepEqual(unbound, [])
  })

  it('each have an English twin (same path below features/, same tags, same position among them)', () => {
    assert.ok(
      scenarios.some((s) => s.uri.startsWith(AR)),
      'there are Arabic scenarios',
    )
    assert.deepEqual(problems, [])
  })

  it('bind the same step definitions with the same arguments as their English twins', () => {
    const drift = pairs.flatMap(([ar, en]) => twinDifferences(ar, en).map((d) => `${ar.uri}:${ar.line} (twin of ${en.uri}:${en.line}): ${d}`))
    assert.deepEqual(drift, [])
  })
})
