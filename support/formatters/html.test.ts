import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
// @ts-expect-error: a plain JavaScript formatter (cucumber loads formatters as JavaScript)
import formatter, { BIDI_CSS, BIDI_JS } from './html.js'

describe('the HTML report formatter', () => {
  it("writes Cucumber's report with the bidi stylesheet after the stock one", async () => {
    const chunks: string[] = []
    let handler: (e: unknown) => void = () => {}
    const done = formatter.formatter({ on: (_: string, h: (e: unknown) => void) => (handler = h), write: (s: string) => chunks.push(s) })
    handler({ meta: { protocolVersion: '1', implementation: { name: 'ock' }, runtime: { name: 'node' }, os: { name: 'linux' }, cpu: { name: 'x64' } } })
    await done()
    const html = chunks.join('')
    const stock = readFileSync(join(dirname(createRequire(import.meta.url).resolve('@cucumber/html-formatter')), '..', 'main.css'), 'utf8')
    assert.ok(html.includes(stock + BIDI_CSS), 'the stock stylesheet, then the bidi rules')
    assert.ok(html.includes(`${BIDI_JS}\n</script>`), 'the bidi script after the stock script')
    assert.match(html, /"protocolVersion":"1"/)
    assert.match(html, /<\/html>\s*$/)
  })
})
