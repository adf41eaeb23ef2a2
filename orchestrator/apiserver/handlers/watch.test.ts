// A watcher that never reads: the server keeps at most watchBufferBytes of its output, then ends
// the watch (upstream's cacheWatcher closes a watcher that cannot keep up) instead of buffering
// every later event in memory. A watcher that reads keeps its stream.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import tls from 'node:tls'
import { Identities } from '../../pki/pki.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'

const LIMIT = 64 * 1024

describe('a watch whose client does not read', () => {
  let t: TestApiServer
  let creds: tls.ConnectionOptions

  before(async () => {
    t = await startTestApiServer({ watchBufferBytes: LIMIT })
    const cert = await t.ca.issue({ ...Identities.admin, usage: 'client' })
    creds = { ca: t.ca.certPem, cert: cert.certPem, key: cert.keyPem }
  })
  after(() => t.stop())

  function openWatch(read: boolean): { socket: tls.TLSSocket; closed: Promise<void>; bytes: () => number; readAgain: () => void } {
    let bytes = 0
    let stalled = !read
    const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(t.server.url).port), ...creds, ALPNProtocols: ['http/1.1'] }, () => {
      socket.write('GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: apiserver\r\n\r\n')
    })
    socket.on('data', (c: Buffer) => {
      bytes += c.length
      if (stalled) socket.pause()
    })
    socket.on('error', () => undefined)
    const readAgain = (): void => {
      stalled = false
      socket.resume()
    }
    return { socket, closed: new Promise((r) => socket.once('close', () => r())), bytes: () => bytes, readAgain }
  }

  it('is ended by the server once its unread output passes the limit; a reading watcher is not', async () => {
    const stalled = openWatch(false)
    const reading = openWatch(true)
    const terminated = (): boolean => t.server.trace.since(0, 100_000).entries.some((e) => e.event === 'TERMINATED')
    // more than the socket buffers and the limit can hold: 16 KiB objects until the server gives up
    for (let i = 0; i < 2000 && !terminated(); i++) {
      await t.admin.request('POST', '/api/v1/namespaces/default/configmaps', {
        body: JSON.stringify({ metadata: { name: `cm-${i}` }, data: { blob: 'x'.repeat(16 * 1024) } }),
      })
    }
    assert.ok(terminated(), 'the server never ended the watch of a client that does not read')
    const entries = t.server.trace.since(0, 100_000).entries.filter((e) => e.event === 'TERMINATED')
    assert.equal(entries.length, 1, 'only the watcher that does not read is ended')
    assert.equal(entries[0]!.message, 'forcing watcher close due to unresponsiveness')
    // the stalled client, once it reads again, finds its connection closed
    stalled.readAgain()
    await stalled.closed
    assert.ok(!reading.socket.destroyed, 'the reading watcher keeps its stream')
    reading.socket.destroy()
  })
})
