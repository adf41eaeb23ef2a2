// Cucumber formatter that writes the conformance matrix: every behavior of the catalogue
// (features/behaviors.yaml) with its note and its status in this run (passed / failed /
// skipped with the reason / no scenario yet), computed from the run's messages. Behaviors
// without a scenario are listed, never hidden.
// Usage in cucumber.js: format: [['./support/formatters/conformance.js', 'reports/conformance.md']]
// Plain JavaScript because cucumber loads formatters before any TypeScript hook is registered.

import { readFileSync } from 'node:fs'
import { Formatter } from '@cucumber/cucumber'
import { parse } from 'yaml'

const RANK = { UNKNOWN: 0, PASSED: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 }

/** @param {string} s */
function cell(s) {
  return String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

export default class ConformanceFormatter extends Formatter {
  /** @param {import('@cucumber/cucumber').IFormatterOptions} options */
  constructor(options) {
    super(options)
    const fmt = /** @type {Record<string, unknown>} */ (options.parsedArgvOptions.conformance ?? {})
    this.catalogue = String(fmt.catalogue ?? 'features/behaviors.yaml')
    this.profile = String(fmt.profile ?? 'default')
    /** @type {Map<string, {name: string, uri: string, tags: string[]}>} */
    this.pickles = new Map()
    /** @type {Map<string, string>} testCaseId -> pickleId */
    this.testCases = new Map()
    /** @type {Map<string, {testCaseId: string, status: string, reasons: string[]}>} */
    this.started = new Map()
    /** @type {Map<string, {status: string, reasons: string[]}>} pickleId -> final result */
    this.results = new Map()
    options.eventBroadcaster.on('envelope', (/** @type {any} */ e) => this.onEnvelope(e))
  }

  /** @param {any} e */
  onEnvelope(e) {
    if (e.pickle) {
      this.pickles.set(e.pickle.id, { name: e.pickle.name, uri: e.pickle.uri, tags: e.pickle.tags.map((/** @type {{name: string}} */ t) => t.name) })
    } else if (e.testCase) {
      this.testCases.set(e.testCase.id, e.testCase.pickleId)
    } else if (e.testCaseStarted) {
      this.started.set(e.testCaseStarted.id, { testCaseId: e.testCaseStarted.testCaseId, status: 'PASSED', reasons: [] })
    } else if (e.testStepFinished) {
      const s = this.started.get(e.testStepFinished.testCaseStartedId)
      if (!s) return
      const status = e.testStepFinished.testStepResult.status
      if ((RANK[status] ?? 0) > (RANK[s.status] ?? 0)) s.status = status
      if (status === 'FAILED' && e.testStepFinished.testStepResult.message) {
        s.reasons.push(String(e.testStepFinished.testStepResult.message).split('\n')[0])
      }
    } else if (e.attachment && e.attachment.mediaType === 'text/x.cucumber.log+plain') {
      const s = this.started.get(e.attachment.testCaseStartedId)
      if (s && String(e.attachment.body).startsWith('skipped: ')) s.reasons.push(String(e.attachment.body).slice('skipped: '.length))
    } else if (e.testCaseFinished) {
      const s = this.started.get(e.testCaseFinished.testCaseStartedId)
      if (!s || e.testCaseFinished.willBeRetried) return
      const pickleId = this.testCases.get(s.testCaseId)
      if (pickleId) this.results.set(pickleId, { status: s.status, reasons: s.reasons })
    } else if (e.testRunFinished) {
      this.log(this.render())
    }
  }

  render() {
    /** @type {{id: string, section: string, note: string, needs?: Record<string, string>}[]} */
    const behaviors = parse(readFileSync(this.catalogue, 'utf8'))
    const byId = new Map()
    for (const [pickleId, p] of this.pickles) {
      for (const tag of p.tags) {
        const id = tag.slice(1)
        if (!byId.has(id)) byId.set(id, [])
        byId.get(id).push({ ...p, result: this.results.get(pickleId) })
      }
    }
    const counts = { passed: 0, failed: 0, skipped: 0, none: 0 }
    const lines = [
      `# Conformance matrix (${this.profile} profile)`,
      '',
      `Generated ${new Date().toISOString()} from this run's results against \`${this.catalogue}\`.`,
      '',
      '| Behavior | Section | Note | Status | Scenarios |',
      '|---|---|---|---|---|',
    ]
    let section = ''
    for (const b of behaviors) {
      const scenarios = byId.get(b.id) ?? []
      const ran = scenarios.filter((/** @type {any} */ s) => s.result)
      let status
      if (!scenarios.length) {
        status = 'no scenario yet'
        counts.none++
      } else if (!ran.length) {
        status = 'not run (filtered out by tags)'
        counts.none++
      } else {
        const worst = ran.reduce((/** @type {any} */ w, /** @type {any} */ s) => ((RANK[s.result.status] ?? 0) > (RANK[w] ?? 0) ? s.result.status : w), 'UNKNOWN')
        const reasons = [...new Set(ran.flatMap((/** @type {any} */ s) => s.result.reasons))]
        if (worst === 'PASSED') {
          status = 'passed'
          counts.passed++
        } else if (worst === 'SKIPPED') {
          const passed = ran.filter((/** @type {any} */ s) => s.result.status === 'PASSED').length
          status = passed ? `passed (${passed} of ${ran.length}; others skipped: ${reasons.join('; ')})` : `skipped: ${reasons.join('; ') || 'no reason given'}`
          if (passed) counts.passed++
          else counts.skipped++
        } else {
          status = `**${worst.toLowerCase()}**${reasons.length ? `: ${reasons.join('; ')}` : ''}`
          counts.failed++
        }
      }
      const where = scenarios.map((/** @type {any} */ s) => `${s.name} (\`${s.uri}\`)`).join('<br>')
      lines.push(`| ${b.id} | ${b.section === section ? '' : cell(b.section)} | ${cell(b.note)} | ${cell(status)} | ${cell(where) || '-'} |`)
      section = b.section
    }
    lines.push('', `**${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.none} without a run scenario** (of ${behaviors.length} behaviors).`, '')
    return lines.join('\n')
  }
}
