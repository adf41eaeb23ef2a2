// Cucumber's HTML report (the built-in `html` formatter, @cucumber/html-formatter) that also
// renders right-to-left text right: the Arabic features (features/ar/) mix Arabic with English
// Kubernetes terms, and in a left-to-right page the bidi algorithm would reorder their words.
// A small script gives each block of the report the direction of its text as it renders (Arabic
// letters: right to left), and the stylesheet keeps each inline piece whole, so an Arabic
// feature, scenario or step reads right to left, aligned right, with its English terms and
// quoted values in place, and an English one stays as it was.
// Images (every scenario's sequence diagram, some 70 KB of SVG each) are not inlined: each is
// written once, named by its content, to attachments/ beside the report, which shows it from
// there (the report's React app renders an attachment's `url` as it renders an inline image), so
// the page stays a few MB and opens quickly; the folder opens offline as it is. The run's
// messages (messages.ndjson) keep every attachment inline for the book and other readers.
// Usage in cucumber.js:
//   format: [['./support/formatters/html.js', 'reports/default/cucumber.html']]

import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { CucumberHtmlStream } from '@cucumber/html-formatter'

/** Folder, beside the report, of the attachments it links to instead of inlining. */
export const ATTACHMENTS_DIR = 'attachments'

const EXTENSIONS = { 'image/svg+xml': 'svg', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }

/**
 * Returns a function that moves an envelope's image attachment out of the report: the body goes
 * to `<directory>/attachments/<sha256>.<ext>` (written once per content) and the attachment
 * keeps a relative `url` to it. Other envelopes pass through unchanged. The folder is emptied
 * first, so it holds only this run's files.
 * @param {string} directory the report's folder
 */
export function attachmentExternaliser(directory) {
  const dir = join(directory, ATTACHMENTS_DIR)
  rmSync(dir, { recursive: true, force: true })
  const written = new Set()
  /** @param {any} envelope */
  return (envelope) => {
    const a = envelope.attachment
    if (!a || !a.mediaType?.startsWith('image/') || a.url) return envelope
    const bytes = Buffer.from(a.body, a.contentEncoding === 'BASE64' ? 'base64' : 'utf8')
    const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}.${EXTENSIONS[a.mediaType] ?? 'bin'}`
    if (!written.has(name)) {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, name), bytes)
      written.add(name)
    }
    return { ...envelope, attachment: { ...a, body: '', contentEncoding: 'IDENTITY', url: `${ATTACHMENTS_DIR}/${name}` } }
  }
}

/** Appended to the report's own stylesheet: every inline piece (keyword, text, value) is a unit. */
export const BIDI_CSS = `
/* OCK: inline pieces of a step keep their own order inside a right-to-left line */
span, a, code { unicode-bidi: isolate; }
`

/**
 * Appended to the report's own script. An element whose text has Arabic letters reads right to
 * left; one with only Latin letters (a manifest, a path, a tag, an English step) left to right;
 * the others follow their parent. Inline elements always follow their parent, so an Arabic step
 * with an English term first ("cluster فيه 2 nodes") still reads right to left.
 */
export const BIDI_JS = `
;(function ockBidi() {
  var arabic = /[\\u0600-\\u06FF]/, latin = /[A-Za-z]/
  var mark = function (el) {
    if (el.nodeType !== 1 || el.hasAttribute('data-ock-dir') || getComputedStyle(el).display === 'inline') return
    var text = el.textContent || ''
    var dir = arabic.test(text) ? 'rtl' : latin.test(text) ? 'ltr' : ''
    if (dir) { el.setAttribute('dir', dir); el.setAttribute('data-ock-dir', '') }
  }
  var root = document.getElementById('content') || document.body
  var all = function (n) { mark(n); n.querySelectorAll('*').forEach(mark) }
  Array.prototype.forEach.call(root.children, function (c) { c.querySelectorAll('*').forEach(mark) })
  new MutationObserver(function (changes) {
    changes.forEach(function (c) { c.addedNodes.forEach(function (n) { if (n.nodeType === 1) all(n) }) })
  }).observe(root, { childList: true, subtree: true })
})();
`

/** The stock stream, with BIDI_CSS after the stock stylesheet and BIDI_JS after the stock script. */
export class BidiHtmlStream extends CucumberHtmlStream {
  writeFile(path, callback) {
    const extra = path === this.cssPath ? BIDI_CSS : path === this.jsPath ? BIDI_JS : ''
    if (!extra) return super.writeFile(path, callback)
    super.writeFile(path, (err) => {
      if (err) return callback(err)
      this.push(extra)
      callback()
    })
  }
}

export default {
  type: 'formatter',
  optionsKey: 'html',
  /** @param {{ on: (k: 'message', h: (e: any) => void) => void, write: (s: string) => void, directory?: string }} ctx */
  formatter({ on, write, directory }) {
    const html = new BidiHtmlStream()
    // written to standard output (no folder), the report keeps its images inline
    const externalise = directory ? attachmentExternaliser(directory) : (/** @type {any} */ e) => e
    html.on('data', (chunk) => write(chunk))
    on('message', (envelope) => html.write(externalise(envelope)))
    return async () => {
      html.end()
      await finished(html)
    }
  },
}
