// The end-of-run note that says which scenarios were skipped and why, grouped by reason, so a
// reader of the console sees what this machine or target could not check (a skip is never a
// silent pass).

import type { RunResult } from './results.js'

export function renderSkipSummary(run: RunResult): string {
  const skipped = run.scenarios.filter((s) => s.status === 'skipped')
  if (!skipped.length) return ''
  const byReason = new Map<string, typeof skipped>()
  for (const s of skipped) {
    const reason = s.reasons.join('; ') || 'no reason given (a step or hook returned "skipped")'
    if (!byReason.has(reason)) byReason.set(reason, [])
    byReason.get(reason)!.push(s)
  }
  const lines = ['', `${skipped.length} scenario${skipped.length === 1 ? '' : 's'} skipped, by reason:`]
  for (const [reason, scenarios] of byReason) {
    lines.push(`  ${reason}`)
    for (const s of scenarios) lines.push(`    - ${s.uri}:${s.line}  ${s.name}`)
  }
  return `${lines.join('\n')}\n`
}
