// Cucumber formatter plugin that writes the conformance matrix at the end of every run: every
// behavior of the catalogue (features/behaviors.yaml) against every profile that has run
// (this run, plus the other profiles' last runs found under reports/<profile>/messages.ndjson),
// as Markdown (this formatter's output, reports/conformance.md) and HTML beside it.
// Usage in cucumber.js:
//   format: [['./support/formatters/conformance.js', 'reports/conformance.md']],
//   formatOptions: { conformance: { profile: 'ci' } }
// The logic is TypeScript (support/report/), imported through tsx's scoped loader because
// cucumber loads formatters as plain JavaScript.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tsImport } from 'tsx/esm/api'

const { RunCollector } = await tsImport('../report/results.ts', import.meta.url)
const { bookLink, conformanceMatrix, reportLinks } = await tsImport('../report/conformance.ts', import.meta.url)
const { renderHtml, renderMarkdown } = await tsImport('../report/matrix.ts', import.meta.url)

export default {
  type: 'formatter',
  optionsKey: 'conformance',
  /** @param {{ on: (k: 'message', h: (e: any) => void) => void, write: (s: string) => void, options: any, directory?: string }} ctx */
  formatter({ on, write, options, directory }) {
    const profile = String(options?.profile ?? 'default')
    const reportsDir = directory ?? 'reports'
    const collector = new RunCollector(profile)
    on('message', (envelope) => {
      collector.update(envelope)
      if (!envelope.testRunFinished) return
      const matrix = conformanceMatrix({ reportsDir, current: [collector.result()], catalogue: options?.catalogue })
      const generatedAt = new Date()
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
      const reports = reportLinks(
        reportsDir,
        matrix.runs.map((r) => r.profile),
      )
      // the book of an earlier `npm run book` (its anchors are behavior ids, so the links hold)
      const book = bookLink(reportsDir)
      write(renderMarkdown(matrix, { generatedAt, book, reports: reports.filter((r) => !r.href.endsWith('.md')) }))
      writeFileSync(join(reportsDir, 'conformance.html'), renderHtml(matrix, { generatedAt, book, reports }))
    })
  },
}
