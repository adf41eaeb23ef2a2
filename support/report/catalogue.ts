// The behavior catalogue (features/behaviors.yaml): every behavior the course notes describe,
// with its section, the note (in English, and as the notes wrote it: Egyptian Arabic with the
// English technical terms), what a scenario must show, and what it needs.
// Reports read it to label results (Allure epic/story) and to list every behavior, with or
// without a scenario.

import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export interface Behavior {
  id: string
  section: string
  note: string
  /** The note in the notes' own words (`note_ar`): Egyptian Arabic, right to left. */
  noteAr?: string
  behavior?: string
  observe?: string
  needs?: Record<string, string>
}

export const CATALOGUE_PATH = 'features/behaviors.yaml'

/** Behavior ids look like FLOW-09, CP-05, ETCD-04. */
export const BEHAVIOR_ID = /^[A-Z][A-Z0-9]*-\d+$/

export function parseCatalogue(text: string): Behavior[] {
  const doc = parse(text) as unknown
  if (!Array.isArray(doc)) throw new Error('the behavior catalogue must be a YAML list')
  const seen = new Set<string>()
  return doc.map((raw, i) => {
    const b = raw as Partial<Behavior>
    if (typeof b.id !== 'string' || !BEHAVIOR_ID.test(b.id)) throw new Error(`behavior #${i + 1} has no valid id (like FLOW-09): ${JSON.stringify(b.id)}`)
    if (seen.has(b.id)) throw new Error(`behavior ${b.id} appears twice in the catalogue`)
    seen.add(b.id)
    const noteAr = (raw as { note_ar?: unknown }).note_ar
    return {
      id: b.id,
      section: String(b.section ?? ''),
      note: String(b.note ?? ''),
      ...(noteAr ? { noteAr: String(noteAr) } : {}),
      behavior: b.behavior,
      observe: b.observe,
      needs: b.needs,
    }
  })
}

export function loadCatalogue(path = CATALOGUE_PATH): Behavior[] {
  return parseCatalogue(readFileSync(path, 'utf8'))
}

/** The behavior ids among a scenario's tags (`@FLOW-09` -> `FLOW-09`). */
export function behaviorIds(tags: readonly string[]): string[] {
  return tags.map((t) => t.replace(/^@/, '')).filter((t) => BEHAVIOR_ID.test(t))
}
