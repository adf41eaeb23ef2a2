// The book's content, from what is on disk and nothing else: the catalogue (chapters in the
// order of the course's sections, each behavior's note in English and in the notes' Arabic),
// the last run of every profile (reports/<profile>/messages.ndjson: results, the scenarios as
// the run parsed them, each scenario's sequence diagram), the mutants and the mutation report.
// Pure: the caller reads the files (build.ts); tests hand in what they like.

import type { Behavior } from '../catalogue.js'
import { behaviorIds } from '../catalogue.js'
import { buildMatrix, type Cell } from '../matrix.js'
import { worst, type GherkinDocument, type RunResult, type ScenarioStatus } from '../results.js'
import { scenariosOf, type ParsedFeature, type ScenarioText } from './gherkin.js'
import { filesFor, mutantsFor, type MutantPatch, type MutantView, type MutationReport } from './mutants.js'

/** The book's two languages: the course's own (Arabic) and English. */
export type Lang = 'en' | 'ar'
export const LANGS: readonly Lang[] = ['en', 'ar']

export const langOf = (language: string | undefined): Lang => (language === 'ar' ? 'ar' : 'en')

export interface ScenarioRun {
  profile: string
  /** The worst status over the scenario's examples (one pickle for a plain scenario). */
  status: ScenarioStatus
  passed: number
  total: number
  reasons: string[]
}

export interface DiagramRef {
  /** The pickle's name (an outline's examples give each row its own). */
  name: string
  /** The line of the pickle (the scenario's, or its examples row's). */
  line: number
  /** The profile whose run drew it (the most recent run that has one). */
  profile: string
  svg: string
}

export interface BookScenario {
  /** uri:line of the scenario. */
  key: string
  text: ScenarioText
  runs: ScenarioRun[]
  diagrams: DiagramRef[]
}

export interface ProfileResult {
  profile: string
  target?: string
  finishedAt?: string
  cell: Cell
}

export interface BookBehavior {
  behavior: Behavior
  results: ProfileResult[]
  scenarios: Record<Lang, BookScenario[]>
  /** Feature files that tag the behavior but that no run has parsed (not run yet), per language. */
  notRun: Record<Lang, string[]>
  mutants: MutantView[]
  /** Where the behavior lives in the orchestrator: the files its mutants patch. */
  files: string[]
}

export interface BookSection {
  name: string
  slug: string
  behaviors: BookBehavior[]
}

export interface RunInfo {
  profile: string
  target?: string
  finishedAt?: string
  scenarios: number
  counts: Partial<Record<ScenarioStatus, number>>
}

export interface Book {
  sections: BookSection[]
  runs: RunInfo[]
  mutation: { report?: MutationReport; patches: number }
}

export interface BookInput {
  catalogue: readonly Behavior[]
  /** Each profile's last run, read with documents and diagram attachments, in column order. */
  runs: readonly RunResult[]
  /** Behavior ids some feature file tags (a behavior without one has "no scenario yet"); default: featureFiles' ids. */
  known?: ReadonlySet<string>
  /** Feature files no run has parsed, parsed from disk: their scenarios show, without results. */
  unrun?: readonly ParsedFeature[]
  /** Feature files on disk: uri -> language and the behavior ids it tags. */
  featureFiles?: ReadonlyMap<string, { language: Lang; ids: ReadonlySet<string> }>
  /** The target each profile runs against (`builtin`, `cluster`). */
  targets?: Readonly<Record<string, string>>
  patches?: readonly MutantPatch[]
  mutation?: MutationReport
  diagramMediaType?: string
}

