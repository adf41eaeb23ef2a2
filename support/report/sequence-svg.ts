// Draws a sequence diagram (sequence.ts) as a self-contained SVG: one lane per participant,
// one row per message in time order with its offset in the left column, numbered steps as
// badges on highlighted rows with their legend on top, and a footer saying what was left out.
// Every message is a <g class="msg"> with data-kind / data-step / data-t attributes and a
// <title> tooltip, so tests (and curious readers) can find them.

import { formatOffset, type Diagram, type DiagramMessage, type Lane, type MessageKind } from './sequence.js'

/** How a diagram is attached to its scenario (and found again in the run's messages). */
export const DIAGRAM_MEDIA_TYPE = 'image/svg+xml'
export const DIAGRAM_FILE_NAME = 'sequence-diagram.svg'

const FONT = "'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif"
const CHAR_W = 6.3 // average advance of an 11px sans-serif character
const MARGIN = 16
const BADGE_COL = 30
const TIME_COL = 74
const ROW_H = 26
const HEADER_H = 42

const STYLE: Record<MessageKind, { color: string; dash?: string; width: number }> = {
  request: { color: '#1f4e8c', width: 1.4 },
  response: { color: '#5d6d7e', dash: '6 4', width: 1.2 },
  write: { color: '#b9770e', width: 1.4 },
  ack: { color: '#b9770e', dash: '6 4', width: 1.2 },
  watch: { color: '#7d3c98', dash: '2 3', width: 1.4 },
  runtime: { color: '#1e8449', width: 1.6 },
  checks: { color: '#b7950b', width: 1 },
}
const FAILED = '#c0392b'

const KEYS: [MessageKind, string][] = [
  ['request', 'request'],
  ['response', 'response'],
  ['write', 'store write'],
  ['ack', 'store ack'],
  ['watch', 'watch event'],
  ['runtime', 'runtime call (kubelet Event)'],
]

const LANE_FILL: Record<Lane['kind'], { fill: string; stroke: string; text: string }> = {
  user: { fill: '#e8f0fe', stroke: '#1f4e8c', text: '#1b2631' },
  apiserver: { fill: '#1f4e8c', stroke: '#1f4e8c', text: '#ffffff' },
  store: { fill: '#fdebd0', stroke: '#b9770e', text: '#1b2631' },
  'controller-manager': { fill: '#eaf2f8', stroke: '#5d6d7e', text: '#1b2631' },
  scheduler: { fill: '#eaf2f8', stroke: '#5d6d7e', text: '#1b2631' },
  kubelet: { fill: '#e9f7ef', stroke: '#1e8449', text: '#1b2631' },
  runtime: { fill: '#d4efdf', stroke: '#1e8449', text: '#1b2631' },
  component: { fill: '#f4f6f6', stroke: '#7f8c8d', text: '#1b2631' },
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
}

