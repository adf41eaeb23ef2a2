// Fixtures for the book's tests: Gherkin documents (as a run's messages carry them) and runs.

import { parseCatalogue } from '../catalogue.js'
import type { GherkinDocument, RunResult, ScenarioResult } from '../results.js'

/** Two sections; HEAL-03 has no scenario, ETCD-04 only an Arabic feature nobody ran. */
export const CATALOGUE = parseCatalogue(`
- {id: HEAL-01, section: Kubernetes features, note: "Self-healing through the readiness probe.", note_ar: "Self-Healing: عن طريق الـ Readiness Probe"}
- {id: HEAL-02, section: Kubernetes features, note: "Self-healing through the liveness probe.", note_ar: "Self-Healing: عن طريق الـ Liveness Probe", behavior: restarted after failureThreshold failures, needs: {runtime: docker}}
- {id: ETCD-04, section: etcd, note: "At least 3 etcd members."}
- {id: HEAL-03, section: Kubernetes features, note: "Replaced when deleted."}
`)

const loc = (line: number) => ({ line, column: 1 })
const row = (id: string, line: number, ...values: string[]) => ({ id, location: loc(line), cells: values.map((value) => ({ value })) })

/** An English feature with a Background, a plain scenario (doc string, table) and an outline inside a Rule. */
export const DOC: GherkinDocument = {
  uri: 'features/x/probes.feature',
  feature: {
    location: loc(2),
    language: 'en',
    keyword: 'Feature',
    name: 'Probes',
    description: '  The kubelet probes every container.\n',
    tags: [{ name: '@docker' }],
    children: [
      {
        background: {
          id: 'bg',
          location: loc(5),
          keyword: 'Background',
          name: '',
          steps: [{ id: 'b1', location: loc(6), keyword: 'Given ', text: 'a cluster with 1 node' }],
        },
      },
      {
        scenario: {
          id: 's1',
          location: loc(9),
          keyword: 'Scenario',
          name: 'liveness restarts',
          tags: [{ name: '@HEAL-02' }],
          steps: [
            {
              id: 'st1',
              location: loc(10),
              keyword: 'Given ',
              text: 'I apply the manifest:',
              docString: { content: 'kind: Pod\n\nmetadata: {name: web}', delimiter: '"""' },
            },
            {
              id: 'st2',
              location: loc(15),
              keyword: 'Then ',
              text: 'the pod has:',
              dataTable: { rows: [row('r1', 16, 'restarts', '1'), row('r2', 17, 'phase', 'Running')] },
            },
          ],
          examples: [],
        },
      },
      {
        rule: {
          id: 'rule',
          keyword: 'Rule',
          name: 'outlines',
          tags: [{ name: '@config' }],
          children: [
            {
              scenario: {
                id: 's2',
                location: loc(21),
                keyword: 'Scenario Outline',
                name: 'by <kind>',
                tags: [],
                steps: [{ id: 'st3', location: loc(22), keyword: 'When ', text: 'I probe by <kind>' }],
                examples: [
                  {
                    id: 'e1',
                    location: loc(24),
                    keyword: 'Examples',
                    name: '',
                    tags: [],
                    tableHeader: row('h', 25, 'kind'),
                    tableBody: [row('x1', 26, 'http'), row('x2', 27, 'exec')],
                  },
                ],
              },
            },
          ],
        },
      },
    ],
  },
}

/** Its Arabic edition: the plain scenario only (same tags, same path below features/ar/). */
export const DOC_AR: GherkinDocument = {
  uri: 'features/ar/x/probes.feature',
  feature: {
    location: loc(2),
    language: 'ar',
    keyword: 'خاصية',
    name: 'الـ probes',
    tags: [{ name: '@docker' }],
    children: [
      {
        scenario: {
          id: 'a1',
          location: loc(5),
          keyword: 'سيناريو',
          name: 'الـ liveness probe بتعمل restart',
          tags: [{ name: '@HEAL-02' }],
          steps: [{ id: 'as1', location: loc(6), keyword: 'بفرض ', text: 'cluster فيه 1 node' }],
          examples: [],
        },
      },
    ],
  },
}

/** A pickle's result, as RunCollector gives it. */
export function pickle(
  id: string,
  uri: string,
  line: number,
  astNodeIds: string[],
  tags: string[],
  status: ScenarioResult['status'],
  svg?: string,
  language = 'en',
): ScenarioResult {
  return {
    pickleId: id,
    name: `${id} name`,
    uri,
    line,
    tags,
    status,
    reasons: status === 'passed' ? [] : [`${status}: because`],
    astNodeIds,
    language,
    attachments: svg ? [{ mediaType: 'image/svg+xml', body: svg }] : [],
  }
}

const HEAL = ['@docker', '@HEAL-02']
const OUTLINE = ['@docker', '@config', '@HEAL-01']

/** The ci run: both languages, with diagrams; the outline's second example fails. */
export const CI: RunResult = {
  profile: 'ci',
  finishedAt: '2026-12-05T08:55:41.000Z',
  documents: [DOC, DOC_AR],
  scenarios: [
    pickle('p1', DOC.uri!, 9, ['s1'], HEAL, 'passed', '<svg width="300" height="120">ci s1</svg>'),
    pickle('p2', DOC.uri!, 26, ['s2', 'x1'], OUTLINE, 'passed', '<svg width="300" height="120">ci http</svg>'),
    pickle('p3', DOC.uri!, 27, ['s2', 'x2'], OUTLINE, 'failed', '<svg width="300" height="120">ci exec</svg>'),
    pickle('p4', DOC_AR.uri!, 5, ['a1'], HEAL, 'passed', '<svg width="300" height="120">ci ar</svg>', 'ar'),
  ],
}

/** An older default run: its diagram of s1 is not the one the book shows. */
export const DEFAULT: RunResult = {
  profile: 'default',
  finishedAt: '2026-12-04T10:00:00.000Z',
  documents: [DOC],
  scenarios: [pickle('q1', DOC.uri!, 9, ['s1'], HEAL, 'passed', '<svg>old</svg>')],
}

/** The cluster run: no trace (no diagrams), real-container scenarios skipped. */
export const CLUSTER: RunResult = {
  profile: 'cluster',
  finishedAt: '2026-12-05T08:56:30.000Z',
  documents: [DOC],
  scenarios: [pickle('c1', DOC.uri!, 9, ['s1'], HEAL, 'skipped')],
}
