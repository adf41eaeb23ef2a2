// The mutation proof of each behavior: the mutants kept under mutants/<section>/*.patch (each
// a header of `Key: value` lines, a blank line, then a `git diff`) and, when a mutation run
// has happened, its verdicts (reports/mutation.json: killed by which scenario and step,
// survived, stale, ...). Read defensively: a missing or partly unreadable report gives "no
// mutation run yet" or skips the entries it cannot read, with a warning, never a crash.
// The files a behavior's mutants patch are where the behavior lives in the orchestrator.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

export const MUTANTS_DIR = 'mutants'
export const MUTATION_REPORT = 'mutation.json'

export type MutantStatus = 'killed' | 'survived' | 'stale' | 'timeout' | 'error'
export const MUTANT_STATUSES: readonly MutantStatus[] = ['killed', 'survived', 'stale', 'timeout', 'error']

/** A mutant as its patch file states it. */
export interface MutantPatch {
  /** Path of the patch from the repository root (mutants/<section>/<ID>.<slug>.patch). */
  file: string
  behaviors: string[]
  claim?: string
  bug?: string
  layer?: string
  weakSpot?: string
  scenarios?: string
  /** The orchestrator files its diff changes. */
  touches: string[]
}

/** A mutant's verdict in reports/mutation.json. */
export interface MutantVerdict {
  file: string
  behaviors: string[]
  claim?: string
  bug?: string
  layer?: string
  weakSpot?: string
  status: MutantStatus
  killedBy?: { scenario?: string; step?: string; message?: string }
}

export interface MutationReport {
  mutants: MutantVerdict[]
  /** When the run happened, if the report says. */
  generatedAt?: string
  /** Entries that could not be read. */
  warnings: string[]
}

/** A mutant as the book shows it: the patch's words, the verdict if there is one. */
export interface MutantView extends MutantPatch {
  status?: MutantStatus
  killedBy?: MutantVerdict['killedBy']
}

/** Parses a mutant's patch file: header lines until the first blank line or `diff --git`. */
export function parsePatch(file: string, text: string): MutantPatch {
  const headers = new Map<string, string>()
  const lines = text.split('\n')
  let i = 0
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (!line.trim() || line.startsWith('diff ')) break
    const m = /^([A-Za-z][A-Za-z-]*):\s*(.*)$/.exec(line)
    if (m) headers.set(m[1]!.toLowerCase(), m[2]!.trim())
  }
  const touches: string[] = []
  for (; i < lines.length; i++) {
    const m = /^diff --git a\/(\S+) b\/(\S+)/.exec(lines[i]!)
    if (m && !touches.includes(m[2]!)) touches.push(m[2]!)
  }
  const behaviors = (headers.get('behaviors') ?? '').split(/[\s,]+/).filter(Boolean)
  const opt = (k: string): Record<string, string> => {
    const v = headers.get(k)
    return v ? { [k === 'weak-spot' ? 'weakSpot' : k]: v } : {}
  }
  return { file, behaviors, ...opt('claim'), ...opt('bug'), ...opt('layer'), ...opt('weak-spot'), ...opt('scenarios'), touches }
}

/** Every mutants/**\/*.patch under root, parsed, in path order. */
export function loadPatches(root = '.', dir = MUTANTS_DIR): MutantPatch[] {
  const base = join(root, dir)
  if (!existsSync(base)) return []
  return readdirSync(base, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => parsePatch(relative(root, join(base, f)).split(sep).join('/'), readFileSync(join(base, f), 'utf8')))
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)

/** Reads the parsed JSON of reports/mutation.json; anything it cannot use becomes a warning. */
export function parseMutationReport(doc: unknown): MutationReport {
  const warnings: string[] = []
  const root = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>
  if (!Array.isArray(root.mutants)) return { mutants: [], warnings: ['the mutation report has no "mutants" list'] }
  const mutants: MutantVerdict[] = []
  root.mutants.forEach((raw, i) => {
    const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
    const file = str(m.file)
    const status = str(m.status) as MutantStatus | undefined
    if (!file || !status || !MUTANT_STATUSES.includes(status)) {
      warnings.push(`mutant #${i + 1} has no file or no known status (${JSON.stringify(m.status ?? null)}); left out`)
      return
    }
    const behaviors = Array.isArray(m.behaviors) ? m.behaviors.filter((b): b is string => typeof b === 'string') : []
    const k = (m.killedBy && typeof m.killedBy === 'object' ? m.killedBy : undefined) as Record<string, unknown> | undefined
    const killedBy = k
      ? {
          ...(str(k.scenario) ? { scenario: str(k.scenario) } : {}),
          ...(str(k.step) ? { step: str(k.step) } : {}),
          ...(str(k.message) ? { message: str(k.message) } : {}),
        }
      : undefined
    const opt = (key: string): Record<string, string> => (str(m[key]) ? { [key]: str(m[key])! } : {})
    mutants.push({
      file: file.replace(/^\.\//, ''),
      behaviors,
      status,
      ...opt('claim'),
      ...opt('bug'),
      ...opt('layer'),
      ...opt('weakSpot'),
      ...(killedBy ? { killedBy } : {}),
    })
  })
  const generatedAt = str(root.generatedAt) ?? str(root.finishedAt) ?? str(root.date) ?? str(root.startedAt)
  return { mutants, ...(generatedAt ? { generatedAt } : {}), warnings }
}

/** Reads reports/mutation.json; undefined when there is none (no mutation run yet). */
export function readMutationReport(reportsDir = 'reports'): MutationReport | undefined {
  const path = join(reportsDir, MUTATION_REPORT)
  if (!existsSync(path)) return undefined
  try {
    return parseMutationReport(JSON.parse(readFileSync(path, 'utf8')))
  } catch (e) {
    return { mutants: [], warnings: [`${path} could not be read: ${e instanceof Error ? e.message : String(e)}`] }
  }
}

/**
 * The mutants of one behavior: every patch that names it, with its verdict when the report has
 * one, then verdicts whose patch is gone (the report is older than the tree).
 */
export function mutantsFor(id: string, patches: readonly MutantPatch[], report?: MutationReport): MutantView[] {
  const verdicts = new Map((report?.mutants ?? []).map((v) => [v.file, v]))
  const out: MutantView[] = patches
    .filter((p) => p.behaviors.includes(id))
    .map((p) => {
      const v = verdicts.get(p.file)
      return v ? { ...p, status: v.status, ...(v.killedBy ? { killedBy: v.killedBy } : {}) } : { ...p }
    })
  for (const v of report?.mutants ?? []) {
    if (v.behaviors.includes(id) && !patches.some((p) => p.file === v.file)) out.push({ ...v, touches: [] })
  }
  return out
}

/** Where a behavior lives: the files its mutants patch, most patched first. */
export function filesFor(mutants: readonly MutantView[]): string[] {
  const n = new Map<string, number>()
  for (const m of mutants) for (const f of m.touches) n.set(f, (n.get(f) ?? 0) + 1)
  return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([f]) => f)
}

/** "3 mutants: 2 killed, 1 survived" counts. */
export function tally(mutants: readonly MutantView[]): Partial<Record<MutantStatus | 'not-run', number>> {
  const t: Partial<Record<MutantStatus | 'not-run', number>> = {}
  for (const m of mutants) {
    const k = m.status ?? 'not-run'
    t[k] = (t[k] ?? 0) + 1
  }
  return t
}
