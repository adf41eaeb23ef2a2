// Labels Allure results (written by allure-cucumberjs during a run) from the behavior
// catalogue, before `allure generate`: epic = the notes' section, story = the behavior id,
// feature = the feature's name (the reporter sets it), parent suite / suite = section /
// feature; the description says the note (in English and, right to left, in the notes' own
// Arabic), the behavior and what is observed. A scenario of an Arabic feature (features/ar/)
// gets the tag `lang:ar`, so a reader can filter the report by language. The sequence
// diagram, attached in an After hook (so Allure files it under "Tear down"), is moved onto the
// test itself where a reader looks first, and a skipped test gets its skip reason as status
// message. Works on the documented result/container JSON only; running it twice changes nothing.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Behavior } from './catalogue.js'
import { behaviorIds } from './catalogue.js'
import type { RunResult } from './results.js'

export interface AllureLabel {
  name: string
  value: string
}

export interface AllureAttachment {
  name: string
  source: string
  type?: string
}

interface AllureStep {
  name?: string
  attachments?: AllureAttachment[]
  steps?: AllureStep[]
}

export interface AllureResult extends AllureStep {
  uuid: string
  name: string
  fullName?: string
  status?: string
  statusDetails?: { message?: string; trace?: string }
  labels: AllureLabel[]
  description?: string
  descriptionHtml?: string
  attachments?: AllureAttachment[]
}

function html(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
}

export interface AllureContainer {
  uuid: string
  children?: string[]
  befores?: AllureStep[]
  afters?: AllureStep[]
}

const MARK = '<!-- ock:catalogue -->'
const OURS = new Set(['epic', 'story', 'parentSuite', 'suite'])
/** The tag of results from the Arabic features. */
export const ARABIC_TAG = 'lang:ar'

