// The book in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core
// through its executable path, with a fresh profile removed afterwards) opens reports/book/ from
// file://, switches language, follows a behavior's link from the conformance matrix, checks the
// right-to-left layout (computed direction, no horizontal overflow) and that every diagram
// renders, and saves screenshots to reports/book/screenshots/.
// It needs a run's messages (reports/<profile>/messages.ndjson), so it runs after the features:
// `npm run test:browser` (scripts/features.sh, in `npm test`). It builds the book first.
// OCK_CHROMIUM names another Chromium binary.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { runsOnDisk } from '../conformance.js'
import { BOOK_DIR, DIAGRAMS_DIR, writeBook, type BookSummary } from './build.js'
import type { BookSection } from './model.js'

const REPORTS = 'reports'
const CHROMIUM = process.env.OCK_CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = join(REPORTS, BOOK_DIR, 'screenshots')
// headless: true adds --headless; the rest keeps the browser off the network and quiet
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

// a report a reader can open: the Cucumber HTML of a profile stays under this (the book carries the pictures)
const MAX_HTML_REPORT = 5 * 1024 * 1024

const url = (path: string, hash = ''): string => pathToFileURL(resolve(path)).href + hash

let summary: BookSummary
let profileDir: string
let context: BrowserContext
let page: Page

/** What the page looks like now: direction of the document and of an element, overflow. */
async function layout(p: Page, selector: string): Promise<{ htmlDir: string; bodyDirection: string; direction: string; overflow: number }> {
  return p.evaluate((sel) => {
    const el = document.querySelector(sel)
    const doc = document.scrollingElement!
    return {
      htmlDir: document.documentElement.dir,
      bodyDirection: getComputedStyle(document.body).direction,
      direction: el ? getComputedStyle(el).direction : 'missing',
      overflow: doc.scrollWidth - doc.clientWidth,
    }
  }, selector)
}

/** Every diagram the reader can see now: scrolled to (they load lazily), loaded, drawn with a size. */
async function visibleDiagrams(p: Page): Promise<{ src: string; natural: number; width: number; height: number }[]> {
  return p.evaluate(async () => {
    const out: { src: string; natural: number; width: number; height: number }[] = []
    for (const img of Array.from(document.querySelectorAll<HTMLImageElement>('figure.diagram img'))) {
      if (!img.checkVisibility()) continue
      img.scrollIntoView({ block: 'center' })
      try {
        await img.decode()
      } catch {
        // a broken image: naturalWidth stays 0 and the check below says which
      }
      const r = img.getBoundingClientRect()
      out.push({ src: img.getAttribute('src') ?? '', natural: img.naturalWidth, width: r.width, height: r.height })
    }
    return out
  })
}

async function setLang(p: Page, lang: 'en' | 'ar'): Promise<void> {
  if ((await p.getAttribute('html', 'data-lang')) !== lang) await p.click('#lang')
  assert.equal(await p.getAttribute('html', 'data-lang'), lang)
}

