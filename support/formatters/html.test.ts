import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
// @ts-expect-error: a plain JavaScript formatter (cucumber loads formatters as JavaScript)
import formatter, { ATTACHMENTS_DIR, BIDI_CSS, BIDI_JS } from './html.js'

const META = { meta: { protocolVersion: '1', implementation: { name: 'ock' }, runtime: { name: 'node' }, os: { name: 'linux' }, cpu: { name: 'x64' } } }

/** Runs the formatter over envelopes; returns the page. */
async function render(envelopes: unknown[], directory?: string): Promise<string> {
  const chunks: string[] = []
  let handler: (e: unknown) => void = () => {}
  const done = formatter.formatter({ on: (_: string, h: (e: unknown) => void) => (handler = h), write: (s: string) => chunks.push(s), directory })
  for (const e of envelopes) handler(e)
  await done()
  return chunks.join('')
}

describe('the HTML report formatter', () => {
  it("writes Cucumber's report with the bidi stylesheet after the stock one", async () => {
    const html = await render([META])
    const stock = readFileSync(join(dirname(createRequire(import.meta.url).resolve('@cucumber/html-formatter')), '..', 'main.css'), 'utf8')
    assert.ok(html.includes(stock + BIDI_CSS), 'the stock stylesheet, then the bidi rules')
    assert.ok(html.includes(`${BIDI_JS}\n</script>`), 'the bidi script after the stock script')
    assert.match(html, /"protocolVersion":"1"/)
    assert.match(html, /<\/html>\s*$/)
  })

  it('links images from attachments/ beside the report (one file per content) instead of inlining them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ock-html-'))
    try {
      mkdirSync(join(dir, ATTACHMENTS_DIR))
      writeFileSync(join(dir, ATTACHMENTS_DIR, 'stale.svg'), '<svg/>')
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>diagram</title></svg>'
      const attachment = (id: string, body: string, mediaType: string, contentEncoding: string) => ({
        attachment: { testCaseStartedId: id, mediaType, body, contentEncoding },
      })
      const html = await render(
        [
          META,
          attachment('a', Buffer.from(svg).toString('base64'), 'image/svg+xml', 'BASE64'),
          attachment('b', Buffer.from(svg).toString('base64'), 'image/svg+xml', 'BASE64'),
          attachment('a', 'skipped: no docker', 'text/x.cucumber.log+plain', 'IDENTITY'),
        ],
        dir,
      )
      const files = readdirSync(join(dir, ATTACHMENTS_DIR))
      assert.equal(files.length, 1, 'one file for two identical diagrams; the stale one is gone')
      assert.equal(readFileSync(join(dir, ATTACHMENTS_DIR, files[0]!), 'utf8'), svg)
      assert.ok(html.includes(`"url":"${ATTACHMENTS_DIR}/${files[0]}"`), 'the attachment points at its file')
      assert.ok(!html.includes(Buffer.from(svg).toString('base64')), 'the image is not inlined')
      assert.ok(html.includes('skipped: no docker'), 'logs stay inline')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps images inline when it writes to standard output (no folder to put them in)', async () => {
    const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')
    const html = await render([META, { attachment: { testCaseStartedId: 'a', mediaType: 'image/svg+xml', body, contentEncoding: 'BASE64' } }])
    assert.ok(html.includes(body))
    assert.ok(!existsSync(join(process.cwd(), ATTACHMENTS_DIR)))
  })
})
