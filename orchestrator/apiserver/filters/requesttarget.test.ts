import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MalformedRequestTarget, parseRequestTarget, unescapePath } from './requesttarget.js'

describe('request target', () => {
  // raw request target -> decoded path and raw query, as Go's url.ParseRequestURI gives them
  const accepted: [string, string, string][] = [
    ['/api/v1/namespaces', '/api/v1/namespaces', ''],
    ['//', '//', ''],
    ['//:x', '//:x', ''],
    ['/api/v1/namespaces/fuzz/pods/%2e%2e', '/api/v1/namespaces/fuzz/pods/..', ''],
    ['/api/v1/namespaces/../pods', '/api/v1/namespaces/../pods', ''],
    ['/a/./b/', '/a/./b/', ''],
    ['/a%2Fb', '/a/b', ''],
    ['/a%25b', '/a%b', ''],
    ['/p?watch=1&labelSelector=a%3Db', '/p', 'watch=1&labelSelector=a%3Db'],
    ['/p?', '/p', ''],
    ['https://example.com/api/v1?x=1', '/api/v1', 'x=1'],
    ['http://host', '/', ''],
    ['*', '*', ''],
    ['/%E0%A4', '/\ufffd', ''], // a valid escape of bytes that are not UTF-8: decoded, never thrown
  ]
  for (const [raw, path, query] of accepted) {
    it(`reads ${JSON.stringify(raw)} as ${JSON.stringify(path)}`, () => {
      const t = parseRequestTarget(raw)
      assert.equal(t.path, path)
      assert.equal(t.search, raw.includes('?') ? `?${query}` : '')
    })
  }

  // what Go's server refuses with a plain-text 400 before any handler
  const refused: [string, RegExp][] = [
    ['/%zz', /invalid URL escape "%zz"/],
    ['/api/v1/namespaces/%E0%A4%A/pods', /invalid URL escape "%A\/"/],
    ['/%', /invalid URL escape "%"/],
    ['/%4', /invalid URL escape "%4"/],
    ['', /empty url/],
    ['api/v1', /invalid URI for request/],
    ['/a\x00b', /invalid control character/],
    ['/a\x7fb', /invalid control character/],
    [':foo', /missing protocol scheme/],
    ['http://host:port/', /invalid port/],
  ]
  for (const [raw, why] of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      assert.throws(
        () => parseRequestTarget(raw),
        (e: unknown) => e instanceof MalformedRequestTarget && why.test(e.message),
      )
    })
  }

  it('reads the query as Go does: + is a space, undecodable pairs are dropped', () => {
    const q = parseRequestTarget('/p?a=b+c&bad=%zz&ok=%41&semi=1;2&x').query
    assert.equal(q.get('a'), 'b c')
    assert.equal(q.get('bad'), null)
    assert.equal(q.get('ok'), 'A')
    assert.equal(q.get('semi'), null)
    assert.equal(q.get('x'), '')
  })

  it('decodes multi-byte escapes as UTF-8', () => assert.equal(unescapePath('/%C3%A9'), '/é'))
})
