import { test } from 'node:test'
import assert from 'node:assert/strict'
import { answeringPod, endpointsView, parseServiceName } from './services.js'

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

test('which pod answered, from the test app page', () => {
  assert.equal(answeringPod('pod=web-1 namespace=shop ip=127.3.0.2 version=1\n'), 'web-1')
  assert.equal(answeringPod('<html>nginx</html>'), undefined)
})

test('an Endpoints object as ready and not-ready pod uids and port names', () => {
  assert.deepEqual(endpointsView(undefined), { ready: [], notReady: [], portNames: [] })
  const view = endpointsView({
    subsets: [
      {
        addresses: [
          { ip: '127.3.0.3', targetRef: { uid: 'b' } },
          { ip: '127.3.0.2', targetRef: { uid: 'a' } },
        ],
        notReadyAddresses: [{ ip: '127.3.1.2', targetRef: { uid: 'c' } }],
        ports: [{ name: 'http', port: 8080 }],
      },
      {
        addresses: [{ ip: '127.3.1.3', targetRef: { uid: 'd' } }],
        ports: [
          { name: 'http', port: 8080 },
          { name: 'admin', port: 9090 },
        ],
      },
    ],
  })
  assert.deepEqual(view, { ready: ['a', 'b', 'd'], notReady: ['c'], portNames: ['admin', 'http'] })
})
