// Writes the conformance matrix (reports/conformance.md and .html) from the runs on disk
// (reports/<profile>/messages.ndjson) and, in a formatter, the run that is finishing (which
// replaces its profile's file on disk), and the mutation suite's last results
// (reports/mutation.json, when `npm run test:mutants` has run) as a column. Used by the conformance formatter at the end of every
// run and by `npm run report`.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { BEHAVIOR_ID, CATALOGUE_PATH, loadCatalogue } from './catalogue.js'
import { buildMatrix, renderHtml, renderMarkdown, type Matrix } from './matrix.js'
import { readRun, type RunResult } from './results.js'
import { readMutationReport } from './mutation.js'

/** Columns come in this order; other profiles follow alphabetically. */
export const PROFILE_ORDER = ['default', 'ci', 'ar', 'docker', 'etcd', 'cluster']

export function sortRuns(runs: RunResult[]): RunResult[] {
  const rank = (p: string): number => {
    const i = PROFILE_ORDER.indexOf(p)
    return i < 0 ? PROFILE_ORDER.length : i
  }
  return [...runs].sort((a, b) => rank(a.profile) - rank(b.profile) || a.profile.localeCompare(b.profile))
}

/** Profiles that left messages under reportsDir/<profile>/messages.ndjson. */
export function runsOnDisk(reportsDir: string): { profile: string; file: string }[] {
  if (!existsSync(reportsDir)) return []
  return readdirSync(reportsDir)
    .map((profile) => ({ profile, file: join(reportsDir, profile, 'messages.ndjson') }))
    .filter(({ file }) => existsSync(file) && statSync(file).size > 0)
}

/**
 * The feature files under featuresDir (uri as cucumber names them, `features/ar/x.feature`):
 * their language (`# language: ar`; English without the header) and the behavior ids their
 * tags name.
 */
export function featureFiles(featuresDir = 'features'): Map<string, { language: string; ids: Set<string> }> {
  const files = new Map<string, { language: string; ids: Set<string> }>()
  if (!existsSync(featuresDir)) return files
  for (const f of readdirSync(featuresDir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!f.endsWith('.feature')) continue
    const ids = new Set<string>()
    let language = 'en'
    for (const line of readFileSync(join(featuresDir, f), 'utf8').split('\n')) {
      const lang = /^\s*#\s*language:\s*([\w-]+)/.exec(line)
      if (lang) language = lang[1]!
      if (!line.trim().startsWith('@')) continue
      for (const tag of line.trim().split(/\s+/)) {
        const id = tag.replace(/^@/, '')
        if (BEHAVIOR_ID.test(id)) ids.add(id)
      }
    }
    files.set(join(featuresDir, f).split(sep).join('/'), { language, ids })
  }
  return files
}

/** Behavior ids tagged on some scenario or feature in the feature files. */
export function knownBehaviorIds(featuresDir = 'features'): Set<string> {
  return new Set([...featureFiles(featuresDir).values()].flatMap((f) => [...f.ids]))
}

/** The book's page, relative to reportsDir. */
export const BOOK_INDEX = 'book/index.html'

/** Links from a behavior id to the book, when reportsDir has one (`npm run book`). */
export function bookLink(reportsDir: string): ((id: string) => string) | undefined {
  return existsSync(join(reportsDir, BOOK_INDEX)) ? (id) => `${BOOK_INDEX}#${encodeURIComponent(id)}` : undefined
}

export interface ConformanceOptions {
  reportsDir?: string
  catalogue?: string
  /** Runs known in memory (a finishing run): they replace their profile's file on disk. */
  current?: RunResult[]
  now?: Date
}

export function conformanceMatrix(opts: ConformanceOptions = {}): Matrix {
  const reportsDir = opts.reportsDir ?? 'reports'
  const current = opts.current ?? []
  const runs = [...current]
  for (const { profile, file } of runsOnDisk(reportsDir)) {
    if (current.some((r) => r.profile === profile)) continue
    try {
      runs.push(readRun(profile, file))
    } catch (e) {
      console.warn(`conformance: ignoring ${file}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  let mutation
  try {
    mutation = readMutationReport(join(reportsDir, 'mutation.json'))
  } catch (e) {
    console.warn(`conformance: ignoring ${join(reportsDir, 'mutation.json')}: ${e instanceof Error ? e.message : String(e)}`)
  }
  return buildMatrix(loadCatalogue(opts.catalogue ?? CATALOGUE_PATH), sortRuns(runs), knownBehaviorIds(), mutation)
}

/** Links to the other reports that exist, relative to reportsDir. */
export function reportLinks(reportsDir: string, profiles: string[]): { label: string; href: string }[] {
  const links: { label: string; href: string }[] = []
  if (existsSync(join(reportsDir, BOOK_INDEX))) links.push({ label: 'The book (the course with its scenarios, results and diagrams)', href: BOOK_INDEX })
  for (const p of profiles) links.push({ label: `${p}: Cucumber report`, href: `${p}/cucumber.html` })
  if (existsSync(join(reportsDir, 'allure', 'index.html'))) links.push({ label: 'Allure report', href: 'allure/index.html' })
  if (existsSync(join(reportsDir, 'junit.xml'))) links.push({ label: 'JUnit XML (ci)', href: 'junit.xml' })
  if (existsSync(join(reportsDir, 'mutation.json'))) links.push({ label: 'Mutation report (JSON)', href: 'mutation.json' })
  links.push({ label: 'Markdown version', href: 'conformance.md' })
  return links
}

/** Writes reports/conformance.md and reports/conformance.html; returns the Markdown. */
export function writeConformance(opts: ConformanceOptions = {}): { markdown: string; html: string; files: string[] } {
  const reportsDir = opts.reportsDir ?? 'reports'
  const matrix = conformanceMatrix(opts)
  const generatedAt = (opts.now ?? new Date())
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
  const book = bookLink(reportsDir)
  const render = {
    generatedAt,
    catalogue: relative('.', opts.catalogue ?? CATALOGUE_PATH),
    reports: reportLinks(
      reportsDir,
      matrix.runs.map((r) => r.profile),
    ),
    ...(book ? { book } : {}),
  }
  const markdown = renderMarkdown(matrix, { ...render, reports: render.reports.filter((r) => !r.href.endsWith('.md')) })
  const html = renderHtml(matrix, render)
  mkdirSync(reportsDir, { recursive: true })
  const md = join(reportsDir, 'conformance.md')
  const htmlFile = join(reportsDir, 'conformance.html')
  writeFileSync(md, markdown)
  writeFileSync(htmlFile, html)
  return { markdown, html, files: [md, htmlFile] }
}
