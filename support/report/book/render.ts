// The book as one HTML page (reports/book/index.html): a chapter per section of the course, a
// behavior per article (id = the behavior id, so `index.html#HEAL-02` opens it), each with its
// note in both languages, its scenarios in the reader's language, the last result on every
// profile, the mutation proof and the sequence diagrams of what the cluster did. Both languages
// are in the page; the stylesheet shows the reader's (html[data-lang]), so switching needs no
// reload and search finds words of either. Arabic text is right to left with its Latin runs
// (the English technical terms) isolated left to right (bidi.ts).

import type { Behavior } from '../catalogue.js'
import type { CellStatus } from '../matrix.js'
import type { ScenarioStatus } from '../results.js'
import { escapeHtml as h, hasArabic, isolateLatin } from './bidi.js'
import type { ScenarioText, StepText } from './gherkin.js'
import type { Book, BookBehavior, BookScenario, DiagramRef, Lang, ProfileResult, RunInfo } from './model.js'
import { tally, type MutantStatus, type MutantView } from './mutants.js'

/** Words of the page in both languages; the Arabic in the notes' register (English terms kept). */
export const UI = {
  title: { en: 'The course, as the kit ran it', ar: 'الـ course، زي ما الـ kit شغلته' },
  lead: {
    en: 'Every behavior of the container orchestration course: the note, the scenarios that show it, the last result on every profile, the bugs its scenarios catch, and what the cluster did.',
    ar: 'كل behavior في الـ course بتاع الـ container orchestration: الـ note، والـ scenarios اللي بتوريه، وآخر نتيجة على كل profile، والـ bugs اللي الـ scenarios بتمسكها، والـ cluster عمل إيه.',
  },
  contents: { en: 'Contents', ar: 'المحتويات' },
  chapter: { en: 'Chapter', ar: 'الفصل' },
  search: { en: 'Search behaviors, notes, steps…', ar: 'دوّر في الـ behaviors والـ notes والـ steps…' },
  switchTo: { en: 'العربية', ar: 'English' },
  shown: { en: 'behaviors shown', ar: 'behavior ظاهرين' },
  noMatch: { en: 'No behavior matches the search.', ar: 'مفيش behavior بيطابق البحث.' },
  runs: { en: 'The runs this book was built from', ar: 'الـ runs اللي الكتاب ده اتبنى منها' },
  noRuns: {
    en: 'No run yet: run `npx cucumber-js` (or `-p ci`), then `npm run book`.',
    ar: 'لسه مفيش run: شغل `npx cucumber-js` (أو `-p ci`)، وبعدين `npm run book`.',
  },
  note: { en: 'The note', ar: 'الـ note' },
  noteAr: { en: 'As the course writes it', ar: 'زي ما الـ course كاتبها' },
  noteEn: { en: 'In English', ar: 'بالإنجليزي' },
  behavior: { en: 'Behavior', ar: 'الـ behavior' },
  observe: { en: 'What a scenario observes', ar: 'الـ scenario بيشوف إيه' },
  needs: { en: 'Needs', ar: 'محتاج' },
  results: { en: 'Last result on each profile', ar: 'آخر نتيجة على كل profile' },
  profile: { en: 'Profile', ar: 'الـ profile' },
  target: { en: 'Target', ar: 'الـ target' },
  result: { en: 'Result', ar: 'النتيجة' },
  finished: { en: 'Run finished', ar: 'الـ run خلص' },
  scenarios: { en: 'Scenarios', ar: 'الـ scenarios' },
  noScenario: { en: 'No scenario tags this behavior yet.', ar: 'لسه مفيش scenario عليه الـ tag بتاع الـ behavior ده.' },
  noArabic: { en: '', ar: 'لسه مفيش نسخة عربي من الـ scenario ده؛ دي النسخة الإنجليزي.' },
  notRun: { en: 'Not run yet (no profile has parsed it):', ar: 'لسه متشغلش (مفيش profile قراه):' },
  scenarioNotRun: { en: 'not run yet: no profile has run this file', ar: 'لسه متشغلش: مفيش profile شغل الـ file ده' },
  diagram: { en: 'What the cluster did', ar: 'الـ cluster عمل إيه' },
  diagramFrom: { en: 'sequence diagram from the trace, run', ar: 'الـ sequence diagram من الـ trace، الـ run' },
  openFull: { en: 'open full size (hover a row for details)', ar: 'افتحه بالحجم الكامل (حط الماوس على أي سطر للتفاصيل)' },
  noDiagram: {
    en: 'No sequence diagram: no run on a target with a trace has this scenario.',
    ar: 'مفيش sequence diagram: مفيش run على target عنده trace فيه الـ scenario ده.',
  },
  mutation: { en: 'Mutation proof: the bugs its scenarios catch', ar: 'إثبات الـ mutation: الـ bugs اللي الـ scenarios بتمسكها' },
  noMutationRun: { en: 'No mutation run yet.', ar: 'لسه مفيش mutation run.' },
  noMutant: { en: 'No mutant for this behavior yet.', ar: 'لسه مفيش mutant للـ behavior ده.' },
  mutantNotRun: { en: 'not run yet', ar: 'لسه متشغلش' },
  killedBy: { en: 'caught by', ar: 'مسكه' },
  lives: { en: 'Where it lives in the orchestrator', ar: 'الـ behavior ده موجود فين في الـ orchestrator' },
  mutationRun: { en: 'Mutation run', ar: 'الـ mutation run' },
  generated: { en: 'Built', ar: 'اتبنى' },
} as const satisfies Record<string, Record<Lang, string>>

