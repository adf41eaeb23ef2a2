import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import { ServiceAccountTokens } from './serviceaccount.js'
import { parseTokenFile, TokenFileAuthenticator } from './tokenfile.js'

describe('static token file', () => {
  it('reads token,user,uid,"groups" lines and skips comments', () => {
    const tokens = parseTokenFile('# comment\nabc,alice,1,"dev,ops"\n\nxyz,bob,2\n')
    assert.deepEqual(tokens, [
      { token: 'abc', user: 'alice', uid: '1', groups: ['dev', 'ops'] },
      { token: 'xyz', user: 'bob', uid: '2', groups: [] },
    ])
    const a = new TokenFileAuthenticator(tokens)
    assert.equal(a.authenticateToken('abc')?.name, 'alice')
    assert.equal(a.authenticateToken('abd'), undefined)
  })
  it('refuses lines with fewer than 3 columns', () => {
    assert.throws(() => parseTokenFile('abc,alice\n', 'tokens.csv'), /must have at least 3 columns \(token, user name, user uid\), found 2/)
  })
})

describe('service account tokens', () => {
  const sa: KObject = { metadata: { name: 'builder', namespace: 'ci', uid: 'u-1' } }
  const lookup = (present: KObject | undefined) => ({ get: async () => present })

  it('issues a JWT that authenticates as the service account while it exists', async () => {
    const tokens = await ServiceAccountTokens.create()
    tokens.useLookup(lookup(sa))
    const { token } = await tokens.issue({ namespace: 'ci', name: 'builder', uid: 'u-1', audiences: tokens.apiAudiences, expirationSeconds: 3600 })
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    assert.equal(claims.sub, 'system:serviceaccount:ci:builder')
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'ci', serviceaccount: { name: 'builder', uid: 'u-1' } })
    const user = await tokens.authenticateToken(token)
    assert.equal(user?.name, 'system:serviceaccount:ci:builder')
    assert.deepEqual(user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:ci'])
    tokens.useLookup(lookup(undefined))
    assert.equal(await tokens.authenticateToken(token), undefined, 'a deleted service account')
    tokens.useLookup(lookup({ metadata: { ...sa.metadata, uid: 'u-2' } }))
    assert.equal(await tokens.authenticateToken(token), undefined, 'a recreated service account')
  })

  it('refuses tokens for other audiences, other keys, or tampered ones', async () => {
    const tokens = await ServiceAccountTokens.create()
    tokens.useLookup(lookup(sa))
    const other = await ServiceAccountTokens.create()
    const wrongAudience = (await tokens.issue({ namespace: 'ci', name: 'builder', uid: 'u-1', audiences: ['vault'], expirationSeconds: 3600 })).token
    const foreign = (await other.issue({ namespace: 'ci', name: 'builder', uid: 'u-1', audiences: other.apiAudiences, expirationSeconds: 3600 })).token
    const good = (await tokens.issue({ namespace: 'ci', name: 'builder', uid: 'u-1', audiences: tokens.apiAudiences, expirationSeconds: 3600 })).token
    const tampered = good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA')
    for (const t of [wrongAudience, foreign, tampered, 'not.a.jwt']) assert.equal(await tokens.authenticateToken(t), undefined)
  })

  it('keeps verifying with the same key after a restart', async () => {
    const first = await ServiceAccountTokens.create()
    const again = await ServiceAccountTokens.create({ keyPem: first.keyPem })
    again.useLookup(lookup(sa))
    const { token } = await first.issue({ namespace: 'ci', name: 'builder', uid: 'u-1', audiences: first.apiAudiences, expirationSeconds: 3600 })
    assert.equal((await again.authenticateToken(token))?.name, 'system:serviceaccount:ci:builder')
  })
})
