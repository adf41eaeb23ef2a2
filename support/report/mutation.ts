// The mutation report (reports/mutation.json, written by `npm run test:mutants`): for every
// mutant (a small patch under mutants/ that breaks one claim of a behavior), whether the
// behavior's English scenarios killed it, and per behavior how many mutants prove it. The
// conformance matrix shows it as a column: "proven by N mutants" / "K of N killed".
//
// Statuses, as in mutation-testing tools (see the README's "Mutation testing"):
//   killed    some scenario failed with the mutant applied (or it hung, where the mutant says a
//             hang is what a user would see: `Expect: timeout`)
//   survived  every selected scenario passed with the mutant applied
//   stale     the patch no longer applies to the tree (`git apply --check` failed)
//   timeout   the run exceeded its time limit (not a kill)
//   error     the run could not judge the mutant: it did not start, a step was undefined or
//             ambiguous, a capability was missing, the baseline failed, no scenario was selected
//   invalid   the mutant file itself is malformed (its header or its diff)

import { existsSync, readFileSync } from 'node:fs'

export const MUTATION_REPORT_PATH = 'reports/mutation.json'

export type MutantStatus = 'killed' | 'survived' | 'stale' | 'timeout' | 'error' | 'invalid'

export const MUTANT_STATUSES: readonly MutantStatus[] = ['killed', 'survived', 'stale', 'timeout', 'error', 'invalid']

/** Where a mutant died: the first failing scenario and step, and the first lines of the error. */
export interface KilledBy {
  scenario: string
  uri: string
  line: number
  step: string
  message: string
}

export interface MutantResult {
  /** the mutant's file, relative to the repository (mutants/<section>/<ID>.<slug>.patch) */
  file: string
  behaviors: string[]
  claim: string
  bug: string
  layer: string
  weakSpot?: string
  /** the cucumber tag expression its scenarios were selected with */
  scenarios: string
  status: MutantStatus
  killedBy?: KilledBy
  /** why it is not killed (stale: git's complaint; error: what went wrong) */
  detail?: string
  durationMs: number
  /** where the time went: resetting and patching the copy, the cucumber-js process, the scenarios in it */
  timing?: { prepareMs: number; processMs: number; scenariosMs: number }
  /** when this mutant was last run (ISO) */
  at: string
}

export interface BehaviorProof {
  mutants: number
  killed: number
  claims: { claim: string; status: MutantStatus; file: string }[]
}

export interface MutationReport {
  generatedAt: string
  /** the git tree of the working copy the mutants ran on (tracked changes and untracked files included) */
  tree: string
  baseline?: { source: string; scenarios: number; passed: number; durationMs?: number }
  totals: Record<MutantStatus, number> & { mutants: number }
  /** behavior ids of the catalogue without any mutant */
  missing: string[]
  mutants: MutantResult[]
  behaviors: Record<string, BehaviorProof>
}

export function totalsOf(results: readonly MutantResult[]): MutationReport['totals'] {
  const totals = { mutants: results.length, killed: 0, survived: 0, stale: 0, timeout: 0, error: 0, invalid: 0 }
  for (const r of results) totals[r.status]++
  return totals
}

/** Per behavior id of the catalogue: its mutants and how many were killed. */
export function proofByBehavior(results: readonly MutantResult[], behaviorIds: readonly string[]): Record<string, BehaviorProof> {
  const out: Record<string, BehaviorProof> = {}
  for (const id of behaviorIds) out[id] = { mutants: 0, killed: 0, claims: [] }
  for (const r of results) {
    for (const id of r.behaviors) {
      const p = (out[id] ??= { mutants: 0, killed: 0, claims: [] })
      p.mutants++
      if (r.status === 'killed') p.killed++
      p.claims.push({ claim: r.claim, status: r.status, file: r.file })
    }
  }
  return out
}

export type ProofStatus = 'proven' | 'partly' | 'none'

/** The matrix's mutation cell for one behavior. */
export function proofCell(p: BehaviorProof | undefined): { status: ProofStatus; text: string } {
  if (!p || !p.mutants) return { status: 'none', text: 'no mutant' }
  if (p.killed === p.mutants) return { status: 'proven', text: `proven by ${p.mutants} mutant${p.mutants === 1 ? '' : 's'}` }
  return { status: 'partly', text: `${p.killed} of ${p.mutants} killed` }
}

export function readMutationReport(path = MUTATION_REPORT_PATH): MutationReport | undefined {
  if (!existsSync(path)) return undefined
  return JSON.parse(readFileSync(path, 'utf8')) as MutationReport
}
