// The step glossary (docs/steps.md) for people writing features: every step pattern, grouped
// by its step file (one file per domain concept), with its parameters (the pattern's types and
// the function's TypeScript types), an example taken from a feature that uses it, and where it
// is defined. A step with an Arabic phrasing (steps/define.ts: both phrasings share one body
// and one line) is one entry that shows the English and the Arabic phrasing side by side, with
// an example from an English and from an Arabic feature. Rendered from the Cucumber messages of a dry run (step definitions, parameter
// types, pickles and how their steps matched) plus the step files' own header comments.
// Deterministic: the same code and features give the same file, so a test can say it is stale.

import { isArabic } from '../arabic.js'

export interface GlossarySource {
  /** Reads a source file (a step file), relative to the project root. */
  readFile: (uri: string) => string
}

/** The parts of Cucumber message envelopes the glossary uses. */
export interface GlossaryEnvelope {
  stepDefinition?: { id: string; pattern: { source: string; type: string }; sourceReference: { uri?: string; location?: { line: number } } }
  parameterType?: { name: string; regularExpressions: string[]; sourceReference?: { uri?: string; location?: { line: number } } }
  gherkinDocument?: { uri?: string; feature?: GherkinFeature }
  pickle?: {
    id: string
    uri: string
    steps: {
      id: string
      text: string
      astNodeIds: string[]
      argument?: { docString?: { content: string; mediaType?: string }; dataTable?: { rows: { cells: { value: string }[] }[] } }
    }[]
  }
  testCase?: {
    pickleId: string
    testSteps: {
      pickleStepId?: string
      stepDefinitionIds?: string[]
      stepMatchArgumentsLists?: { stepMatchArguments: { group: { value?: string }; parameterTypeName?: string }[] }[]
    }[]
  }
}

interface GherkinStep {
  id: string
  keyword: string
  location: { line: number }
}
interface GherkinFeature {
  children: {
    background?: { steps: GherkinStep[] }
    scenario?: { steps: GherkinStep[] }
    rule?: { children: { background?: { steps: GherkinStep[] }; scenario?: { steps: GherkinStep[] } }[] }
  }[]
}

interface Usage {
  uri: string
  line: number
  keyword: string
  text: string
  args: { value: string; type: string }[]
  docString?: { content: string; mediaType?: string }
  dataTable?: string[][]
}

const BUILTIN_TYPES: [string, string][] = [
  ['int', 'a whole number: `3`, `-1`'],
  ['float', 'a number: `1.5`'],
  ['word', 'one word without spaces: `Forbidden`'],
  ['string', 'text in double or single quotes: `"web"`'],
  ['', 'anything ({}): avoid in new steps'],
]

const EXAMPLE_LINES = 14

function stepsOf(f: GherkinFeature | undefined): GherkinStep[] {
  const out: GherkinStep[] = []
  for (const c of f?.children ?? []) {
    out.push(...(c.background?.steps ?? []), ...(c.scenario?.steps ?? []))
    for (const rc of c.rule?.children ?? []) out.push(...(rc.background?.steps ?? []), ...(rc.scenario?.steps ?? []))
  }
  return out
}

const WORDS: Record<string, string> = { api: 'API', tls: 'TLS', rbac: 'RBAC', dns: 'DNS', hpa: 'HPA', pdb: 'PDB', etcd: 'etcd', kubectl: 'kubectl', pki: 'PKI' }

