// A mutant file: mutants/<section>/<BEHAVIOR-ID>.<slug>.patch. A header of `Key: value` lines
// (a line that starts with white space continues the previous value), a blank line, then a
// unified diff as `git diff` writes it (applied with `git apply` from the repository root, which
// skips everything before the first `diff --git`):
//
//   Behaviors: HEAL-02                      one or more behavior ids of features/behaviors.yaml
//   Claim: restarted only after failureThreshold failures in a row
//   Bug: the kubelet restarts a container after its first failed liveness probe.
//   Scenarios: @HEAL-02 and @docker         optional tag expression; default: @<id> or @<id> ...
//   Layer: orchestrator                     orchestrator | runtime adapter | fixture
//   Weak-spot: HEAL-02 one-sided timing     optional: the issue-15 weak spot it proves fixed
//   Expect: timeout                         optional: a hang is what a user would see, so a
//                                           timeout counts as killed
//   Killed-by: <scenario name>              optional: the scenario that kills it, run first (alone)
//                                           so the runner need not run the others before it; a
//                                           hint for speed only: if it does not kill, all run
//
// A header line must not start with `diff `, `--- ` or `+++ ` (git would read it as the diff).

import { globSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'

export const LAYERS = ['orchestrator', 'runtime adapter', 'fixture'] as const
export type Layer = (typeof LAYERS)[number]

export interface Mutant {
  /** path relative to the repository root */
  file: string
  behaviors: string[]
  claim: string
  bug: string
  /** the `Scenarios:` tag expression as written, if any */
  scenarios?: string
  layer: Layer
  weakSpot?: string
  expect?: 'timeout'
  /** the name of the scenario expected to kill it (run first; `--write-hints` keeps it current) */
  killedBy?: string
  /** the patch, from its first `diff --git` line */
  diff: string
}

const KEYS = {
  behaviors: 'Behaviors',
  claim: 'Claim',
  bug: 'Bug',
  scenarios: 'Scenarios',
  layer: 'Layer',
  'weak-spot': 'Weak-spot',
  expect: 'Expect',
  'killed-by': 'Killed-by',
} as const
type Key = keyof typeof KEYS

const BEHAVIOR_ID = /^[A-Z][A-Z0-9]*-\d+$/

/**
 * Reads a mutant file. Returns the mutant, or every problem found (so a helper fixing a file
 * sees them all at once). `knownIds`, when given, are the catalogue's behavior ids.
 */
export function parseMutant(
  text: string,
  file: string,
  knownIds?: ReadonlySet<string>,
): { mutant: Mutant; errors: [] } | { mutant?: undefined; errors: string[] } {
  const errors: string[] = []
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const fields = new Map<Key, string>()
  let last: Key | undefined
  let i = 0
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (!line.trim()) break
    if (/^(diff |--- |\+\+\+ )/.test(line)) {
      errors.push(`line ${i + 1}: the header ends with a blank line before the diff`)
      break
    }
    if (/^\s/.test(line) && last) {
      fields.set(last, `${fields.get(last)} ${line.trim()}`)
      continue
    }
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line)
    const key = m?.[1]?.toLowerCase() as Key | undefined
    if (!m || !key || !(key in KEYS)) {
      errors.push(`line ${i + 1}: "${line}" is not a header line (${Object.values(KEYS).join(', ')}: value)`)
      last = undefined
      continue
    }
    if (fields.has(key)) errors.push(`line ${i + 1}: ${KEYS[key]} given twice`)
    fields.set(key, m[2]!.trim())
    last = key
  }
  const rest = lines.slice(i)
  const start = rest.findIndex((l) => l.startsWith('diff --git '))
  if (start < 0) errors.push('no diff: after the header and a blank line comes the output of `git diff`')
  else {
    const junk = rest.slice(0, start).findIndex((l) => l.trim() !== '')
    if (junk >= 0) errors.push(`line ${i + junk + 1}: only blank lines may separate the header from the diff`)
  }

  const behaviors = (fields.get('behaviors') ?? '').split(/[\s,]+/).filter(Boolean)
  if (!behaviors.length) errors.push('Behaviors: missing (the behavior ids this mutant breaks)')
  for (const id of behaviors) {
    if (!BEHAVIOR_ID.test(id)) errors.push(`Behaviors: "${id}" is not a behavior id (like HEAL-02)`)
    else if (knownIds && !knownIds.has(id)) errors.push(`Behaviors: ${id} is not in the catalogue (features/behaviors.yaml)`)
  }
  for (const key of ['claim', 'bug'] as const) if (!fields.get(key)) errors.push(`${KEYS[key]}: missing`)
  const layer = fields.get('layer')
  if (!layer) errors.push(`Layer: missing (${LAYERS.join(' | ')})`)
  else if (!(LAYERS as readonly string[]).includes(layer)) errors.push(`Layer: "${layer}" is none of ${LAYERS.join(' | ')}`)
  const expect = fields.get('expect')
  if (expect !== undefined && expect !== 'timeout') errors.push(`Expect: "${expect}" is not "timeout"`)
  if (fields.has('scenarios') && !fields.get('scenarios')) errors.push("Scenarios: empty (leave it out to run the behaviors' scenarios)")
  const named = /^([A-Z][A-Z0-9]*-\d+)\.[^.]+.*\.patch$/.exec(basename(file))
  if (!named) errors.push(`the file name is not <BEHAVIOR-ID>.<slug>.patch: ${basename(file)}`)
  else if (behaviors.length && !behaviors.includes(named[1]!))
    errors.push(`the file is named for ${named[1]}, which its Behaviors (${behaviors.join(', ')}) do not include`)

  if (errors.length) return { errors }
  return {
    mutant: {
      file,
      behaviors,
      claim: fields.get('claim')!,
      bug: fields.get('bug')!,
      ...(fields.get('scenarios') ? { scenarios: fields.get('scenarios')! } : {}),
      layer: layer as Layer,
      ...(fields.get('weak-spot') ? { weakSpot: fields.get('weak-spot')! } : {}),
      ...(expect ? { expect: 'timeout' as const } : {}),
      ...(fields.get('killed-by') ? { killedBy: fields.get('killed-by')! } : {}),
      diff: rest.slice(start).join('\n'),
    },
    errors: [],
  }
}

