import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { featureWords, parseTerms, renderArabicGlossary, TERMS_PATH, uncoveredWords, type Term } from './terms.js'

const FEATURE = `# language: ar
@trace
خاصية: الـ pods بتشتغل
  "الـ Scheduler بيختار node"

  سيناريو: الـ pod "web" تبقى Running
    اذاً خلال 20 ثانية الـ pod "web" تبقى Running
      """yaml
      kind: Deployment
      """
      | الـ user اتعمله authentication |
      | user | verb |
`

describe('terms of the Arabic features', () => {
  it('reads English words from prose, names, steps and Arabic table cells only', () => {
    assert.deepEqual(
      featureWords(FEATURE).map((w) => `${w.line}:${w.word}`),
      // line 4 is a quotation from the notes (it starts with a quote): its words count
      ['3:pods', '4:scheduler', '4:node', '6:pod', '6:running', '7:pod', '7:running', '11:user', '11:authentication'],
    )
  })

  it('leaves out single-quoted strings and escaped quotes as Cucumber reads them, not apostrophes', () => {
    const feature = [
      `    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'User "alice" cannot list pods'`,
      `    اذاً الـ command فشل وقال "map[string]string{\\"app\\":\\"web\\"}: field is immutable"`,
      `  سيناريو: الـ kubectl's message`,
    ].join('\n')
    assert.deepEqual(
      featureWords(feature).map((w) => `${w.line}:${w.word}`),
      ['1:request', '1:forbidden', '1:message', '2:command', '3:kubectl', '3:s', '3:message'],
    )
  })

  it('says which words no term covers, and where', () => {
    const terms: Term[] = [
      { term: 'الـ pod / الـ pods', kubernetes: 'Pod' },
      { term: 'Running', kubernetes: 'status.phase' },
    ]
    assert.deepEqual(uncoveredWords([{ uri: 'f.feature', text: FEATURE }], terms), [
      'f.feature:4: scheduler',
      'f.feature:4: node',
      'f.feature:11: user',
      'f.feature:11: authentication',
    ])
  })

  it('renders terms with the phrasings that use them, phrasings side by side, right to left', () => {
    const md = renderArabicGlossary({
      terms: [
        { term: 'الـ pod', kubernetes: 'Pod (v1)' },
        { term: 'خلال', kubernetes: 'within' },
      ],
      phrasings: [
        {
          arabic: 'خلال {duration} الـ pod {string} تبقى Running',
          english: 'within {duration} the pod {string} is Running',
          uri: 'steps/pods.steps.ts',
          line: 36,
        },
      ],
      tracePhrases: { 'الـ user اتعمله authentication': 'the user is authenticated' },
    })
    assert.ok(md.includes('| <span dir="rtl">الـ pod</span> | Pod (v1) |  | [1](#p1) |'))
    assert.ok(md.includes('| <span dir="rtl">خلال</span> | within |  | [1](#p1) |'))
    assert.ok(
      md.includes(
        '| <a id="p1"></a>1 | <span dir="rtl">`خلال {duration} الـ pod {string} تبقى Running`</span> | `within {duration} the pod {string} is Running` | `steps/pods.steps.ts:36` |',
      ),
    )
    assert.ok(md.includes('| <a id="t1"></a>t1 | <span dir="rtl">الـ user اتعمله authentication</span> | the user is authenticated |'))
  })

  it(`${TERMS_PATH} covers every English word the Arabic features use`, () => {
    const files = readdirSync('features/ar', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.feature'))
    assert.ok(files.length > 0, 'no Arabic feature found under features/ar')
    const features = files.map((f) => ({ uri: join('features/ar', f), text: readFileSync(join('features/ar', f), 'utf8') }))
    const missing = uncoveredWords(features, parseTerms(readFileSync(TERMS_PATH, 'utf8')))
    assert.deepEqual(missing, [], `add these to ${TERMS_PATH} (then run \`npm run docs:steps\`):\n${missing.join('\n')}`)
  })
})