/** `steps/resources.steps.ts` -> `Resources`; `api-errors` -> `API errors`. */
export function conceptName(uri: string): string {
  const base = uri
    .split('/')
    .at(-1)!
    .replace(/\.steps\.ts$|\.ts$/, '')
  return base
    .split(/[-_]/)
    .map((w, i) => WORDS[w] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ')
}

/** The leading comment block of a source file, as prose. */
export function headerComment(source: string): string {
  const lines: string[] = []
  for (const line of source.split('\n')) {
    const m = /^\s*\/\/ ?(.*)$/.exec(line)
    if (!m) break
    lines.push(m[1]!)
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim()
}

/** The keyword and the function's parameters, read from the line that defines the step. */
export function definitionSignature(source: string, line: number): { keyword: string; params: { name: string; type: string }[] } {
  const lines = source.split('\n')
  // the pattern (a string) may hold anything: blank out string literals before reading the signature
  const text = lines
    .slice(line - 1, line + 3)
    .join(' ')
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
  const keyword = /\b(Given|When|Then|defineStep)\s*\(/.exec(text)?.[1] ?? 'Step'
  const sig = /function\s*\w*\s*\(([^()]*)\)|\(([^()]*)\)\s*=>/.exec(text)
  const raw = (sig?.[1] ?? sig?.[2] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  const params = raw
    .filter((p) => !p.startsWith('this'))
    .map((p) => {
      const [name, ...type] = p.split(':')
      return { name: name!.trim(), type: type.join(':').trim() || 'unknown' }
    })
  return { keyword: keyword === 'defineStep' ? 'Step' : keyword, params }
}

function expressionParams(pattern: { source: string; type: string }): string[] {
  if (pattern.type !== 'CUCUMBER_EXPRESSION') return ['(regular expression group)']
  return [...pattern.source.matchAll(/(?<!\\)\{([^}]*)\}/g)].map((m) => m[1]!)
}

function fence(lang: string, body: string): string {
  const ticks = body.includes('```') ? '````' : '```'
  return `${ticks}${lang}\n${body}\n${ticks}`
}

function exampleText(u: Usage): string {
  const lines = [`# ${u.uri}:${u.line}`, `${u.keyword.trim()} ${u.text}`]
  if (u.docString) {
    const body = u.docString.content.split('\n')
    const shown = body.slice(0, EXAMPLE_LINES)
    lines.push(`  """${u.docString.mediaType ?? ''}`, ...shown.map((l) => `  ${l}`))
    if (body.length > shown.length) lines.push(`  # ... ${body.length - shown.length} more lines`)
    lines.push('  """')
  }
  if (u.dataTable) {
    const widths = u.dataTable[0]!.map((_, i) => Math.max(...u.dataTable!.map((r) => (r[i] ?? '').length)))
    for (const row of u.dataTable.slice(0, EXAMPLE_LINES)) lines.push(`  | ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`)
    if (u.dataTable.length > EXAMPLE_LINES) lines.push(`  # ... ${u.dataTable.length - EXAMPLE_LINES} more rows`)
  }
  return lines.join('\n')
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|')
}

export function renderGlossary(envelopes: readonly GlossaryEnvelope[], src: GlossarySource): string {
  const defs = envelopes.flatMap((e) => (e.stepDefinition ? [e.stepDefinition] : []))
  const types = envelopes.flatMap((e) => (e.parameterType ? [e.parameterType] : []))
  const astSteps = new Map<string, { step: GherkinStep; uri: string }>()
  for (const e of envelopes) {
    if (e.gherkinDocument) for (const s of stepsOf(e.gherkinDocument.feature)) astSteps.set(s.id, { step: s, uri: e.gherkinDocument.uri ?? '' })
  }
  const pickleSteps = new Map<string, { pickleUri: string; step: NonNullable<GlossaryEnvelope['pickle']>['steps'][number] }>()
  for (const e of envelopes) if (e.pickle) for (const s of e.pickle.steps) pickleSteps.set(s.id, { pickleUri: e.pickle.uri, step: s })
  const usages = new Map<string, Usage[]>()
  const seen = new Set<string>()
  for (const e of envelopes) {
    if (!e.testCase) continue
    for (const ts of e.testCase.testSteps) {
      if (!ts.pickleStepId || ts.stepDefinitionIds?.length !== 1) continue
      const id = ts.stepDefinitionIds[0]!
      const ps = pickleSteps.get(ts.pickleStepId)
      if (!ps) continue
      const ast = astSteps.get(ps.step.astNodeIds[0] ?? '')
      const key = `${id}|${ps.pickleUri}|${ast?.step.location.line}`
      if (seen.has(key)) continue // outline rows and backgrounds repeat the same line
      seen.add(key)
      const args = (ts.stepMatchArgumentsLists?.[0]?.stepMatchArguments ?? []).map((a) => ({ value: a.group.value ?? '', type: a.parameterTypeName ?? '' }))
      const u: Usage = { uri: ps.pickleUri, line: ast?.step.location.line ?? 0, keyword: ast?.step.keyword ?? '', text: ps.step.text, args }
      if (ps.step.argument?.docString) u.docString = ps.step.argument.docString
      if (ps.step.argument?.dataTable) u.dataTable = ps.step.argument.dataTable.rows.map((r) => r.cells.map((c) => c.value))
      if (!usages.has(id)) usages.set(id, [])
      usages.get(id)!.push(u)
    }
  }
  for (const list of usages.values()) list.sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line)

  const byFile = new Map<string, typeof defs>()
  for (const d of defs) {
    const uri = d.sourceReference.uri ?? '(unknown)'
    if (!byFile.has(uri)) byFile.set(uri, [])
    byFile.get(uri)!.push(d)
  }
  const files = [...byFile.keys()].sort()
  const sources = new Map(files.map((f) => [f, safeRead(src, f)]))
  const entries = new Map(files.map((f) => [f, phrasingsOf(byFile.get(f)!)]))
  const steps = [...entries.values()].reduce((n, l) => n + l.length, 0)
  const arabicCount = [...entries.values()].reduce((n, l) => n + l.filter((e) => e.arabic).length, 0)

  const out: string[] = [
    '# Step glossary',
    '',
    '<!-- Generated by `npm run docs:steps` from the step definitions and the features that use them. Do not edit by hand: `npm run test:unit` fails when this file is stale. -->',
    '',
    `Every step the features can use: ${steps} steps in ${files.length} step files, one file per domain concept; ${arabicCount} of them also have an Arabic phrasing (العربية), bound to the same body, for the Arabic features under \`features/ar/\`. ` +
      'Before adding a step, look for one here that already says it; new steps follow the same shape ' +
      '(a generic pattern with `{kind}`, a quoted name, a doc-string manifest or a table), and their bodies are a few lines that call `support/`.',
    '',
    '## Contents',
    '',
    ...files.map((f) => `- [${conceptName(f)}](#${anchor(conceptName(f))}) (\`${f}\`): ${entries.get(f)!.length} steps`),
    '- [Parameter types](#parameter-types)',
    '',
  ]
  for (const f of files) {
    const source = sources.get(f) ?? ''
    out.push(`## ${conceptName(f)}`, '', `\`${f}\`${headerComment(source) ? `: ${headerComment(source)}` : ''}`, '')
    for (const { english: d, arabic } of entries.get(f)!) {
      const line = d.sourceReference.location?.line ?? 0
      const sig = definitionSignature(source, line)
      const englishUses = usages.get(d.id) ?? []
      const arabicUses = arabic ? (usages.get(arabic.id) ?? []) : []
      const uses = [...englishUses, ...arabicUses]
      const ex = englishUses[0] ?? arabicUses[0]
      out.push(`### ${sig.keyword} ${d.pattern.source}`, '')
      if (arabic) out.push('| English | العربية |', '|---|---|', `| \`${cell(d.pattern.source)}\` | ${rtl(`\`${cell(arabic.pattern.source)}\``)} |`, '')
      const inArabic = arabic ? ` (${arabicUses.length} in Arabic)` : ''
      const where = `Defined at \`${f}:${line}\`; ${uses.length ? `used in ${uses.length} place${uses.length === 1 ? '' : 's'}${inArabic}` : '**not used by any feature yet**'}.`
      out.push(where, '')
      const exprParams = expressionParams(d.pattern)
      const rows: string[] = []
      exprParams.forEach((t, i) => {
        const p = sig.params[i]
        const example = ex?.args[i]?.value
        rows.push(
          `| \`${p?.name ?? `arg${i + 1}`}\` | \`{${t}}\` | \`${cell(p?.type ?? 'unknown')}\` | ${example !== undefined ? `\`${cell(example)}\`` : ''} |`,
        )
      })
      const extra = sig.params[exprParams.length]
      if (extra) {
        const what = ex?.docString
          ? `doc string${ex.docString.mediaType ? ` (${ex.docString.mediaType})` : ''}`
          : ex?.dataTable
            ? 'data table'
            : /DataTable/.test(extra.type)
              ? 'data table'
              : 'doc string'
        rows.push(`| \`${extra.name}\` | ${what} | \`${cell(extra.type)}\` | (below the step) |`)
      }
      if (rows.length) out.push('| Parameter | In the step | Type | Example |', '|---|---|---|---|', ...rows, '')
      if (englishUses[0]) out.push(fence('gherkin', exampleText(englishUses[0])), '')
      if (arabicUses[0]) out.push(rtl(`\n\n${fence('gherkin', exampleText(arabicUses[0]))}\n\n`, 'div'), '')
    }
  }
  const typeFiles = [...new Set(types.map((t) => t.sourceReference?.uri).filter((u): u is string => !!u))].sort()
  out.push('## Parameter types', '')
  for (const f of typeFiles) {
    const header = headerComment(safeRead(src, f))
    if (header) out.push(`\`${f}\`: ${header}`, '')
  }
  out.push('| Type | Matches | Defined at |', '|---|---|---|')
  for (const t of [...types].sort((a, b) => a.name.localeCompare(b.name))) {
    const at = t.sourceReference?.uri ? `\`${t.sourceReference.uri}:${t.sourceReference.location?.line ?? 0}\`` : ''
    const re = t.regularExpressions.map((r) => (r.length > 100 ? `${r.slice(0, 99)}…` : r))
    out.push(`| \`{${t.name}}\` | ${re.map((r) => `\`${cell(r)}\``).join(' or ')} | ${at} |`)
  }
  out.push('', "Cucumber's own types:", '', '| Type | Matches |', '|---|---|')
  for (const [name, what] of BUILTIN_TYPES) out.push(`| \`{${name}}\` | ${what} |`)
  out.push('')
  return out.join('\n')
}

type StepDefinition = NonNullable<GlossaryEnvelope['stepDefinition']>

/**
 * One glossary entry per step: the English definition and, when the step has one, the Arabic
 * phrasing registered with it (same file, same line), in the order of the file.
 */
export function phrasingsOf(defs: readonly StepDefinition[]): { english: StepDefinition; arabic?: StepDefinition }[] {
  const at = (d: StepDefinition): number => d.sourceReference.location?.line ?? 0
  const sorted = [...defs].sort((a, b) => at(a) - at(b))
  const arabic = new Map(sorted.filter((d) => isArabic(d.pattern.source)).map((d) => [at(d), d]))
  return sorted
    .filter((d) => !isArabic(d.pattern.source))
    .map((english) => {
      const ar = arabic.get(at(english))
      return ar ? { english, arabic: ar } : { english }
    })
}

/** Right-to-left text in Markdown: GitHub and the HTML renderers keep `dir`. */
function rtl(markdown: string, element: 'span' | 'div' = 'span'): string {
  return `<${element} dir="rtl">${markdown}</${element}>`
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')
}

function safeRead(src: GlossarySource, uri: string): string {
  try {
    return src.readFile(uri)
  } catch {
    return ''
  }
}