type Key = keyof typeof UI

/** Text of one language as HTML: Arabic isolates its Latin runs; `code` spans stay code. */
function text(s: string, lang: Lang): string {
  return s
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 2
        ? `<code dir="ltr">${h(part.slice(1, -1))}</code>`
        : lang === 'ar'
          ? isolateLatin(part)
          : h(part),
    )
    .join('')
}

/** Both languages of a UI string; the stylesheet shows the reader's. */
export function t(key: Key, tag = 'span'): string {
  return (['en', 'ar'] as const)
    .filter((l) => UI[key][l])
    .map((l) => `<${tag} data-lang="${l}" lang="${l}">${text(UI[key][l], l)}</${tag}>`)
    .join('')
}

/** Free text (a step, a note, a name): right to left with isolated terms when it has Arabic. */
export function prose(s: string): string {
  return hasArabic(s) ? isolateLatin(s) : h(s)
}

const SYMBOL: Record<CellStatus, string> = { passed: '✔', failed: '✘', skipped: '↷', partly: '◐', 'not-run': '—', 'no-scenario': '∅' }
const CELL_WORD: Record<CellStatus, Record<Lang, string>> = {
  passed: { en: 'passed', ar: 'نجح' },
  failed: { en: 'failed', ar: 'فشل' },
  skipped: { en: 'skipped', ar: 'اتعمله skip' },
  partly: { en: 'partly passed', ar: 'نجح جزء منه' },
  'not-run': { en: 'not in this profile', ar: 'مش في الـ profile ده' },
  'no-scenario': { en: 'no scenario yet', ar: 'لسه مفيش scenario' },
}

function both(words: Record<Lang, string>): string {
  return `<span data-lang="en" lang="en">${h(words.en)}</span><span data-lang="ar" lang="ar">${isolateLatin(words.ar)}</span>`
}

const STATUS_CLASS: Record<ScenarioStatus, CellStatus> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  pending: 'failed',
  undefined: 'failed',
  ambiguous: 'failed',
  unknown: 'failed',
}

function when(iso: string | undefined): string {
  return iso
    ? iso
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
        .replace(/Z$/, ' UTC')
    : '—'
}

