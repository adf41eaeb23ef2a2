import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DOMParser } from '@xmldom/xmldom'
import { CATALOGUE, CI, CLUSTER, DOC, DOC_AR } from './book.testing.js'
import { buildBook } from './model.js'
import { parseMutationReport } from './mutants.js'
import { prose, renderBook, t, UI } from './render.js'

const files = new Map([
  [DOC.uri!, { language: 'en' as const, ids: new Set(['HEAL-01', 'HEAL-02']) }],
  [DOC_AR.uri!, { language: 'ar' as const, ids: new Set(['HEAL-02']) }],
])
const patches = [
  {
    file: 'mutants/k/HEAL-02.threshold.patch',
    behaviors: ['HEAL-02'],
    claim: 'after failureThreshold failures',
    bug: 'restarts after the first failure',
    layer: 'orchestrator',
    touches: ['orchestrator/kubelet/prober.ts'],
  },
]
const diagramFile = (svg: string) => ({ href: `diagrams/${svg.length}.svg`, width: 300, height: 120 })

function page(mutation?: ReturnType<typeof parseMutationReport>): string {
  const book = buildBook({
    catalogue: CATALOGUE,
    runs: [CI, CLUSTER],
    featureFiles: files,
    known: new Set(['HEAL-01', 'HEAL-02']),
    targets: { ci: 'builtin' },
    patches,
    ...(mutation ? { mutation } : {}),
  })
  return renderBook(book, { diagramFile, generatedAt: '2026-12-05 09:00:00 UTC', matrixHref: '../conformance.html' })
}

/** The element with this id, as text of its outer HTML (the page is well-formed enough for xmldom's HTML mode). */
function article(html: string, id: string): string {
  const start = html.indexOf(`<article class="behavior" id="${id}">`)
  assert.ok(start >= 0, `an article for ${id}`)
  return html.slice(start, html.indexOf('</article>', start))
}

describe('the book page', () => {
  const html = page()

  it('is one page that starts in English, left to right, and links its stylesheet and script beside it', () => {
    assert.match(html, /^<!doctype html>\n<html lang="en" dir="ltr" data-lang="en">/)
    assert.match(html, /<link rel="stylesheet" href="book.css">/)
    assert.match(html, /<script src="book.js"><\/script>/)
    assert.ok(!/https?:\/\//.test(html), 'nothing from the network: it opens offline')
    const doc = new DOMParser({ onError: () => {} }).parseFromString(html, 'text/html')
    assert.ok(doc.getElementById('search') && doc.getElementById('lang'))
  })

  it('has a chapter per section, and an article per behavior that the matrix can link to', () => {
    assert.deepEqual(
      [...html.matchAll(/<section class="chapter" id="ch-([^"]+)">/g)].map((m) => m[1]),
      ['kubernetes-features', 'etcd'],
    )
    for (const b of CATALOGUE) assert.ok(html.includes(`id="${b.id}"`), b.id)
  })

  it('gives both notes: the Arabic right to left with its English terms isolated', () => {
    const a = article(html, 'HEAL-02')
    assert.ok(a.includes('<blockquote class="note note-ar" lang="ar" dir="rtl">'))
    assert.ok(a.includes('<bdi dir="ltr">Self-Healing</bdi>: عن طريق الـ <bdi dir="ltr">Liveness Probe</bdi>'))
    assert.ok(a.includes('<blockquote class="note note-en" lang="en" dir="ltr">'))
  })

  it('gives the scenarios in each language; without an Arabic edition, the English one stands in and says so', () => {
    const heal2 = article(html, 'HEAL-02')
    assert.ok(heal2.includes('<div class="lang-block" data-lang="en">'))
    assert.ok(heal2.includes('<div class="lang-block" data-lang="ar"><div class="scenario" lang="ar" dir="rtl">'))
    assert.ok(heal2.includes(`<span class="step"><bdi dir="ltr">cluster</bdi> فيه <bdi dir="ltr">1 node</bdi></span>`))
    const heal1 = article(html, 'HEAL-01')
    assert.ok(heal1.includes('<div class="lang-block" data-lang="en" data-fallback="ar"><p class="notice" data-lang="ar"'))
    assert.ok(heal1.includes('<td dir="auto">http</td>'), 'the examples')
  })

  it('shows the last result on each profile, with reasons', () => {
    const a = article(html, 'HEAL-01')
    assert.match(a, /<td><a href="..\/ci\/cucumber.html" dir="ltr">ci<\/a><\/td><td dir="ltr">builtin<\/td><td class="cell failed">/)
    assert.ok(a.includes('<li>failed: because</li>'))
    assert.match(a, /<td dir="ltr">—<\/td><td class="cell not-run">/, 'cluster did not run it; its target is unknown')
  })

  it('draws every diagram from its file, sized, lazily', () => {
    const imgs = [...article(html, 'HEAL-01').matchAll(/<img src="([^"]+)"[^>]*>/g)]
    assert.equal(imgs.length, 2, 'one per example')
    assert.match(imgs[0]![0], /loading="lazy" decoding="async" width="300" height="120"/)
  })

  it('gives the mutation proof: the mutants and where the behavior lives, or that no mutation run happened', () => {
    const a = article(html, 'HEAL-02')
    assert.ok(a.includes('after failureThreshold failures'))
    assert.ok(a.includes('<code dir="ltr">orchestrator/kubelet/prober.ts</code>'))
    assert.ok(a.includes(UI.noMutationRun.en))
    assert.ok(article(html, 'HEAL-03').includes(UI.noMutationRun.en))
    const judged = page(
      parseMutationReport({
        mutants: [
          {
            file: 'mutants/k/HEAL-02.threshold.patch',
            behaviors: ['HEAL-02'],
            status: 'killed',
            killedBy: { scenario: 'liveness restarts', step: 'Then the pod has:', message: 'expected 1 restart, got 2' },
          },
        ],
      }),
    )
    const k = article(judged, 'HEAL-02')
    assert.ok(!k.includes(UI.noMutationRun.en))
    assert.ok(k.includes('<li class="mutant m-killed"'))
    assert.ok(k.includes('expected 1 restart, got 2'))
    assert.ok(article(judged, 'HEAL-03').includes(UI.noMutant.en))
  })

  it('writes UI words in both languages and free text by its script', () => {
    assert.equal(t('profile'), '<span data-lang="en" lang="en">Profile</span><span data-lang="ar" lang="ar">الـ <bdi dir="ltr">profile</bdi></span>')
    const table: [string, string][] = [
      ['Run the features', 'Run the features'],
      ['a < b', 'a &lt; b'],
      ['الـ pod', 'الـ <bdi dir="ltr">pod</bdi>'],
    ]
    for (const [input, want] of table) assert.equal(prose(input), want)
    assert.ok(t('noRuns').includes('<code dir="ltr">npx cucumber-js</code>'))
  })
})
