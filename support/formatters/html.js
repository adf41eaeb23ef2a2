// Cucumber's HTML report (the built-in `html` formatter, @cucumber/html-formatter) that also
// renders right-to-left text right: the Arabic features (features/ar/) mix Arabic with English
// Kubernetes terms, and in a left-to-right page the bidi algorithm would reorder their words.
// A small script gives each block of the report the direction of its text as it renders (Arabic
// letters: right to left), and the stylesheet keeps each inline piece whole, so an Arabic
// feature, scenario or step reads right to left, aligned right, with its English terms and
// quoted values in place, and an English one stays as it was. Usage in cucumber.js:
//   format: [['./support/formatters/html.js', 'reports/default/cucumber.html']]

import { finished } from 'node:stream/promises'
import { CucumberHtmlStream } from '@cucumber/html-formatter'

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
  /** @param {{ on: (k: 'message', h: (e: any) => void) => void, write: (s: string) => void }} ctx */
  formatter({ on, write }) {
    const html = new BidiHtmlStream()
    html.on('data', (chunk) => write(chunk))
    on('message', (envelope) => html.write(envelope))
    return async () => {
      html.end()
      await finished(html)
    }
  },
}
