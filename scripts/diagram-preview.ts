// Draws the sequence diagram of a synthetic create-object trace (support/report/synthetic.ts)
// to reports/diagram-preview.svg, to look at the drawing without running a scenario:
//   npx tsx scripts/diagram-preview.ts [out.svg]

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { CREATE_OBJECT_STEPS } from '../support/report/annotations.js'
import { buildDiagram } from '../support/report/sequence.js'
import { renderSvg } from '../support/report/sequence-svg.js'
import { createObjectFlow } from '../support/report/synthetic.js'

const out = process.argv[2] ?? 'reports/diagram-preview.svg'
const diagram = buildDiagram(createObjectFlow('ock-abc123'), {
  namespace: 'ock-abc123',
  title: 'FLOW-09 (synthetic trace): creating a Deployment, from the request to running containers',
  steps: CREATE_OBJECT_STEPS,
})
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, renderSvg(diagram))
console.log(`${out}: ${diagram.messages.length} messages, ${diagram.lanes.length} lanes`)
