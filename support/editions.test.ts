// Both editions of the course cover every behavior: each id of the catalogue
// (features/behaviors.yaml) tags at least one scenario in an English feature and one in an Arabic
// feature (`# language: ar`, features/ar/). The Arabic scenarios run strictly in `-p ar`; this
// test says, before any run, which behavior a new catalogue entry still lacks in either language.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadCatalogue } from './report/catalogue.js'
import { featureFiles } from './report/conformance.js'

/** The behavior ids a language's feature files tag. */
function idsIn(language: string): Set<string> {
  return new Set([...featureFiles().values()].filter((f) => f.language === language).flatMap((f) => [...f.ids]))
}

describe('the two editions of the course', () => {
  const catalogue = loadCatalogue().map((b) => b.id)

  for (const [language, name] of [
    ['en', 'English'],
    ['ar', 'Arabic'],
  ] as const) {
    it(`tag every behavior of the catalogue on a scenario in ${name}`, () => {
      const tagged = idsIn(language)
      assert.deepEqual(
        catalogue.filter((id) => !tagged.has(id)),
        [],
        `behaviors without a scenario in an ${name} feature${language === 'ar' ? ' (features/ar/<path of the English feature>)' : ''}`,
      )
    })
  }

  it('tag no behavior the catalogue does not list', () => {
    const known = new Set(catalogue)
    assert.deepEqual(
      [...new Set([...idsIn('en'), ...idsIn('ar')])].filter((id) => !known.has(id)),
      [],
    )
  })
})
