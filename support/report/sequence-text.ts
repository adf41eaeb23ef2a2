// Writes a sequence diagram (sequence.ts) as plain text for a terminal (`ock explain --run`):
// the lanes first, then one line per message in time order, component to component, with its
// offset, its numbered steps and how many occurrences it stands for; then what was left out.
// The same model sequence-svg.ts draws, so the two never tell different stories.

import { formatOffset, type Diagram, type DiagramMessage, type Lane } from './sequence.js'

/** How the text diagram is attached to its scenario (with the world parameter `diagramText`). */
export const DIAGRAM_TEXT_MEDIA_TYPE = 'text/plain'
export const DIAGRAM_TEXT_FILE_NAME = 'sequence-diagram.txt'

export interface TextOptions {
  /** Cut lines longer than this many characters (default: no cut). */
  width?: number
}

/** A lane's name in text: its title, with the instance after it (`kubelet node-1`). */
export function laneName(l: Lane | undefined, id: string): string {
  if (!l) return id
  if (l.kind === 'kubelet' || l.kind === 'runtime') return `${l.title} ${l.subtitle ?? ''}`.trim()
  if (l.kind === 'user' && l.subtitle && l.subtitle !== 'user' && l.subtitle !== l.title) return `${l.title} (${l.subtitle})`
  return l.title
}

const ARROW: Record<DiagramMessage['kind'], string> = { request: '->', response: '<-', write: '->', ack: '<-', watch: '~>', runtime: '=>', checks: '::' }

/** One message as one line: `+12 ms  [2]  alice -> API server  create deployments (201 Created) ×3`. */
export function messageLine(m: DiagramMessage, lanes: ReadonlyMap<string, Lane>): string {
  const steps = m.steps.length ? `[${m.steps.map((s) => s.n).join(',')}]` : ''
  const from = laneName(lanes.get(m.from), m.from)
  const to = laneName(lanes.get(m.to), m.to)
  // responses and acks are drawn right to left: say who answers whom, in reading order
  const who = m.kind === 'checks' || m.from === m.to ? `${from} ::` : `${from} ${m.kind === 'response' || m.kind === 'ack' ? '-->' : ARROW[m.kind]} ${to}`
  const count = m.count > 1 ? ` ×${m.count}` : ''
  const failed = m.failed ? ' !' : ''
  return `${formatOffset(m.t).padStart(9)} ${steps.padEnd(6)}${who}  ${m.label}${count}${failed}`
}

export function renderText(d: Diagram, opts: TextOptions = {}): string {
  const lanes = new Map(d.lanes.map((l) => [l.id, l]))
  const lines: string[] = [`Sequence: ${d.title}`, `Lanes: ${d.lanes.map((l) => laneName(l, l.id)).join(' | ') || 'none'}`]
  const steps = [...d.messages.flatMap((m) => m.steps), ...d.missingSteps].sort((a, b) => a.n - b.n)
  for (const s of steps) lines.push(`  step ${s.n}: ${s.label}${d.missingSteps.some((x) => x.n === s.n) ? ' (not in the trace)' : ''}`)
  lines.push('')
  for (const m of d.messages) lines.push(messageLine(m, lanes))
  if (!d.messages.length) lines.push('  (the trace holds no requests for this scenario)')
  for (const h of d.hidden) lines.push(`  not shown: ${h.count} ${h.what}`)
  const width = opts.width
  return `${(width ? lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)) : lines).join('\n')}\n`
}
