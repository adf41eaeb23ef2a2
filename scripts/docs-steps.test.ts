import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { generateGlossary, GLOSSARY_PATH } from './docs-steps.js'

describe('the step glossary', () => {
  it(`${GLOSSARY_PATH} is generated from the current step definitions (run \`npm run docs:steps\` if this fails)`, async () => {
    const fresh = await generateGlossary()
    let committed = ''
    try {
      committed = readFileSync(GLOSSARY_PATH, 'utf8')
    } catch {
      assert.fail(`${GLOSSARY_PATH} is missing: run \`npm run docs:steps\` and commit it`)
    }
    assert.ok(committed === fresh, `${GLOSSARY_PATH} is out of date: run \`npm run docs:steps\` and commit it`)
  })
})