/** Labels and description of one result, from the catalogue; idempotent. */
export function labelResult(result: AllureResult, catalogue: ReadonlyMap<string, Behavior>): AllureResult {
  const tags = result.labels.filter((l) => l.name === 'tag').map((l) => l.value)
  const behaviors = behaviorIds(tags)
    .map((id) => catalogue.get(id))
    .filter((b): b is Behavior => b !== undefined)
  if (!behaviors.length) return result
  const feature = result.labels.find((l) => l.name === 'feature')?.value
  const labels = result.labels.filter((l) => !OURS.has(l.name) && !(l.name === 'tag' && l.value === ARABIC_TAG))
  if (/(^|[:/])features\/ar\//.test(result.fullName ?? '')) labels.push({ name: 'tag', value: ARABIC_TAG })
  for (const section of new Set(behaviors.map((b) => b.section))) labels.push({ name: 'epic', value: section })
  for (const b of behaviors) labels.push({ name: 'story', value: b.id })
  labels.push({ name: 'parentSuite', value: behaviors[0]!.section })
  if (feature) labels.push({ name: 'suite', value: feature })
  const original = (result.description ?? '').split(MARK).at(-1)!.trim()
  const about = behaviors
    .map((b) =>
      [
        `**${b.id}** (${b.section}): ${b.note}`,
        b.noteAr && `- *In the notes:* ${b.noteAr}`,
        b.behavior && `- *Behavior:* ${b.behavior}`,
        b.observe && `- *Observed:* ${b.observe}`,
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n\n')
  const description = `${about}\n\n${MARK}\n\n${original.replace(/\n\s+/g, '\n')}`.trim()
  const descriptionHtml =
    behaviors
      .map(
        (b) =>
          `<p><b>${html(b.id)}</b> (${html(b.section)}): ${html(b.note)}</p>${b.noteAr ? `<p dir="rtl" lang="ar">${html(b.noteAr)}</p>` : ''}${b.behavior || b.observe ? `<ul>${b.behavior ? `<li><i>Behavior:</i> ${html(b.behavior)}</li>` : ''}${b.observe ? `<li><i>Observed:</i> ${html(b.observe)}</li>` : ''}</ul>` : ''}`,
      )
      .join('') + (original ? `<p dir="auto">${html(original.replace(/\s+/g, ' '))}</p>` : '')
  return { ...result, labels, description, descriptionHtml }
}

/** Moves image/svg+xml attachments (the sequence diagram) from a container's fixtures to its tests. */
export function liftDiagrams(container: AllureContainer): { container: AllureContainer; diagrams: AllureAttachment[] } {
  const diagrams: AllureAttachment[] = []
  /** The step without its diagrams; undefined when it held nothing else (the attachment's own step). */
  const strip = (s: AllureStep): AllureStep | undefined => {
    const svg = (s.attachments ?? []).filter((a) => a.type === 'image/svg+xml')
    diagrams.push(...svg)
    const attachments = (s.attachments ?? []).filter((a) => a.type !== 'image/svg+xml')
    const steps = (s.steps ?? []).map(strip).filter((x): x is AllureStep => x !== undefined)
    if (svg.length && !attachments.length && !steps.length && svg.some((a) => a.name === s.name)) return undefined
    return { ...s, attachments, steps }
  }
  const keep = (list: AllureStep[] | undefined): AllureStep[] => (list ?? []).map((x) => strip(x) ?? { ...x, attachments: [], steps: [] })
  const afters = keep(container.afters)
  const befores = keep(container.befores)
  return { container: { ...container, befores, afters }, diagrams }
}

export interface EnrichSummary {
  results: number
  labelled: number
  diagrams: number
  skipReasons: number
}

/** Enriches every result in an allure-results directory in place. */
export function enrichResults(dir: string, catalogue: readonly Behavior[], run?: RunResult): EnrichSummary {
  const summary: EnrichSummary = { results: 0, labelled: 0, diagrams: 0, skipReasons: 0 }
  if (!existsSync(dir)) return summary
  const byId = new Map(catalogue.map((b) => [b.id, b]))
  const files = readdirSync(dir)
  const lifted = new Map<string, AllureAttachment[]>()
  for (const f of files.filter((x) => x.endsWith('-container.json'))) {
    const path = join(dir, f)
    const { container, diagrams } = liftDiagrams(JSON.parse(readFileSync(path, 'utf8')) as AllureContainer)
    if (!diagrams.length) continue
    for (const child of container.children ?? []) lifted.set(child, [...(lifted.get(child) ?? []), ...diagrams])
    writeFileSync(path, JSON.stringify(container))
  }
  const reasons = new Map(
    (run?.scenarios ?? []).filter((s) => s.status === 'skipped' && s.reasons.length).map((s) => [`${s.uri}#${s.name}`, s.reasons.join('; ')]),
  )
  for (const f of files.filter((x) => x.endsWith('-result.json'))) {
    const path = join(dir, f)
    const before = readFileSync(path, 'utf8')
    let result = JSON.parse(before) as AllureResult
    summary.results++
    const labelled = labelResult(result, byId)
    if (labelled !== result) summary.labelled++
    result = labelled
    const diagrams = lifted.get(result.uuid)
    if (diagrams?.length) {
      const have = new Set((result.attachments ?? []).map((a) => a.source))
      result = {
        ...result,
        attachments: [
          ...diagrams.filter((d) => !have.has(d.source)).map((d) => ({ ...d, name: 'Sequence diagram (from the API server trace)' })),
          ...(result.attachments ?? []),
        ],
      }
      summary.diagrams += diagrams.length
    }
    if (result.status === 'skipped' && !result.statusDetails?.message && result.fullName) {
      const key = result.fullName.replace(/^[^:]*:(?=features\/)/, '')
      const reason = reasons.get(key)
      if (reason) {
        result = { ...result, statusDetails: { ...result.statusDetails, message: `skipped: ${reason}` } }
        summary.skipReasons++
      }
    }
    const after = JSON.stringify(result)
    if (after !== before) writeFileSync(path, after)
  }
  return summary
}