function fit(text: string, px: number): string {
  const max = Math.max(3, Math.floor(px / CHAR_W))
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function textWidth(s: string): number {
  return s.length * CHAR_W
}

function countSuffix(m: DiagramMessage): string {
  return m.count > 1 ? `\u00a0×${m.count}` : ''
}

/** Wraps text into lines of at most `px` wide. */
function wrap(text: string, px: number): string[] {
  const max = Math.max(10, Math.floor(px / CHAR_W))
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if ((line ? line.length + 1 : 0) + word.length > max && line) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

/** Renders the diagram as an SVG document (a string). */
export function renderSvg(d: Diagram): string {
  const lanes = d.lanes.length ? d.lanes : [{ id: 'apiserver', kind: 'apiserver' as const, title: 'API server' }]
  const index = new Map(lanes.map((l, i) => [l.id, i]))
  // lane spacing: wide enough for most labels between neighbours, within bounds
  let gap = 130
  for (const m of d.messages) {
    const a = index.get(m.from) ?? 0
    const b = index.get(m.to) ?? 0
    const span = Math.max(1, Math.abs(a - b))
    const need = m.kind === 'checks' ? (textWidth(m.label) + 20) / 1.7 : (textWidth(m.label + countSuffix(m)) + 24) / span
    gap = Math.max(gap, Math.min(210, need))
  }
  gap = Math.round(gap)
  const left = MARGIN + BADGE_COL + TIME_COL
  const subtitle = `From the API server's trace, starting ${d.startedAt.replace('T', ' ').replace('Z', ' UTC')}; times are after the first request drawn. Hover a row for details.`
  // wide enough for the lanes, and for the title and subtitle (up to a point: longer titles are cut)
  const width = Math.round(Math.max(left + lanes.length * gap + MARGIN, Math.min(1200, Math.max(d.title.length * 9.2, textWidth(subtitle)) + 2 * MARGIN)))
  const x = (id: string): number => left + (index.get(id) ?? 0) * gap + gap / 2

  const stepsLegend = d.messages.flatMap((m) => m.steps).sort((a, b) => a.n - b.n)
  const allSteps = [...stepsLegend, ...d.missingSteps].sort((a, b) => a.n - b.n)
  const legendLines = allSteps.map((s) => ({ s, lines: wrap(s.label, width - 2 * MARGIN - 40) }))
  const titleY = MARGIN + 16
  let y = titleY + 22
  const legendTop = y
  const legendH = legendLines.reduce((h, l) => h + l.lines.length * 14 + 4, 0)
  if (allSteps.length) y += legendH + 10
  const headerTop = y
  const rowsTop = headerTop + HEADER_H + 10
  const rowsBottom = rowsTop + Math.max(1, d.messages.length) * ROW_H + 8
  const footer: string[] = []
  for (const s of d.missingSteps) footer.push(`Step ${s.n} does not appear in the trace: ${s.label}`)
  for (const h of d.hidden) footer.push(`Not drawn: ${h.count} ${h.what}`)
  if (!d.messages.length) footer.push('The trace holds no requests for this scenario.')
  // the key, wrapped to the width
  const keyItems: { kind?: MessageKind; text: string; w: number }[] = KEYS.map(([kind, text]) => ({ kind, text, w: 34 + textWidth(text) + 22 }))
  keyItems.push({ text: 'repeated N times (heartbeats, repeats)', w: textWidth('×N repeated N times (heartbeats, repeats)') + 10 })
  const keyTop = rowsBottom + 18
  const keyPos: { x: number; y: number }[] = []
  let kx = MARGIN
  let ky = keyTop
  for (const k of keyItems) {
    if (kx > MARGIN && kx + k.w > width - MARGIN) {
      kx = MARGIN
      ky += 18
    }
    keyPos.push({ x: kx, y: ky })
    kx += k.w
  }
  const footerTop = ky + 26
  const height = footerTop + footer.length * 15 + MARGIN

  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}" font-size="11" class="ock-sequence">`,
  )
  out.push(`<title>${escapeXml(d.title)}</title>`)
  out.push('<defs>')
  for (const [kind, st] of Object.entries(STYLE)) out.push(marker(`arrow-${kind}`, st.color, kind === 'response' || kind === 'ack'))
  out.push(marker('arrow-failed', FAILED, false))
  out.push('</defs>')
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`)
  out.push(
    `<text x="${MARGIN}" y="${titleY}" font-size="15" font-weight="bold" fill="#1b2631">${escapeXml(d.title.length * 9.2 > width - 2 * MARGIN ? `${d.title.slice(0, Math.floor((width - 2 * MARGIN) / 9.2) - 1)}…` : d.title)}</text>`,
  )
  out.push(`<text x="${MARGIN}" y="${titleY + 16}" fill="#5d6d7e">${escapeXml(subtitle)}</text>`)

  // numbered steps, on top
  if (allSteps.length) {
    let ly = legendTop + 10
    const missing = new Set(d.missingSteps.map((s) => s.n))
    out.push(`<g class="steps-legend">`)
    for (const { s, lines } of legendLines) {
      out.push(badge(MARGIN + 10, ly, s.n, missing.has(s.n)))
      lines.forEach((line, i) =>
        out.push(`<text x="${MARGIN + 26}" y="${ly + 4 + i * 14}" fill="${missing.has(s.n) ? FAILED : '#1b2631'}">${escapeXml(line)}</text>`),
      )
      ly += lines.length * 14 + 4
    }
    out.push('</g>')
  }

  // step rows highlighted under everything else
  d.messages.forEach((m, i) => {
    if (m.steps.length)
      out.push(`<rect x="${MARGIN}" y="${rowsTop + i * ROW_H}" width="${width - 2 * MARGIN}" height="${ROW_H}" fill="#fff3bf" opacity="0.75"/>`)
  })

  // lanes: header boxes and lifelines
  for (const l of lanes) {
    const cx = x(l.id)
    const c = LANE_FILL[l.kind]
    const bw = gap - 16
    out.push(`<line x1="${cx}" y1="${headerTop + HEADER_H}" x2="${cx}" y2="${rowsBottom}" stroke="#aab7b8" stroke-dasharray="3 4"/>`)
    out.push(`<g class="lane" data-lane="${escapeXml(l.id)}">`)
    out.push(`<rect x="${cx - bw / 2}" y="${headerTop}" width="${bw}" height="${HEADER_H}" rx="6" fill="${c.fill}" stroke="${c.stroke}"/>`)
    out.push(
      `<text x="${cx}" y="${headerTop + 17}" text-anchor="middle" font-size="12" font-weight="bold" fill="${c.text}">${escapeXml(fit(l.title, bw - 8))}</text>`,
    )
    if (l.subtitle)
      out.push(
        `<text x="${cx}" y="${headerTop + 32}" text-anchor="middle" font-size="10" fill="${c.text}" opacity="0.8">${escapeXml(fit(l.subtitle, bw - 8))}</text>`,
      )
    out.push('</g>')
  }

  // messages
  d.messages.forEach((m, i) => {
    const rowY = rowsTop + i * ROW_H
    const lineY = rowY + ROW_H - 7
    const st = STYLE[m.kind]
    const color = m.failed ? FAILED : st.color
    const steps = m.steps.map((s) => s.n).join(' ')
    out.push(
      `<g class="msg msg-${m.kind}" data-kind="${m.kind}" data-from="${escapeXml(m.from)}" data-to="${escapeXml(m.to)}" data-t="${Math.round(m.t * 1000) / 1000}" data-count="${m.count}"${steps ? ` data-step="${steps}"` : ''}${m.failed ? ' data-failed="true"' : ''}>`,
    )
    out.push(`<title>${escapeXml(`${formatOffset(m.t)}  ${m.label}${countSuffix(m)}\n${m.detail}`)}</title>`)
    m.steps.forEach((s, k) => out.push(badge(MARGIN + 10 + k * 20, rowY + ROW_H / 2, s.n, false)))
    out.push(`<text x="${left - 8}" y="${lineY + 3}" text-anchor="end" fill="#7f8c8d" font-size="10">${escapeXml(formatOffset(m.t))}</text>`)
    if (m.kind === 'checks' || m.from === m.to) {
      const cx = x(m.from)
      const text = fit(m.label + countSuffix(m), gap * 1.7 - 12)
      const w = Math.min(gap * 1.7, textWidth(text) + 16)
      out.push(
        `<rect x="${cx - w / 2}" y="${rowY + 4}" width="${w}" height="${ROW_H - 8}" rx="4" fill="${m.failed ? '#fdecea' : '#fff8e1'}" stroke="${m.failed ? FAILED : '#d4ac0d'}"/>`,
      )
      out.push(`<text x="${cx}" y="${rowY + ROW_H / 2 + 4}" text-anchor="middle" fill="${m.failed ? FAILED : '#1b2631'}">${escapeXml(text)}</text>`)
    } else {
      const x1 = x(m.from)
      const x2 = x(m.to)
      const dir = x2 > x1 ? 1 : -1
      out.push(
        `<line x1="${x1 + dir * 2}" y1="${lineY}" x2="${x2 - dir * 3}" y2="${lineY}" stroke="${color}" stroke-width="${st.width}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} marker-end="url(#${m.failed ? 'arrow-failed' : `arrow-${m.kind}`})"/>`,
      )
      const span = Math.abs(x2 - x1) - 10
      const label = fit(m.label, span - (m.count > 1 ? textWidth(countSuffix(m)) : 0))
      out.push(
        `<text x="${(x1 + x2) / 2}" y="${lineY - 5}" text-anchor="middle" xml:space="preserve" fill="${m.failed ? FAILED : '#1b2631'}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(label)}${m.count > 1 ? `<tspan font-weight="bold" fill="${FAILED}">${escapeXml(countSuffix(m))}</tspan>` : ''}</text>`,
      )
    }
    out.push('</g>')
  })

  // key and footer
  out.push('<g class="key">')
  keyItems.forEach((k, i) => {
    const { x: px, y: py } = keyPos[i]!
    if (k.kind) {
      const st = STYLE[k.kind]
      out.push(
        `<line x1="${px}" y1="${py}" x2="${px + 28}" y2="${py}" stroke="${st.color}" stroke-width="${st.width}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} marker-end="url(#arrow-${k.kind})"/>`,
      )
      out.push(`<text x="${px + 34}" y="${py + 4}" fill="#5d6d7e">${escapeXml(k.text)}</text>`)
    } else {
      out.push(
        `<text x="${px}" y="${py + 4}" fill="#5d6d7e" xml:space="preserve"><tspan font-weight="bold" fill="${FAILED}">×N</tspan> ${escapeXml(k.text)}</text>`,
      )
    }
  })
  out.push('</g>')
  footer.forEach((line, i) =>
    out.push(`<text class="footer" x="${MARGIN}" y="${footerTop + i * 15}" fill="${line.startsWith('Step') ? FAILED : '#5d6d7e'}">${escapeXml(line)}</text>`),
  )
  out.push('</svg>')
  return out.join('\n')
}

function marker(id: string, color: string, open: boolean): string {
  const path = open ? `<path d="M0,0 L8,4 L0,8" fill="none" stroke="${color}" stroke-width="1.3"/>` : `<path d="M0,0 L8,4 L0,8 z" fill="${color}"/>`
  return `<marker id="${id}" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto">${path}</marker>`
}

function badge(cx: number, cy: number, n: number, missing: boolean): string {
  return `<g class="step-badge" data-step="${n}"><circle cx="${cx}" cy="${cy}" r="8.5" fill="${missing ? '#ffffff' : '#d35400'}" stroke="#d35400"/><text x="${cx}" y="${cy + 3.8}" text-anchor="middle" font-size="10.5" font-weight="bold" fill="${missing ? '#d35400' : '#ffffff'}">${n}</text></g>`
}