describe('the book in a real browser (headless Chromium)', () => {
  before(async () => {
    assert.ok(runsOnDisk(REPORTS).length, `no run under ${REPORTS}/<profile>/messages.ndjson: run the features first (npx cucumber-js -p ci)`)
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), or set OCK_CHROMIUM`)
    summary = await writeBook({ reportsDir: REPORTS })
    rmSync(SHOTS, { recursive: true, force: true })
    mkdirSync(SHOTS, { recursive: true })
    profileDir = mkdtempSync(join(tmpdir(), 'ock-chromium-'))
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
    })
    page = context.pages()[0] ?? (await context.newPage())
    // everything the book needs is in its folder: a request for anything else is a bug
    await context.route(/^(?!file:)/, (route) => route.abort())
  })

  after(async () => {
    await context?.close()
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
  })

  it('has, for every behavior, both notes, a scenario in each language with a result, and a diagram for each flow behavior', () => {
    const problems: string[] = []
    for (const { behavior, scenarios } of summary.book.sections.flatMap((s) => s.behaviors)) {
      if (!behavior.note.trim() || !behavior.noteAr?.trim()) problems.push(`${behavior.id}: a note is missing (English or Arabic)`)
      for (const lang of ['en', 'ar'] as const) {
        if (!scenarios[lang].length) problems.push(`${behavior.id}: no ${lang} scenario in the runs`)
        for (const s of scenarios[lang]) if (!s.runs.length) problems.push(`${behavior.id}: ${s.key} has no result`)
      }
      if (behavior.id.startsWith('FLOW-') && !scenarios.en.some((s) => s.diagrams.length)) problems.push(`${behavior.id}: no sequence diagram`)
    }
    assert.deepEqual(problems, [], 'npm test runs both -p ci and -p ar before this test; after a partial run, run the missing profile')
  })

  it("keeps each profile's Cucumber HTML report small enough to open (under 5 MB)", () => {
    for (const { profile } of runsOnDisk(REPORTS)) {
      const html = join(REPORTS, profile, 'cucumber.html')
      if (!existsSync(html)) continue
      const size = statSync(html).size
      assert.ok(size < MAX_HTML_REPORT, `${html} is ${(size / 1024 / 1024).toFixed(1)} MB`)
    }
  })

  it('opens offline from file://, in English, left to right, every behavior there, nothing overflowing', async () => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(url(summary.index, '?lang=en'))
    assert.deepEqual(await layout(page, 'main'), { htmlDir: 'ltr', bodyDirection: 'ltr', direction: 'ltr', overflow: 0 })
    assert.equal(await page.locator('article.behavior').count(), summary.behaviors)
    assert.equal(await page.locator('section.chapter').count(), summary.book.sections.length)
    assert.deepEqual(errors, [])
  })

  it('switches to Arabic: right to left, English terms kept left to right, nothing overflowing, and remembers it', async () => {
    await page.goto(url(summary.index, '?lang=en'))
    await page.click('#lang')
    const withAr = summary.book.sections.flatMap((s) => s.behaviors).find((b) => b.scenarios.ar.length)
    assert.ok(withAr, 'some behavior has an Arabic scenario')
    const id = withAr.behavior.id
    assert.deepEqual(await layout(page, `#${id} .note-ar`), { htmlDir: 'rtl', bodyDirection: 'rtl', direction: 'rtl', overflow: 0 })
    assert.equal(await page.getAttribute('#search', 'placeholder'), await page.getAttribute('#search', 'data-placeholder-ar'))
    // a technical term inside Arabic text stays left to right
    assert.equal(
      await page
        .locator(`#${id} .note-ar bdi`)
        .first()
        .evaluate((el) => getComputedStyle(el).direction),
      'ltr',
    )
    // the Arabic scenario shows, the English one does not
    assert.ok(await page.locator(`#${id} .lang-block[data-lang="ar"] .scenario[dir="rtl"]`).first().isVisible())
    assert.ok(!(await page.locator(`#${id} .lang-block[data-lang="en"]`).isVisible()))
    assert.equal(
      await page
        .locator(`#${id} .lang-block[data-lang="ar"] .scenario .step`)
        .first()
        .evaluate((el) => getComputedStyle(el).direction),
      'rtl',
    )
    // without an Arabic edition, the English scenario stands in, left to right, and says so
    const fallback = page.locator('.lang-block[data-fallback="ar"]').first()
    if ((await fallback.count()) > 0) {
      assert.ok(await fallback.isVisible())
      assert.ok(await fallback.locator('.notice').isVisible())
      assert.equal(
        await fallback
          .locator('.scenario')
          .first()
          .evaluate((el) => getComputedStyle(el).direction),
        'ltr',
      )
    }
    await page.goto(url(summary.index))
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl', 'the choice is remembered')
    await setLang(page, 'en')
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr')
  })

  it("follows a behavior's link from the conformance matrix to its place in the book", async () => {
    await page.goto(url(join(REPORTS, 'conformance.html')))
    const link = page.locator('td.id a.book').nth(7)
    const id = (await link.textContent())!.trim()
    await link.click()
    await page.waitForURL((u) => u.pathname.endsWith(`/${BOOK_DIR}/index.html`) && u.hash === `#${id}`)
    const box = await page.locator(`article#${id}`).evaluate((el) => ({ top: el.getBoundingClientRect().top, target: el.matches(':target') }))
    assert.ok(box.target, `#${id} is the target`)
    assert.ok(box.top >= 0 && box.top < 200, `#${id} is at the top of the window (top ${box.top})`)
    await page.screenshot({ path: join(SHOTS, `from-matrix-${id}.png`) })
  })

  it('renders every sequence diagram, in both languages', async () => {
    const files = readdirSync(join(REPORTS, BOOK_DIR, DIAGRAMS_DIR)).filter((f) => f.endsWith('.svg'))
    assert.equal(files.length, summary.diagrams)
    assert.ok(summary.diagrams > 0, 'the runs drew diagrams')
    const seen = new Set<string>()
    for (const lang of ['en', 'ar'] as const) {
      await page.goto(url(summary.index, `?lang=${lang}`))
      const diagrams = await visibleDiagrams(page)
      assert.ok(diagrams.length > 0, `diagrams shown in ${lang}`)
      const broken = diagrams.filter((d) => !(d.natural > 0 && d.width > 0 && d.height > 0))
      assert.deepEqual(broken, [], `every diagram shown in ${lang} is drawn with a size`)
      assert.equal(await page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth), 0, `no overflow in ${lang}`)
      for (const d of diagrams) seen.add(d.src.replace(`${DIAGRAMS_DIR}/`, ''))
    }
    assert.deepEqual(
      files.filter((f) => !seen.has(f)),
      [],
      'every diagram file is shown in one language or the other',
    )
  })

  it('finds behaviors by any word of either language', async () => {
    await page.goto(url(summary.index, '?lang=en'))
    const first = summary.book.sections[0]!.behaviors[0]!.behavior
    await page.fill('#search', first.id.toLowerCase())
    assert.ok(await page.locator(`article#${first.id}`).isVisible())
    const shown = await page.locator('article.behavior:visible').count()
    assert.ok(shown >= 1 && shown < summary.behaviors, `the search narrows (${shown} shown)`)
    assert.equal(await page.textContent('#count-n'), String(shown))
    // an Arabic word of a note finds it, in the English view too (the page holds both)
    const withAr = summary.book.sections.flatMap((s) => s.behaviors).find((b) => /[\u0600-\u06FF]{4,}/.test(b.behavior.noteAr ?? ''))!
    const word = /[\u0600-\u06FF]{4,}/.exec(withAr.behavior.noteAr!)![0]
    await page.fill('#search', word)
    assert.ok(await page.locator(`article#${withAr.behavior.id}`).isVisible(), `"${word}" finds ${withAr.behavior.id}`)
    await page.fill('#search', 'zzzz-nothing-matches-this')
    assert.equal(await page.locator('article.behavior:visible').count(), 0)
    assert.ok(await page.locator('#no-match').isVisible())
    await page.fill('#search', '')
    assert.equal(await page.locator('article.behavior:visible').count(), summary.behaviors)
  })

  it('prints the book without its controls', async () => {
    await page.goto(url(summary.index, '?lang=en'))
    await page.emulateMedia({ media: 'print' })
    const hidden = await page.evaluate(() => ['.bar', '.toc'].map((s) => getComputedStyle(document.querySelector(s)!).display))
    assert.deepEqual(hidden, ['none', 'none'])
    assert.equal(
      await page
        .locator('section.chapter')
        .nth(1)
        .evaluate((el) => getComputedStyle(el).breakBefore),
      'page',
    )
    await page.emulateMedia({ media: 'screen' })
  })

  it('saves screenshots of one chapter in each language', async () => {
    // the chapter with the most Arabic editions, at its first behavior that has one, and its diagram
    const arabic = (s: BookSection): number => s.behaviors.filter((b) => b.scenarios.ar.length).length
    const section = [...summary.book.sections].sort((a, b) => arabic(b) - arabic(a))[0]!
    const behavior = section.behaviors.find((b) => b.scenarios.ar.length) ?? section.behaviors[0]!
    const id = behavior.behavior.id
    for (const lang of ['en', 'ar'] as const) {
      await page.goto(url(summary.index, `?lang=${lang}#ch-${section.slug}`))
      await page.screenshot({ path: join(SHOTS, `chapter-${section.slug}-${lang}.png`) })
      await page.goto(url(summary.index, `?lang=${lang}#${id}`))
      await page.screenshot({ path: join(SHOTS, `behavior-${id}-${lang}.png`) })
      const figure = page.locator(`#${id} .lang-block:visible figure.diagram`).first()
      if ((await figure.count()) > 0) {
        await figure.evaluate((el) => el.scrollIntoView({ block: 'start' }))
        await figure.locator('img').evaluate((img: HTMLImageElement) => img.decode())
        await page.evaluate(() => window.scrollBy(0, -60)) // below the sticky bar
        await page.screenshot({ path: join(SHOTS, `diagram-${id}-${lang}.png`) })
      }
      assert.equal((await layout(page, 'main')).overflow, 0)
    }
    const shots = readdirSync(SHOTS)
    for (const lang of ['en', 'ar']) assert.ok(shots.includes(`chapter-${section.slug}-${lang}.png`))
  })
})
