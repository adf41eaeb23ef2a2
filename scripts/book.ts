// `npm run book`: builds reports/book/ (the course as a book, in Arabic and English, with each
// behavior's scenarios, last results, mutation proof and sequence diagrams) from the last runs'
// messages, the catalogue and the mutants, without running anything; then refreshes the
// conformance matrix so its behavior ids link to the book. Open reports/book/index.html.

import { writeBook } from '../support/report/book/build.js'

const s = await writeBook()
for (const w of s.warnings) console.warn(`book: ${w}`)
if (!s.profiles.length)
  console.log('book: no run found under reports/<profile>/messages.ndjson; run `npx cucumber-js` (or -p ci) first. The book lists the course without results.')
console.log(
  `book: ${s.index} (${s.behaviors} behaviors; ${s.scenarios.en} English and ${s.scenarios.ar} Arabic scenarios; ${s.diagrams} sequence diagrams; from ${s.profiles.join(', ') || 'no run'})`,
)
