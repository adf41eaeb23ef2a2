import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ARABIC_GLOSSARY_PATH, arabicPhrasings, dryRun, generateDocs } from './docs-steps.js'
import { isArabic } from '../support/arabic.js'

// one dry run for every test here: Cucumber's support code library is global, so two runs at
// once would mix their step definitions
const envelopes = await dryRun()
const docs = await generateDocs(envelopes)

describe('the generated glossaries', () => {
  for (const [path, fresh] of docs) {
    it(`${path} is generated from the current step definitions (run \`npm run docs:steps\` if this fails)`, () => {
      let committed = ''
      try {
        committed = readFileSync(path, 'utf8')
      } catch {
        assert.fail(`${path} is missing: run \`npm run docs:steps\` and commit it`)
      }
      assert.ok(committed === fresh, `${path} is out of date: run \`npm run docs:steps\` and commit it`)
    })
  }
})

describe('the Arabic features and their glossary', () => {
  it(`${ARABIC_GLOSSARY_PATH} lists every Arabic step phrasing beside its English one`, () => {
    const glossary = readFileSync(ARABIC_GLOSSARY_PATH, 'utf8')
    const phrasings = arabicPhrasings(envelopes)
    assert.ok(phrasings.length > 0)
    for (const p of phrasings) assert.ok(glossary.includes(`\`${p.arabic.replace(/\|/g, '\\|')}\``), `${ARABIC_GLOSSARY_PATH} lacks "${p.arabic}"`)
  })

  it('the Arabic features use only Arabic phrasings, and every step they use has one', () => {
    const english = envelopes.flatMap((e) =>
      e.pickle?.uri.startsWith('features/ar/') ? e.pickle.steps.filter((s) => !isArabic(s.text)).map((s) => `${e.pickle!.uri}: ${s.text}`) : [],
    )
    assert.deepEqual(english, [])
  })
})