function resultsTable(results: readonly ProfileResult[]): string {
  if (!results.length) return `<p class="muted">${t('noRuns')}</p>`
  const rows = results.map((r) => {
    const c = r.cell
    const n = c.scenarios.length
    const count = n ? ` <span class="count">(${c.status === 'partly' ? `${c.passed}/${n}` : n})</span>` : ''
    const reasons = c.reasons.length ? `<ul class="reasons" dir="ltr">${c.reasons.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : ''
    return `<tr><td><a href="../${h(r.profile)}/cucumber.html" dir="ltr">${h(r.profile)}</a></td><td dir="ltr">${h(r.target ?? '—')}</td><td class="cell ${c.status}"><span class="sym">${SYMBOL[c.status]}</span> ${both(CELL_WORD[c.status])}${count}${reasons}</td><td dir="ltr">${h(when(r.finishedAt))}</td></tr>`
  })
  return `<table class="results"><thead><tr><th>${t('profile')}</th><th>${t('target')}</th><th>${t('result')}</th><th>${t('finished')}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function stepHtml(s: StepText): string {
  const doc = s.docString ? `<pre class="docstring" dir="ltr">${h(s.docString.content)}</pre>` : ''
  const table = s.dataTable
    ? `<table class="datatable">${s.dataTable.map((r) => `<tr>${r.map((c) => `<td dir="auto">${prose(c)}</td>`).join('')}</tr>`).join('')}</table>`
    : ''
  return `<li><span class="kw">${h(s.keyword.trim())}</span> <span class="step">${prose(s.text)}</span>${doc}${table}</li>`
}

export interface DiagramFile {
  href: string
  width?: number
  height?: number
}

function diagramsHtml(ds: readonly DiagramRef[], file: (svg: string) => DiagramFile): string {
  if (!ds.length) return `<p class="muted no-diagram">${t('noDiagram')}</p>`
  return `<div class="diagrams">${ds
    .map((d) => {
      const f = file(d.svg)
      const size = f.width && f.height ? ` width="${f.width}" height="${f.height}"` : ''
      return `<figure class="diagram"><figcaption><span class="label">${t('diagram')}</span> <span class="muted">· ${prose(d.name)} · ${t('diagramFrom')} <span dir="ltr">${h(d.profile)}</span></span></figcaption><a href="${h(f.href)}" target="_blank" rel="noopener" title="${h(UI.openFull.en)}"><img src="${h(f.href)}" alt="${h(`Sequence diagram: ${d.name}`)}" loading="lazy" decoding="async"${size}></a></figure>`
    })
    .join('')}</div>`
}

function scenarioRuns(s: BookScenario): string {
  // a scenario read from its file, which no run has parsed
  if (!s.runs.length) return `<span class="chip not-run">${SYMBOL['not-run']} ${t('scenarioNotRun')}</span>`
  return s.runs
    .map((r) => {
      const c = STATUS_CLASS[r.status]
      const title = [`${r.profile}: ${r.status}${r.total > 1 ? ` (${r.passed}/${r.total} passed)` : ''}`, ...r.reasons].join('\n')
      return `<span class="chip ${c}" dir="ltr" title="${h(title)}">${SYMBOL[c]} ${h(r.profile)}${r.total > 1 ? ` ${r.passed}/${r.total}` : ''}</span>`
    })
    .join(' ')
}

function scenarioHtml(s: BookScenario, file: (svg: string) => DiagramFile): string {
  const x: ScenarioText = s.text
  const dir = x.language === 'ar' ? 'rtl' : 'ltr'
  const bg = x.backgrounds
    .map(
      (b) =>
        `<div class="background"><p class="kw">${prose(b.keyword)}:${b.name ? ` ${prose(b.name)}` : ''}</p><ol class="steps">${b.steps.map(stepHtml).join('')}</ol></div>`,
    )
    .join('')
  const examples = x.examples
    .map(
      (e) =>
        `<div class="examples"><p class="kw">${prose(e.keyword)}:${e.name ? ` ${prose(e.name)}` : ''}</p><table class="datatable"><thead><tr>${e.header.map((c) => `<th dir="auto">${prose(c)}</th>`).join('')}</tr></thead><tbody>${e.rows.map((r) => `<tr>${r.cells.map((c) => `<td dir="auto">${prose(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`,
    )
    .join('')
  return `<div class="scenario" lang="${h(x.language)}" dir="${dir}">
<p class="where"><code dir="ltr">${h(x.uri)}:${x.line}</code> ${scenarioRuns(s)}</p>
<p class="tags" dir="ltr">${x.tags.map((tg) => `<span>${h(tg)}</span>`).join(' ')}</p>
${bg}<h4><span class="kw">${prose(x.keyword)}:</span> ${prose(x.name)}</h4>
<ol class="steps">${x.steps.map(stepHtml).join('')}</ol>${examples}
${diagramsHtml(s.diagrams, file)}
</div>`
}

function scenariosHtml(b: BookBehavior, file: (svg: string) => DiagramFile): string {
  const notRun = (lang: Lang): string =>
    b.notRun[lang].length ? `<p class="muted not-run">${t('notRun')} ${b.notRun[lang].map((u) => `<code dir="ltr">${h(u)}</code>`).join(', ')}</p>` : ''
  const en = b.scenarios.en.map((s) => scenarioHtml(s, file)).join('')
  const ar = b.scenarios.ar.map((s) => scenarioHtml(s, file)).join('')
  const none = !b.scenarios.en.length && !b.scenarios.ar.length
  if (none) return `<p class="muted">${t('noScenario')}</p>${notRun('en')}${notRun('ar')}`
  // without an Arabic edition, the Arabic reader gets the English scenarios, and is told so
  const fallback = !b.scenarios.ar.length
  return (
    `<div class="lang-block" data-lang="en"${fallback ? ' data-fallback="ar"' : ''}>${fallback ? `<p class="notice" data-lang="ar" lang="ar" dir="rtl">${isolateLatin(UI.noArabic.ar)}</p>` : ''}${en}${notRun('en')}</div>` +
    (ar ? `<div class="lang-block" data-lang="ar">${ar}${notRun('ar')}</div>` : fallback ? `<div class="lang-block" data-lang="ar">${notRun('ar')}</div>` : '')
  )
}

const MUTANT_WORD: Record<MutantStatus | 'not-run', Record<Lang, string>> = {
  killed: { en: 'killed', ar: 'اتمسك (killed)' },
  survived: { en: 'survived', ar: 'عدّى (survived)' },
  stale: { en: 'stale (the patch no longer applies)', ar: 'قديم (stale): الـ patch مبقاش بيتطبق' },
  timeout: { en: 'timed out', ar: 'خد وقت أكتر من اللازم (timeout)' },
  error: { en: 'error', ar: 'error' },
  'not-run': { en: 'not run yet', ar: 'لسه متشغلش' },
}

function mutationHtml(b: BookBehavior, ran: boolean): string {
  const ms = b.mutants
  const lives = b.files.length ? `<p class="lives"><b>${t('lives')}:</b> ${b.files.map((f) => `<code dir="ltr">${h(f)}</code>`).join(' ')}</p>` : ''
  if (!ms.length) return `<p class="muted">${ran ? t('noMutant') : `${t('noMutationRun')} ${t('noMutant')}`}</p>`
  const counts = tally(ms)
  const summary = (Object.keys(counts) as (MutantStatus | 'not-run')[])
    .map((k) => `<span class="chip m-${k}">${counts[k]} ${both(MUTANT_WORD[k])}</span>`)
    .join(' ')
  const items = ms
    .map((m: MutantView) => {
      const k = m.status ?? 'not-run'
      const killed = m.killedBy
        ? `<div class="killed-by"><b>${t('killedBy')}:</b> <span dir="auto">${prose(m.killedBy.scenario ?? '')}</span>${m.killedBy.step ? ` · <span dir="auto">${prose(m.killedBy.step)}</span>` : ''}${m.killedBy.message ? `<pre dir="ltr">${h(m.killedBy.message)}</pre>` : ''}</div>`
        : ''
      return `<li class="mutant m-${k}" dir="ltr" lang="en"><span class="chip m-${k}">${both(MUTANT_WORD[k])}</span> <b>${h(m.claim ?? m.file)}</b>${m.bug ? `<div class="bug">${h(m.bug)}</div>` : ''}<div class="muted small"><code>${h(m.file)}</code>${m.layer ? ` · layer: ${h(m.layer)}` : ''}${m.weakSpot ? ` · weak spot: ${h(m.weakSpot)}` : ''}${m.touches.length ? ` · patches ${m.touches.map((f) => `<code>${h(f)}</code>`).join(', ')}` : ''}</div>${killed}</li>`
    })
    .join('')
  return `<p>${summary}${ran ? '' : ` <span class="muted">${t('noMutationRun')}</span>`}</p>${lives}<ul class="mutants">${items}</ul>`
}

/** One chip per profile that ran: its symbol, and (in full) the profile's name and status. */
function profileChips(b: BookBehavior, full: boolean): string {
  if (!b.results.length) return ''
  return b.results
    .map((r) => {
      const c = r.cell.status
      const title = `${r.profile}: ${CELL_WORD[c].en}`
      return full
        ? `<span class="chip ${c}" title="${h(title)}" dir="ltr">${SYMBOL[c]} ${h(r.profile)}</span>`
        : `<span class="sym ${c}" title="${h(title)}">${SYMBOL[c]}</span>`
    })
    .join(full ? ' ' : '')
}

function factsHtml(b: Behavior): string {
  const items = [
    b.behavior ? `<dt>${t('behavior')}</dt><dd dir="ltr" lang="en">${h(b.behavior)}</dd>` : '',
    b.observe ? `<dt>${t('observe')}</dt><dd dir="ltr" lang="en">${h(b.observe)}</dd>` : '',
    b.needs
      ? `<dt>${t('needs')}</dt><dd dir="ltr" lang="en">${h(
          Object.entries(b.needs)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
        )}</dd>`
      : '',
  ].join('')
  return items ? `<dl class="facts">${items}</dl>` : ''
}

function behaviorHtml(b: BookBehavior, file: (svg: string) => DiagramFile, ran: boolean): string {
  const x = b.behavior
  const noteAr = x.noteAr
    ? `<blockquote class="note note-ar" lang="ar" dir="rtl"><p class="label">${t('noteAr')}</p><p>${isolateLatin(x.noteAr)}</p></blockquote>`
    : ''
  const noteEn = `<blockquote class="note note-en" lang="en" dir="ltr"><p class="label">${t('noteEn')}</p><p>${h(x.note)}</p></blockquote>`
  return `<article class="behavior" id="${h(x.id)}">
<h3><a class="anchor" href="#${h(x.id)}" dir="ltr">${h(x.id)}</a> ${profileChips(b, true)}</h3>
<div class="notes">${noteAr}${noteEn}</div>
${factsHtml(x)}
<h4 class="part">${t('results')}</h4>
${resultsTable(b.results)}
<h4 class="part">${t('scenarios')}</h4>
${scenariosHtml(b, file)}
<h4 class="part">${t('mutation')}</h4>
${mutationHtml(b, ran)}
</article>`
}

function runsHtml(runs: readonly RunInfo[], book: Book): string {
  if (!runs.length) return `<p class="muted">${t('noRuns')}</p>`
  const rows = runs.map(
    (r) =>
      `<tr><td dir="ltr"><a href="../${h(r.profile)}/cucumber.html">${h(r.profile)}</a></td><td dir="ltr">${h(r.target ?? '—')}</td><td dir="ltr">${h(when(r.finishedAt))}</td><td dir="ltr">${r.scenarios} scenarios (${Object.entries(
        r.counts,
      )
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')})</td></tr>`,
  )
  const m = book.mutation.report
  const mutation = m
    ? `<p>${t('mutationRun')}: <span dir="ltr">${h(when(m.generatedAt))}, ${m.mutants.length} mutants${m.warnings.length ? `; ${m.warnings.length} entries unreadable` : ''}</span></p>`
    : `<p class="muted">${t('noMutationRun')}</p>`
  return `<table class="results"><thead><tr><th>${t('profile')}</th><th>${t('target')}</th><th>${t('finished')}</th><th>${t('scenarios')}</th></tr></thead><tbody>${rows.join('')}</tbody></table>${mutation}`
}

export interface PageOptions {
  /** Where each diagram's SVG is (a file beside the page). */
  diagramFile: (svg: string) => DiagramFile
  generatedAt?: string
  /** Stylesheet and script, linked (files beside the page). */
  css?: string
  js?: string
  /** Where the conformance matrix is, relative to the page. */
  matrixHref?: string
}

export function renderBook(book: Book, opts: PageOptions): string {
  const ran = book.mutation.report !== undefined
  const toc = book.sections
    .map(
      (s, i) =>
        `<li><a href="#ch-${h(s.slug)}"><span class="n">${i + 1}</span> <span dir="ltr">${h(s.name)}</span></a><ol>${s.behaviors.map((b) => `<li data-behavior="${h(b.behavior.id)}"><a href="#${h(b.behavior.id)}"><span class="syms" dir="ltr">${profileChips(b, false)}</span> <b dir="ltr">${h(b.behavior.id)}</b> <span data-lang="en" lang="en">${h(b.behavior.note)}</span><span data-lang="ar" lang="ar">${b.behavior.noteAr ? isolateLatin(b.behavior.noteAr) : h(b.behavior.note)}</span></a></li>`).join('')}</ol></li>`,
    )
    .join('')
  const chapters = book.sections
    .map(
      (s, i) =>
        `<section class="chapter" id="ch-${h(s.slug)}"><h2><span class="n">${t('chapter')} ${i + 1}</span> <span dir="ltr">${h(s.name)}</span></h2>${s.behaviors.map((b) => behaviorHtml(b, opts.diagramFile, ran)).join('\n')}</section>`,
    )
    .join('\n')
  const total = book.sections.reduce((n, s) => n + s.behaviors.length, 0)
  return `<!doctype html>
<html lang="en" dir="ltr" data-lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OCK: the course, as the kit ran it</title>
<link rel="stylesheet" href="${h(opts.css ?? 'book.css')}">
<script src="${h(opts.js ?? 'book.js')}"></script>
</head>
<body>
<header class="bar">
<span class="brand" dir="ltr">OCK</span>
<input type="search" id="search" autocomplete="off" aria-label="Search" data-placeholder-en="${h(UI.search.en)}" data-placeholder-ar="${h(UI.search.ar)}" placeholder="${h(UI.search.en)}">
<span class="count" id="count" aria-live="polite"><span id="count-n">${total}</span>/${total} ${t('shown')}</span>
<button type="button" id="lang" aria-label="Language"><span data-lang="en" lang="ar">${h(UI.switchTo.en)}</span><span data-lang="ar" lang="en">${h(UI.switchTo.ar)}</span></button>
</header>
<div class="page">
<div class="intro">
<h1>${t('title')}</h1>
<p class="lead">${t('lead')}</p>
${opts.matrixHref ? `<p><a href="${h(opts.matrixHref)}" dir="ltr">conformance matrix</a></p>` : ''}
<section class="runs"><h2 class="small-h">${t('runs')}</h2>${runsHtml(book.runs, book)}</section>
${opts.generatedAt ? `<p class="muted small">${t('generated')} <span dir="ltr">${h(opts.generatedAt)}</span></p>` : ''}
</div>
<nav class="toc" aria-label="Contents"><h2>${t('contents')}</h2><ol>${toc}</ol></nav>
<main>
<p class="no-match muted" id="no-match" hidden>${t('noMatch')}</p>
${chapters}
</main>
</div>
</body>
</html>
`
}
