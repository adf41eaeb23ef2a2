// `npm run docs:steps`: writes docs/steps.md, the step glossary, from the step definitions and
// the features that use them (a Cucumber dry run: nothing is executed, no report is written),
// and features/ar/glossary.md, the glossary of the Arabic features (terms, both phrasings of
// every step, the Arabic trace phrases). `npm run docs:steps -- --check` only says whether both
// are up to date (exit 1 if not); scripts/docs-steps.test.ts runs that check with the unit tests.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { Writable } from 'node:stream'
import { dirname } from 'node:path'
import { pathToFileURL } from 'node:url'
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api'
import { phrasingsOf, renderGlossary, type GlossaryEnvelope } from '../support/report/glossary.js'
import { ARABIC_GLOSSARY_PATH, parseTerms, renderArabicGlossary, TERMS_PATH, type Phrasing } from '../support/report/terms.js'
import { TRACE_PHRASES_AR } from '../support/trace.js'

export const GLOSSARY_PATH = 'docs/steps.md'
export { ARABIC_GLOSSARY_PATH }

/** The Cucumber messages of a dry run over every feature (both languages). */
export async function dryRun(): Promise<GlossaryEnvelope[]> {
  const discard = new Writable({ write: (_chunk, _enc, done) => done() })
  const environment = { stdout: discard, stderr: discard }
  const { runConfiguration } = await loadConfiguration({ profiles: [] }, environment)
  const envelopes: GlossaryEnvelope[] = []
  await runCucumber(
    {
      ...runConfiguration,
      // both languages (the profiles run one each)
      sources: { ...runConfiguration.sources, paths: ['features/**/*.feature'], tagExpression: '' },
      runtime: { ...runConfiguration.runtime, dryRun: true, parallel: 0, failFast: false },
      formats: { stdout: 'summary', files: {}, publish: false, options: {} },
    },
    environment,
    (e) => envelopes.push(e as GlossaryEnvelope),
  )
  return envelopes
}

/** Every step's Arabic phrasing with its English one and where it is defined. */
export function arabicPhrasings(envelopes: readonly GlossaryEnvelope[]): Phrasing[] {
  const defs = envelopes.flatMap((e) => (e.stepDefinition ? [e.stepDefinition] : []))
  const files = [...new Set(defs.map((d) => d.sourceReference.uri ?? ''))]
  return files.flatMap((uri) =>
    phrasingsOf(defs.filter((d) => (d.sourceReference.uri ?? '') === uri)).flatMap(({ english, arabic }) =>
      arabic ? [{ arabic: arabic.pattern.source, english: english.pattern.source, uri, line: english.sourceReference.location?.line ?? 0 }] : [],
    ),
  )
}

/** The generated documents, by path: the step glossary and the Arabic features' glossary. */
export async function generateDocs(run?: readonly GlossaryEnvelope[]): Promise<Map<string, string>> {
  const envelopes = run ?? (await dryRun())
  return new Map([
    [GLOSSARY_PATH, renderGlossary(envelopes, { readFile: (uri) => readFileSync(uri, 'utf8') })],
    [
      ARABIC_GLOSSARY_PATH,
      renderArabicGlossary({ terms: parseTerms(readFileSync(TERMS_PATH, 'utf8')), phrasings: arabicPhrasings(envelopes), tracePhrases: TRACE_PHRASES_AR }),
    ],
  ])
}

export async function generateGlossary(): Promise<string> {
  return (await generateDocs()).get(GLOSSARY_PATH)!
}

async function main(): Promise<void> {
  const docs = await generateDocs()
  if (process.argv.includes('--check')) {
    for (const [path, text] of docs) {
      let current = ''
      try {
        current = readFileSync(path, 'utf8')
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`${path} is out of date: run \`npm run docs:steps\` and commit it`)
        process.exitCode = 1
      } else console.log(`${path} is up to date`)
    }
    return
  }
  for (const [path, text] of docs) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    console.log(`wrote ${path}`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
