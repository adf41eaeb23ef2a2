// allure-cucumberjs' reporter, starting each run from an empty results directory so the Allure
// report shows this run only (the reporter itself only ever adds files), and writing its results
// without blocking: allure's file writer fsyncs every result and attachment synchronously, on the
// process that hands scenarios to the parallel workers (10 s of blocked event loop in a ci run,
// while workers waited for their next scenario). Results and attachments are written
// asynchronously here, without fsync (the report is rebuilt from them after the run, and a run
// that dies loses its report either way), and the formatter finishes once they are all on disk.
// Usage in cucumber.js (its options live at the top level of formatOptions):
//   format: [['./support/formatters/allure.js', 'reports/ci/allure-reporter.out']],
//   formatOptions: { resultsDir: 'reports/ci/allure-results' }
// The output file stays empty; naming one keeps the reporter off stdout.
// Labels from the behavior catalogue (epic = section, story = behavior id) are added by
// `npm run report` (scripts/report.ts), which reads the results this writes.

import { mkdirSync, rmSync } from 'node:fs'
import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import AllureCucumberReporter from 'allure-cucumberjs/reporter'

/**
 * Writes what allure's FileSystemWriter writes, under the same names, asynchronously; the rare
 * once-a-run files (environment, categories, globals) go through allure's own writer.
 */
class AsyncResultsWriter {
  /** @param {string} dir @param {any} sync allure's writer, for the once-a-run files */
  constructor(dir, sync) {
    this.dir = dir
    this.sync = sync
    /** @type {Set<Promise<void>>} */
    this.pending = new Set()
    mkdirSync(dir, { recursive: true })
  }
  /** @param {Promise<void>} p */
  track(p) {
    const done = p
      .catch((e) => console.error(`allure: writing a result failed: ${e instanceof Error ? e.message : e}`))
      .finally(() => this.pending.delete(done))
    this.pending.add(done)
  }
  writeResult(result) {
    this.track(writeFile(join(this.dir, `${result.uuid}-result.json`), JSON.stringify(result)))
  }
  writeGroup(result) {
    this.track(writeFile(join(this.dir, `${result.uuid}-container.json`), JSON.stringify(result)))
  }
  writeAttachment(name, content) {
    this.track(writeFile(join(this.dir, name), content))
  }
  writeAttachmentFromPath(name, from) {
    this.track(copyFile(from, join(this.dir, name)))
  }
  writeEnvironmentInfo(info) {
    this.sync.writeEnvironmentInfo(info)
  }
  writeCategoriesDefinitions(categories) {
    this.sync.writeCategoriesDefinitions(categories)
  }
  writeGlobals(name, info) {
    this.sync.writeGlobals(name, info)
  }
  /** Resolves once everything handed over so far is written. */
  async flush() {
    while (this.pending.size) await Promise.all([...this.pending])
  }
}

export default class OckAllureReporter extends AllureCucumberReporter {
  /** @param {import('@cucumber/cucumber').IFormatterOptions} options */
  constructor(options) {
    const dir = options.parsedArgvOptions?.resultsDir
    if (typeof dir === 'string' && dir) rmSync(dir, { recursive: true, force: true })
    super(options)
    const runtime = /** @type {any} */ (this).allureRuntime
    if (typeof dir === 'string' && dir && runtime?.writer) this.writer = runtime.writer = new AsyncResultsWriter(dir, runtime.writer)
  }

  async finished() {
    await this.writer?.flush()
    await super.finished()
  }
}
