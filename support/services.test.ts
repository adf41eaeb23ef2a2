import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseServiceName } from './services.js'

test('Service names as cluster DNS spells them', () => {
  const table: [string, ReturnType<typeof parseServiceName>][] = [
    ['web', { name: 'web', namespace: 'ock-1' }],
    ['web.shop', { name: 'web', namespace: 'shop' }],
    ['web.shop.svc', { name: 'web', namespace: 'shop' }],
    ['web.shop.svc.cluster.local', { name: 'web', namespace: 'shop' }],
    ['web.shop.svc.cluster.local.', { name: 'web', namespace: 'shop' }],
    ['web.shop.pod', undefined],
    ['web.shop.svc.example.com', undefined],
    ['Web', undefined],
    ['127.0.0.1', undefined],
  ]
  for (const [host, want] of table) assert.deepEqual(parseServiceName(host, 'ock-1'), want, host)
})
