// Scenarios as a reader sees them, from the Gherkin documents a run parsed (its messages):
// the feature they belong to, the Background steps that run before them, their steps with doc
// strings and tables, and their Examples. Keyed by the AST node id the run's pickles point at,
// and rendered back to Gherkin text for the terminal (`ock explain`). A feature file no run has
// parsed is parsed here, with Cucumber's own Gherkin parser, so the book shows its scenarios too
// (marked as not run): the book never runs anything.

import { generateMessages } from '@cucumber/gherkin'
import { IdGenerator, SourceMediaType } from '@cucumber/messages'
import type { GherkinBackground, GherkinChild, GherkinDocument, GherkinRow, GherkinStep, GherkinTag } from '../results.js'

export interface StepText {
  keyword: string
  text: string
  docString?: { content: string; mediaType?: string; delimiter?: string }
  dataTable?: string[][]
}

export interface BackgroundText {
  keyword: string
  name: string
  steps: StepText[]
}

export interface ExamplesText {
  keyword: string
  name: string
  tags: string[]
  header: string[]
  rows: { line: number; cells: string[] }[]
}

export interface ScenarioText {
  uri: string
  line: number
  language: string
  feature: { keyword: string; name: string; description?: string }
  keyword: string
  name: string
  description?: string
  /** Feature, rule and scenario tags, in that order. */
  tags: string[]
  /** The Background blocks that run first (the feature's, then the rule's). */
  backgrounds: BackgroundText[]
  steps: StepText[]
  examples: ExamplesText[]
}

function step(s: GherkinStep): StepText {
  return {
    keyword: s.keyword,
    text: s.text,
    ...(s.docString
      ? {
          docString: {
            content: s.docString.content,
            ...(s.docString.mediaType ? { mediaType: s.docString.mediaType } : {}),
            ...(s.docString.delimiter ? { delimiter: s.docString.delimiter } : {}),
          },
        }
      : {}),
    ...(s.dataTable ? { dataTable: s.dataTable.rows.map((r) => r.cells.map((c) => c.value)) } : {}),
  }
}

const cells = (r: GherkinRow | undefined): string[] => (r ? r.cells.map((c) => c.value) : [])
const names = (tags: readonly GherkinTag[] | undefined): string[] => (tags ?? []).map((t) => t.name)
const background = (b: GherkinBackground): BackgroundText => ({ keyword: b.keyword, name: b.name, steps: b.steps.map(step) })
const trimmed = (s: string | undefined): string | undefined => (s?.trim() ? s.replace(/^\n+|\s+$/g, '') : undefined)

/** Every scenario of a document, by its AST node id. */
export function scenariosOf(doc: GherkinDocument): Map<string, ScenarioText> {
  const out = new Map<string, ScenarioText>()
  const f = doc.feature
  if (!f || !doc.uri) return out
  const uri = doc.uri
  const walk = (children: readonly GherkinChild[], tags: string[], backgrounds: BackgroundText[]): void => {
    const bgs = [...backgrounds]
    for (const c of children) {
      if (c.background) bgs.push(background(c.background))
      else if (c.rule) walk(c.rule.children, [...tags, ...names(c.rule.tags)], bgs)
      else if (c.scenario) {
        const s = c.scenario
        const description = trimmed(s.description)
        out.set(s.id, {
          uri,
          line: s.location.line,
          language: f.language,
          feature: { keyword: f.keyword, name: f.name, ...(trimmed(f.description) ? { description: trimmed(f.description) } : {}) },
          keyword: s.keyword,
          name: s.name,
          ...(description ? { description } : {}),
          tags: [...tags, ...names(s.tags)],
          backgrounds: bgs.filter((b) => b.steps.length),
          steps: s.steps.map(step),
          examples: s.examples.map((e) => ({
            keyword: e.keyword,
            name: e.name,
            tags: names(e.tags),
            header: cells(e.tableHeader),
            rows: e.tableBody.map((r) => ({ line: r.location.line, cells: cells(r) })),
          })),
        })
      }
    }
  }
  walk(f.children, names(f.tags), [])
  return out
}

/** Pads table cells to their column's width, as Gherkin files align them. */
export function tableLines(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows.map((r) => `${indent}| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`)
}

function stepLines(s: StepText, indent: string): string[] {
  const lines = [`${indent}${s.keyword}${s.text}`]
  if (s.docString) {
    const d = s.docString.delimiter ?? '"""'
    lines.push(`${indent}  ${d}${s.docString.mediaType ?? ''}`, ...s.docString.content.split('\n').map((l) => (l ? `${indent}  ${l}` : '')), `${indent}  ${d}`)
  }
  if (s.dataTable) lines.push(...tableLines(s.dataTable, `${indent}  `))
  return lines
}

/** The scenario back as Gherkin text (with its Background steps first, marked as such). */
export function scenarioLines(s: ScenarioText): string[] {
  const lines: string[] = []
  for (const b of s.backgrounds) {
    lines.push(`${b.keyword}:${b.name ? ` ${b.name}` : ''}`)
    for (const st of b.steps) lines.push(...stepLines(st, '  '))
  }
  if (s.tags.length) lines.push(s.tags.join(' '))
  lines.push(`${s.keyword}: ${s.name}`)
  for (const st of s.steps) lines.push(...stepLines(st, '  '))
  for (const e of s.examples) {
    lines.push('', `  ${e.tags.length ? `${e.tags.join(' ')} ` : ''}${e.keyword}:${e.name ? ` ${e.name}` : ''}`)
    lines.push(...tableLines([e.header, ...e.rows.map((r) => r.cells)], '    '))
  }
  return lines
}

/** A feature file as Cucumber would compile it: its document and its pickles' AST nodes and tags. */
export interface ParsedFeature {
  document: GherkinDocument
  pickles: { astNodeIds: string[]; tags: string[] }[]
}

/** Parses a feature file's text (uri as cucumber names it), or says why it cannot. */
export function parseFeature(text: string, uri: string): ParsedFeature {
  const envelopes = generateMessages(text, uri, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
    includeSource: false,
    includeGherkinDocument: true,
    includePickles: true,
    newId: IdGenerator.incrementing(),
  })
  const error = envelopes.find((e) => e.parseError)?.parseError
  if (error) throw new Error(`${uri}: ${error.message}`)
  const document = envelopes.find((e) => e.gherkinDocument)?.gherkinDocument
  if (!document) throw new Error(`${uri}: no Gherkin document`)
  return {
    document: document as unknown as GherkinDocument,
    pickles: envelopes.flatMap((e) => (e.pickle ? [{ astNodeIds: [...e.pickle.astNodeIds], tags: e.pickle.tags.map((t) => t.name) }] : [])),
  }
}
