// Cucumber formatter plugin for the console: a progress bar when the output is a terminal,
// progress dots otherwise (so non-interactive runs get no "Cannot use 'progress-bar'"
// warning), the usual summary, and then every skipped scenario grouped by the reason the
// capability gate gave, so nothing the run could not check goes unmentioned.
// Usage in cucumber.js: format: ['./support/formatters/console.js'],
//   formatOptions: { console: { listSkipped: true } }  (false for dry runs, where nothing ran)

import { ProgressBarPrinter, ProgressPrinter } from '@cucumber/pretty-formatter'
import { tsImport } from 'tsx/esm/api'

const { RunCollector } = await tsImport('../report/results.ts', import.meta.url)
const { renderSkipSummary } = await tsImport('../report/skips.ts', import.meta.url)

export default {
  type: 'formatter',
  optionsKey: 'console',
  /** @param {{ on: (k: 'message', h: (e: any) => void) => void, stream: NodeJS.WritableStream & { isTTY?: boolean }, options: any }} ctx */
  formatter({ on, stream, options }) {
    const terminal = { summarise: true, ...(options?.theme ? { theme: options.theme } : {}) }
    const listSkipped = options?.listSkipped !== false
    // a bar needs a terminal with a width (a pseudo-terminal without one makes the bar printer fail)
    const bar = Boolean(stream.isTTY) && Number(/** @type {any} */ (stream).columns) > 0
    const printer = bar
      ? new ProgressBarPrinter({ stream, options: { ...terminal, interference: { mode: 'suppress', streams: [process.stdout, process.stderr] } } })
      : new ProgressPrinter({ stream, options: terminal })
    const collector = new RunCollector('console')
    on('message', (envelope) => {
      printer.update(envelope)
      collector.update(envelope)
      if (envelope.testRunFinished && listSkipped) stream.write(renderSkipSummary(collector.result()))
    })
  },
}
