// allure-cucumberjs' reporter, starting each run from an empty results directory so the Allure
// report shows this run only (the reporter itself only ever adds files).
// Usage in cucumber.js (its options live at the top level of formatOptions):
//   format: [['./support/formatters/allure.js', 'reports/ci/allure-reporter.out']],
//   formatOptions: { resultsDir: 'reports/ci/allure-results' }
// The output file stays empty; naming one keeps the reporter off stdout.
// Labels from the behavior catalogue (epic = section, story = behavior id) are added by
// `npm run report` (scripts/report.ts), which reads the results this writes.

import { rmSync } from 'node:fs'
import AllureCucumberReporter from 'allure-cucumberjs/reporter'

export default class OckAllureReporter extends AllureCucumberReporter {
  /** @param {import('@cucumber/cucumber').IFormatterOptions} options */
  constructor(options) {
    const dir = options.parsedArgvOptions?.resultsDir
    if (typeof dir === 'string' && dir) rmSync(dir, { recursive: true, force: true })
    super(options)
  }
}
