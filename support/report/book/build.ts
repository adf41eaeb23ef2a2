// Writes the book (reports/book/) from what the last runs left on disk, never by running
// anything: index.html (the whole course, both languages), book.css and book.js beside it, and
// diagrams/<hash>.svg (each scenario's sequence diagram, from the runs' messages, one file per
// distinct drawing). The folder opens offline from file://. Then refreshes the conformance
// matrix, whose behavior ids now link to the book.

import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CATALOGUE_PATH, loadCatalogue } from '../catalogue.js'
import { featureFiles, runsOnDisk, sortRuns, writeConformance } from '../conformance.js'
import { readRun, type RunResult } from '../results.js'
import { DIAGRAM_MEDIA_TYPE } from '../sequence-svg.js'
import { parseFeature, type ParsedFeature } from './gherkin.js'
import { buildBook, langOf, type Book, type Lang } from './model.js'
import { loadPatches, readMutationReport } from './mutants.js'
import { renderBook, type DiagramFile } from './render.js'

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets')
export const BOOK_DIR = 'book'
export const DIAGRAMS_DIR = 'diagrams'

export interface BookOptions {
  reportsDir?: string
  /** Where the book goes (default reportsDir/book). */
  out?: string
  catalogue?: string
  featuresDir?: string
  /** The repository root (mutants/ and cucumber.js are read from here). */
  root?: string
  now?: Date
  /** Rewrite the conformance matrix so its ids link to the book (default true). */
  matrix?: boolean
}

export interface BookSummary {
  dir: string
  index: string
  behaviors: number
  scenarios: Record<Lang, number>
  diagrams: number
  profiles: string[]
  book: Book
  warnings: string[]
}

/** The target each profile of cucumber.js runs against (`builtin`, `cluster`), from its worldParameters. */
export async function profileTargets(config = 'cucumber.js'): Promise<Record<string, string>> {
  if (!existsSync(config)) return {}
  try {
    const profiles = (await import(pathToFileURL(resolve(config)).href)) as Record<string, { worldParameters?: { target?: unknown } } | undefined>
    const out: Record<string, string> = {}
    for (const [name, p] of Object.entries(profiles)) {
      const target = p?.worldParameters?.target
      if (typeof target === 'string') out[name] = target
    }
    return out
  } catch {
    return {}
  }
}

/** The width and height an SVG document declares on its root element. */
export function svgSize(svg: string): { width?: number; height?: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? ''
  const num = (attr: string): number | undefined => {
    const m = new RegExp(`\\s${attr}="([\\d.]+)(px)?"`).exec(root)
    return m ? Math.round(Number(m[1])) : undefined
  }
  const width = num('width')
  const height = num('height')
  return { ...(width ? { width } : {}), ...(height ? { height } : {}) }
}

/** Each run on disk, with what the book needs (scenario texts, diagrams). */
export function readRuns(reportsDir: string, warnings: string[] = []): RunResult[] {
  const runs: RunResult[] = []
  for (const { profile, file } of runsOnDisk(reportsDir)) {
    try {
      runs.push(readRun(profile, file, { documents: true, attachments: [DIAGRAM_MEDIA_TYPE] }))
    } catch (e) {
      warnings.push(`${file} could not be read: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return sortRuns(runs)
}

/**
 * The feature files no run has parsed (the Arabic editions after `npx cucumber-js`), parsed from
 * disk, so the book and `ock explain` show their scenarios too, without a result.
 */
export function unrunFeatures(uris: Iterable<string>, runs: readonly RunResult[], root = '.', warnings: string[] = []): ParsedFeature[] {
  const parsed = new Set(runs.flatMap((r) => (r.documents ?? []).map((d) => d.uri)))
  const unrun: ParsedFeature[] = []
  for (const uri of uris) {
    if (parsed.has(uri)) continue
    try {
      unrun.push(parseFeature(readFileSync(join(root, uri), 'utf8'), uri))
    } catch (e) {
      warnings.push(`${uri} could not be parsed: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return unrun
}

export async function writeBook(opts: BookOptions = {}): Promise<BookSummary> {
  const root = opts.root ?? '.'
  const reportsDir = opts.reportsDir ?? join(root, 'reports')
  const dir = opts.out ?? join(reportsDir, BOOK_DIR)
  const warnings: string[] = []
  const runs = readRuns(reportsDir, warnings)
  const files = new Map(
    [...featureFiles(opts.featuresDir ?? join(root, 'features'))].map(([uri, f]) => [
      relative(root, uri).split('\\').join('/'),
      { language: langOf(f.language), ids: f.ids },
    ]),
  )
  const unrun = unrunFeatures(files.keys(), runs, root, warnings)
  const mutation = readMutationReport(reportsDir)
  if (mutation) warnings.push(...mutation.warnings)
  const book = buildBook({
    catalogue: loadCatalogue(opts.catalogue ?? join(root, CATALOGUE_PATH)),
    runs,
    featureFiles: files,
    unrun,
    targets: await profileTargets(join(root, 'cucumber.js')),
    patches: loadPatches(root),
    ...(mutation ? { mutation } : {}),
  })

  mkdirSync(dir, { recursive: true })
  const diagramsDir = join(dir, DIAGRAMS_DIR)
  rmSync(diagramsDir, { recursive: true, force: true })
  mkdirSync(diagramsDir, { recursive: true })
  const written = new Map<string, DiagramFile>()
  const diagramFile = (svg: string): DiagramFile => {
    const name = `${createHash('sha256').update(svg).digest('hex').slice(0, 20)}.svg`
    let f = written.get(name)
    if (!f) {
      writeFileSync(join(diagramsDir, name), svg)
      f = { href: `${DIAGRAMS_DIR}/${name}`, ...svgSize(svg) }
      written.set(name, f)
    }
    return f
  }
  const generatedAt = (opts.now ?? new Date())
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
  const matrixHref = relative(dir, join(reportsDir, 'conformance.html')).split('\\').join('/')
  const html = renderBook(book, { diagramFile, generatedAt, matrixHref })
  const index = join(dir, 'index.html')
  writeFileSync(index, html)
  copyFileSync(join(ASSETS, 'book.css'), join(dir, 'book.css'))
  copyFileSync(join(ASSETS, 'book.js'), join(dir, 'book.js'))
  if (opts.matrix !== false && dir === join(reportsDir, BOOK_DIR))
    writeConformance({ reportsDir, catalogue: opts.catalogue ?? join(root, CATALOGUE_PATH), ...(opts.now ? { now: opts.now } : {}) })

  const behaviors = book.sections.flatMap((s) => s.behaviors)
  return {
    dir,
    index,
    behaviors: behaviors.length,
    scenarios: { en: behaviors.reduce((n, b) => n + b.scenarios.en.length, 0), ar: behaviors.reduce((n, b) => n + b.scenarios.ar.length, 0) },
    diagrams: written.size,
    profiles: runs.map((r) => r.profile),
    book,
    warnings,
  }
}
