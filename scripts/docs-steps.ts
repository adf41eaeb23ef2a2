// `npm run docs:steps`: writes docs/steps.md, the step glossary, from the step definitions and
// the features that use them (a Cucumber dry run: nothing is executed, no report is written).
// `npm run docs:steps -- --check` only says whether docs/steps.md is up to date (exit 1 if not);
// scripts/docs-steps.test.ts runs that check with the unit tests.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api'
import { renderGlossary, type GlossaryEnvelope } from '../support/report/glossary.js'

export const GLOSSARY_PATH = 'docs/steps.md'

export async function generateGlossary(): Promise<string> {
  const discard = new Writable({ write: (_chunk, _enc, done) => done() })
  const environment = { stdout: discard, stderr: discard }
  const { runConfiguration } = await loadConfiguration({ profiles: [] }, environment)
  const envelopes: GlossaryEnvelope[] = []
  await runCucumber(
    {
      ...runConfiguration,
      sources: { ...runConfiguration.sources, tagExpression: '' },
      runtime: { ...runConfiguration.runtime, dryRun: true, parallel: 0, failFast: false },
      formats: { stdout: 'summary', files: {}, publish: false, options: {} },
    },
    environment,
    (e) => envelopes.push(e as GlossaryEnvelope),
  )
  return renderGlossary(envelopes, { readFile: (uri) => readFileSync(uri, 'utf8') })
}

async function main(): Promise<void> {
  const text = await generateGlossary()
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(GLOSSARY_PATH, 'utf8')
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${GLOSSARY_PATH} is out of date: run \`npm run docs:steps\` and commit it`)
      process.exitCode = 1
    } else console.log(`${GLOSSARY_PATH} is up to date`)
    return
  }
  mkdirSync('docs', { recursive: true })
  writeFileSync(GLOSSARY_PATH, text)
  console.log(`wrote ${GLOSSARY_PATH}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