/** The tag expression that selects a mutant's scenarios: its `Scenarios:`, or its behaviors' tags. */
export function tagExpression(m: Pick<Mutant, 'behaviors' | 'scenarios'>): string {
  return m.scenarios ?? m.behaviors.map((b) => `@${b}`).join(' or ')
}

/** Every mutant file under the repository's mutants/, read: the valid ones and the problems of the others. */
export function readMutants(
  repo: string,
  knownIds: ReadonlySet<string>,
): { files: string[]; mutants: Mutant[]; invalid: { file: string; errors: string[] }[] } {
  const files = globSync('mutants/**/*.patch', { cwd: repo }).sort()
  const mutants: Mutant[] = []
  const invalid: { file: string; errors: string[] }[] = []
  for (const file of files) {
    const { mutant, errors } = parseMutant(readFileSync(join(repo, file), 'utf8'), file, knownIds)
    if (mutant) mutants.push(mutant)
    else invalid.push({ file, errors })
  }
  return { files, mutants, invalid }
}

/** Which mutant files `--only` keeps: a behavior id, a path, or a glob (relative to the repo or to mutants/). */
export function onlyFilter(repo: string, files: string[], only: string[] | undefined, parsed: ReadonlyMap<string, Mutant>): Set<string> {
  if (!only?.length) return new Set(files)
  const keep = new Set<string>()
  for (const o of only) {
    if (BEHAVIOR_ID.test(o)) {
      for (const f of files) if (parsed.get(f)?.behaviors.includes(o) || basename(f).startsWith(`${o}.`)) keep.add(f)
      continue
    }
    const globbed = new Set([...globSync(o, { cwd: repo }), ...globSync(`mutants/**/${o}`, { cwd: repo })])
    for (const f of files) if (globbed.has(f) || basename(f) === o) keep.add(f)
  }
  return keep
}

/**
 * The mutants `--gate` runs: every mutant that proves a weak spot, plus, for each behavior none
 * of those covers, its cheapest mutant by `cost` (ms; the file name breaks ties and orders all
 * when no cost is known). So every behavior and every weak spot is proven, in a fraction of the
 * time of all mutants.
 */
export function gateSelection(mutants: readonly Mutant[], cost: (m: Mutant) => number = () => 0): Mutant[] {
  const sorted = [...mutants].sort((a, b) => a.file.localeCompare(b.file))
  const chosen = new Set(sorted.filter((m) => m.weakSpot))
  const covered = new Set([...chosen].flatMap((m) => m.behaviors))
  const cheapest = [...sorted].sort((a, b) => cost(a) - cost(b) || a.file.localeCompare(b.file))
  for (const m of cheapest) {
    if (m.behaviors.some((b) => !covered.has(b))) {
      chosen.add(m)
      for (const b of m.behaviors) covered.add(b)
    }
  }
  return sorted.filter((m) => chosen.has(m))
}

/** The mutant file's text with its `Killed-by:` header set to `scenario` (replacing any, after the other header lines). */
export function withKilledBy(text: string, scenario: string): string {
  const lines = text.split('\n')
  const blank = lines.findIndex((l) => !l.trim())
  const end = blank < 0 ? lines.length : blank
  const header: string[] = []
  let dropping = false
  for (const line of lines.slice(0, end)) {
    if (/^\s/.test(line)) {
      if (!dropping) header.push(line)
      continue
    }
    dropping = /^killed-by:/i.test(line)
    if (!dropping) header.push(line)
  }
  return [...header, `Killed-by: ${scenario}`, ...lines.slice(end)].join('\n')
}
