import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import { decodeJson, decodeObjectBody, decodePatch, decodeYaml, jsonNestingError, summarizeData, yamlNestingError } from './decode.js'

const deepJson = (n: number, open = '{"a":', close = '}'): string => open.repeat(n) + '1' + close.repeat(n)

function rejects(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === message)
}

describe('nesting limit of request bodies', () => {
  // text, limit -> Go's scanner verdict (encoding/json maxNestingDepth, pushParseState)
  const json: [string, string, number, string | undefined][] = [
    ['an object at the limit', deepJson(5), 5, undefined],
    ['an object past the limit', deepJson(6), 5, "invalid character '{' exceeded max depth"],
    ['an array past the limit', deepJson(6, '[', ']'), 5, "invalid character '[' exceeded max depth"],
    ['brackets inside strings', `{"a":"${'{'.repeat(50)}"}`, 5, undefined],
    ['escaped quotes inside strings', `{"a":"\\"${'['.repeat(50)}"}`, 5, undefined],
    ['upstream default, 10,000 deep', deepJson(10_000), 10_000, undefined],
    ['upstream default, 10,001 deep', deepJson(10_001), 10_000, "invalid character '{' exceeded max depth"],
  ]
  for (const [name, text, limit, want] of json) it(`JSON: ${name}`, () => assert.equal(jsonNestingError(text, limit), want))

  const yaml: [string, string, number, string | undefined][] = [
    ['flow mappings at the limit', '{a: '.repeat(5) + '1' + '}'.repeat(5), 5, undefined],
    ['flow mappings past the limit', '{a: '.repeat(6) + '1' + '}'.repeat(6), 5, 'yaml: exceeded max depth of 5'],
    ['compact block sequences past the limit', '- '.repeat(6) + 'x', 5, 'yaml: exceeded max depth of 5'],
    ['compact block sequences at the limit', '- '.repeat(5) + 'x', 5, undefined],
    [
      'indented mappings past the limit',
      Array.from({ length: 6 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1',
      5,
      'yaml: line 6: exceeded max depth of 5',
    ],
    ['a wide document', Array.from({ length: 50 }, (_, i) => `k${i}: [1, 2]`).join('\n'), 5, undefined],
    ['brackets in quoted scalars and comments', `a: "${'['.repeat(20)}"\nb: '${'{'.repeat(20)}' # ${'['.repeat(20)}`, 5, undefined],
    ['a 10,001-deep flow document', '['.repeat(10_001) + ']'.repeat(10_001), 10_000, 'yaml: exceeded max depth of 10000'],
  ]
  for (const [name, text, limit, want] of yaml) it(`YAML: ${name}`, () => assert.equal(yamlNestingError(text, limit), want))

  it("answers each body kind with upstream's wording, as a 400", () => {
    const deep = deepJson(10_001)
    rejects(() => decodeJson(deep), "couldn't get version/kind; json parse error: invalid character '{' exceeded max depth")
    rejects(() => decodePatch('application/merge-patch+json', deep), "error decoding patch: invalid character '{' exceeded max depth")
    rejects(() => decodePatch('application/strategic-merge-patch+json', deep), "invalid character '{' exceeded max depth")
    rejects(() => decodePatch('application/json-patch+json', `[{"op":"add","path":"/a","value":${deep}}]`), "invalid character '{' exceeded max depth")
    rejects(
      () => decodePatch('application/apply-patch+yaml', '- '.repeat(10_001) + 'x'),
      'error decoding YAML: error converting YAML to JSON: yaml: exceeded max depth of 10000',
    )
    rejects(() => decodeYaml('{a: '.repeat(10_001)), 'error converting YAML to JSON: yaml: exceeded max depth of 10000')
  })

  it('decodes what is within the limit', () => {
    assert.deepEqual(decodeJson('{"a":[1,{"b":2}]}'), { a: [1, { b: 2 }] })
    assert.deepEqual(decodeYaml('a:\n  - 1\n  - {b: 2}\n'), { a: [1, { b: 2 }] })
    assert.equal((decodeJson(deepJson(10_000)) as { a: unknown }).a !== undefined, true)
  })
})

describe('a create or update body that does not decode (transformDecodeError)', () => {
  // body -> upstream's summarizeData(body, 30): object bodies as text, anything else as hex
  const summaries: [string, string, string][] = [
    ['an empty body', '', '<empty>'],
    ['a short object', '{"a":1', '{"a":1'],
    ['a long object', `{"a":"${'x'.repeat(40)}"}`, '{"a":"xxxxxxxxxxxxxxxxxxxxxxxx ...'],
    ['YAML', 'a: [', '613a205b'],
  ]
  for (const [name, body, want] of summaries) it(`summarizes ${name}`, () => assert.equal(summarizeData(Buffer.from(body)), want))

  it('names the kind it expected and the start of the body', () => {
    rejects(
      () => decodeObjectBody('json', '{"a":', 'ConfigMap'),
      `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: ${(() => {
        try {
          JSON.parse('{"a":')
        } catch (e) {
          return (e as Error).message
        }
      })()} ({"a":)`,
    )
    const list = '- '.repeat(6) + 'x'
    rejects(
      () => decodeObjectBody('yaml', list, 'Pod', 5),
      `the object provided is unrecognized (must be of type Pod): error converting YAML to JSON: yaml: exceeded max depth of 5 (${Buffer.from(list).toString('hex')})`,
    )
    assert.deepEqual(decodeObjectBody('json', '{"a":1}', 'ConfigMap'), { a: 1 })
  })
})
