// `npm run report`: builds the reports a reader opens after the runs, offline.
//   - reports/conformance.md and .html: every behavior of the catalogue against every profile
//     that has run (reports/<profile>/messages.ndjson), linked to each profile's Cucumber report;
//   - reports/allure/index.html: the Allure report of the strict runs, the English (ci) and the
//     Arabic (ar) features (reports/<profile>/allure-results), labelled from the catalogue
//     (epic = section, story = behavior id), as one self-contained file that opens from disk
//     (allure-commandline, which needs Java).
// The Cucumber HTML reports (reports/<profile>/cucumber.html) and reports/junit.xml are written
// by the runs themselves. Exit code 1 when a report could not be built.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { enrichResults } from '../support/report/allure.js'
import { loadCatalogue } from '../support/report/catalogue.js'
import { runsOnDisk, writeConformance } from '../support/report/conformance.js'
import { readRun } from '../support/report/results.js'

const REPORTS = 'reports'
const ALLURE_PROFILES = ['ci', 'ar']

async function allure(): Promise<boolean> {
  const out = join(REPORTS, 'allure')
  const dirs: string[] = []
  const catalogue = loadCatalogue()
  for (const profile of ALLURE_PROFILES) {
    const results = join(REPORTS, profile, 'allure-results')
    if (!existsSync(results)) continue
    dirs.push(results)
    const messages = join(REPORTS, profile, 'messages.ndjson')
    const run = existsSync(messages) ? readRun(profile, messages) : undefined
    const s = enrichResults(results, catalogue, run)
    console.log(
      `report: labelled ${s.labelled} of ${s.results} Allure results of the ${profile} run from the catalogue${s.diagrams ? `; moved ${s.diagrams} sequence diagrams from hooks onto their tests` : ''}`,
    )
  }
  if (!dirs.length) {
    console.log(`report: no Allure results (reports/{${ALLURE_PROFILES.join(',')}}/allure-results); run \`npx cucumber-js -p ci\` first`)
    return true
  }
  const java = await execa('java', ['-version'], { reject: false })
  if (java.failed && !process.env.JAVA_HOME) {
    console.error('report: the Allure report needs Java (JAVA_HOME, or java on PATH), for example: apt-get install openjdk-17-jre-headless')
    return false
  }
  const gen = await execa('allure', ['generate', ...dirs, '-o', out, '--clean', '--single-file'], { reject: false, preferLocal: true, all: true })
  if (gen.failed) {
    console.error(`report: allure generate failed (exit ${gen.exitCode}):\n${gen.all}`)
    return false
  }
  console.log(`report: ${join(out, 'index.html')} (Allure, one file, opens offline)`)
  return true
}

async function main(): Promise<void> {
  let ok = await allure()
  const profiles = runsOnDisk(REPORTS).map((r) => r.profile)
  if (!profiles.length) {
    console.log('report: no run found under reports/<profile>/messages.ndjson; run `npx cucumber-js` (or -p ci) first')
    ok = false
  }
  const { files } = writeConformance({ reportsDir: REPORTS })
  console.log(`report: ${files.join(', ')} (profiles: ${profiles.join(', ') || 'none'})`)
  for (const p of profiles) {
    const html = join(REPORTS, p, 'cucumber.html')
    if (existsSync(html)) console.log(`report: ${html} (Cucumber HTML, ${p} profile)`)
  }
  if (existsSync(join(REPORTS, 'junit.xml'))) console.log(`report: ${join(REPORTS, 'junit.xml')} (JUnit XML, ci profile)`)
  if (!ok) process.exitCode = 1
}

await main()
