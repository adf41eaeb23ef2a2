import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { goQuote, invalidNameParameter, invalidNamespaceParameter, isValidPathSegmentName } from './path.js'

describe('path segment names', () => {
  const cases: [string, string[]][] = [
    ['web', []],
    ['.', ["may not be '.'"]],
    ['..', ["may not be '..'"]],
    ['...', []],
    ['a/b', ["may not contain '/'"]],
    ['a%b', ["may not contain '%'"]],
    ['%/', ["may not contain '/'", "may not contain '%'"]],
  ]
  for (const [name, want] of cases) it(`${JSON.stringify(name)} -> ${JSON.stringify(want)}`, () => assert.deepEqual(isValidPathSegmentName(name), want))

  it("answers a name parameter as the key functions do (400, upstream's wording)", () => {
    const e = invalidNameParameter('..')!
    assert.equal(e.code, 400)
    assert.equal(e.reason, 'BadRequest')
    assert.equal(e.message, `Name parameter invalid: "..": may not be '..'`)
    assert.equal(invalidNameParameter('%/')!.message, `Name parameter invalid: "%/": may not contain '/';may not contain '%'`)
    assert.equal(invalidNameParameter('web'), undefined)
  })

  it('refuses only "." and ".." as a namespace segment (storage keys cannot hold them)', () => {
    assert.equal(invalidNamespaceParameter('..')!.message, `Namespace parameter invalid: "..": may not be '..'`)
    assert.equal(invalidNamespaceParameter('.')!.code, 400)
    assert.equal(invalidNamespaceParameter('a%b'), undefined)
  })

  it("quotes as Go's %q", () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"')
    assert.equal(goQuote('\n\x01'), '"\\n\\x01"')
  })
})