/** `Cluster architecture / master` -> `cluster-architecture-master`. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'section'
  )
}

const time = (r: RunResult): number => Date.parse(r.finishedAt ?? r.startedAt ?? '') || 0

export function buildBook(input: BookInput): Book {
  const runs = [...input.runs]
  const diagramType = input.diagramMediaType ?? 'image/svg+xml'
  const known = input.known ?? new Set([...(input.featureFiles?.values() ?? [])].flatMap((f) => [...f.ids]))
  const matrix = buildMatrix(input.catalogue, runs, known)
  // most recent first: a scenario's text and diagrams come from the latest run that has them
  const byRecency = runs.map((r, i) => ({ r, i })).sort((a, b) => time(b.r) - time(a.r) || a.i - b.i)

  const texts = new Map<string, ScenarioText>()
  const perRun = runs.map(() => new Map<string, ScenarioRun>())
  const diagrams = new Map<string, Map<number, DiagramRef>>()
  const idsOf = new Map<string, Set<string>>()
  const parsedUris = new Set<string>()
  const keyOf = (t: ScenarioText): string => `${t.uri}:${t.line}`
  /** Indexes a document's scenarios by AST node id; the first text of a key (the latest run's) stays. */
  const indexTexts = (index: Map<string, ScenarioText>, doc: GherkinDocument): void => {
    for (const [id, t] of scenariosOf(doc)) {
      index.set(id, t)
      if (!texts.has(keyOf(t))) texts.set(keyOf(t), t)
    }
  }
  const tagIds = (key: string, tags: readonly string[]): void => {
    if (!idsOf.has(key)) idsOf.set(key, new Set())
    for (const id of behaviorIds(tags)) idsOf.get(key)!.add(id)
  }
  // scenarios of the feature files no run parsed: their text and behavior ids, no result
  for (const f of input.unrun ?? []) {
    const index = new Map<string, ScenarioText>()
    indexTexts(index, f.document)
    for (const p of f.pickles) {
      const text = p.astNodeIds[0] ? index.get(p.astNodeIds[0]) : undefined
      if (text) tagIds(keyOf(text), p.tags)
    }
  }
  for (const { r, i } of byRecency) {
    const index = new Map<string, ScenarioText>()
    for (const doc of r.documents ?? []) {
      if (doc.uri) parsedUris.add(doc.uri)
      indexTexts(index, doc)
    }
    for (const p of r.scenarios) {
      const text = p.astNodeIds?.[0] ? index.get(p.astNodeIds[0]) : undefined
      const key = text ? keyOf(text) : `${p.uri}:${p.line}`
      tagIds(key, p.tags)
      const m = perRun[i]!
      const prev = m.get(key)
      m.set(key, {
        profile: r.profile,
        status: prev ? worst(prev.status, p.status) : p.status,
        passed: (prev?.passed ?? 0) + (p.status === 'passed' ? 1 : 0),
        total: (prev?.total ?? 0) + 1,
        reasons: [...new Set([...(prev?.reasons ?? []), ...p.reasons])],
      })
      const svg = p.attachments?.filter((a) => a.mediaType === diagramType).at(-1)
      if (svg) {
        if (!diagrams.has(key)) diagrams.set(key, new Map())
        const d = diagrams.get(key)!
        if (!d.has(p.line)) d.set(p.line, { name: p.name, line: p.line, profile: r.profile, svg: svg.body })
      }
    }
  }

  const scenariosFor = (id: string): BookScenario[] =>
    [...texts]
      .filter(([key]) => idsOf.get(key)?.has(id))
      .map(([key, text]) => ({
        key,
        text,
        runs: perRun.map((m) => m.get(key)).filter((x): x is ScenarioRun => x !== undefined),
        diagrams: [...(diagrams.get(key)?.values() ?? [])].sort((a, b) => a.line - b.line),
      }))
      .sort((a, b) => a.text.uri.localeCompare(b.text.uri) || a.text.line - b.text.line)

  const sections: BookSection[] = matrix.sections.map((section) => ({
    name: section.name,
    slug: slug(section.name),
    behaviors: section.rows.map((row) => {
      const id = row.behavior.id
      const all = scenariosFor(id)
      const scenarios = { en: all.filter((s) => langOf(s.text.language) === 'en'), ar: all.filter((s) => langOf(s.text.language) === 'ar') }
      const notRun: Record<Lang, string[]> = { en: [], ar: [] }
      for (const [uri, f] of input.featureFiles ?? []) if (f.ids.has(id) && !parsedUris.has(uri)) notRun[f.language].push(uri)
      const mutants = mutantsFor(id, input.patches ?? [], input.mutation)
      return {
        behavior: row.behavior,
        results: row.cells.map((cell, i) => ({
          profile: runs[i]!.profile,
          ...(input.targets?.[runs[i]!.profile] ? { target: input.targets[runs[i]!.profile] } : {}),
          ...(runs[i]!.finishedAt ? { finishedAt: runs[i]!.finishedAt } : {}),
          cell,
        })),
        scenarios,
        notRun: { en: notRun.en.sort(), ar: notRun.ar.sort() },
        mutants,
        files: filesFor(mutants),
      }
    }),
  }))

  const runInfo: RunInfo[] = runs.map((r) => {
    const counts: Partial<Record<ScenarioStatus, number>> = {}
    for (const s of r.scenarios) counts[s.status] = (counts[s.status] ?? 0) + 1
    return {
      profile: r.profile,
      ...(input.targets?.[r.profile] ? { target: input.targets[r.profile] } : {}),
      ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
      scenarios: r.scenarios.length,
      counts,
    }
  })
  return { sections, runs: runInfo, mutation: { ...(input.mutation ? { report: input.mutation } : {}), patches: input.patches?.length ?? 0 } }
}
