import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { unescapeExtraKey } from './impersonation.js'

describe('Impersonate-Extra-<key> keys (upstream unescapeExtraKey)', () => {
  const cases: [string, string][] = [
    ['scopes', 'scopes'],
    ['example.com%2fteam', 'example.com/team'],
    ['%E6%97%A5', '日'],
    ['%zz', '%zz'],
    ['a%', 'a%'],
    ['%E0%A4%A', '%E0%A4%A'],
  ]
  for (const [sent, key] of cases) it(`${sent} -> ${key}`, () => assert.equal(unescapeExtraKey(sent), key))
})
