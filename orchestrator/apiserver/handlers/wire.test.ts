// What goes over the wire, as a client that is not ours sees it (the official Python client
// sends `watch=True`, `allowWatchBookmarks=True`): booleans read as upstream's conversion reads
// them, and every JSON answer in the bytes upstream's serializer writes (a Status in
// metav1.Status's field order, a trailing newline counted in Content-Length).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http2 from 'node:http2'
import { Identities } from '../../pki/pki.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'

let t: TestApiServer
let creds: { ca: string; cert: string; key: string }

interface Answer {
  code: number
  headers: Record<string, string>
  body: string
}

/** One HTTP/2 request; `until` ends a stream (a watch) once the text so far satisfies it. */
function request(method: string, path: string, body?: string, until?: (text: string) => boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(t.server.url, creds)
    session.on('error', reject)
    const req = session.request({ ':method': method, ':path': path, ...(body ? { 'content-type': 'application/json' } : {}) })
    let code = 0
    const headers: Record<string, string> = {}
    req.on('response', (h) => {
      code = Number(h[':status'])
      for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) headers[k] = String(v)
    })
    let text = ''
    const done = (): void => {
      session.close()
      resolve({ code, headers, body: text })
    }
    req.setEncoding('utf8')
    req.on('data', (d: string) => {
      text += d
      if (until?.(text)) {
        req.close()
        done()
      }
    })
    req.on('end', done)
    req.on('error', reject)
    req.end(body)
  })
}

const cm = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } })
const CMS = '/api/v1/namespaces/default/configmaps'

before(async () => {
  t = await startTestApiServer({ bookmarkIntervalMs: 50 })
  const cert = await t.ca.issue({ ...Identities.admin, usage: 'client' })
  creds = { ca: t.ca.certPem, cert: cert.certPem, key: cert.keyPem }
})
after(() => t.stop())

describe('Status bodies on the wire', () => {
  it('answers 404 and 409 with the exact bytes of upstream, newline and Content-Length included', async () => {
    const table: [string, string, string | undefined, number, string][] = [
      [
        'GET',
        `${CMS}/nope`,
        undefined,
        404,
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n',
      ],
      ['POST', CMS, cm('twice'), 201, ''],
      [
        'POST',
        CMS,
        cm('twice'),
        409,
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"twice\\" already exists","reason":"AlreadyExists","details":{"name":"twice","kind":"configmaps"},"code":409}\n',
      ],
    ]
    for (const [method, path, body, code, want] of table) {
      const a = await request(method, path, body)
      assert.equal(a.code, code, a.body)
      if (want) assert.equal(a.body, want)
      assert.equal(Number(a.headers['content-length']), Buffer.byteLength(a.body))
    }
  })

  it('answers 422 with every cause, in metav1.Status and StatusCause field order', async () => {
    const a = await request('POST', CMS, cm('Bad_Name'))
    assert.equal(a.code, 422)
    assert.ok(a.body.endsWith('}\n'), a.body)
    const s = JSON.parse(a.body) as { details: { causes: object[] } }
    assert.deepEqual(Object.keys(s), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'])
    assert.deepEqual(Object.keys(s.details), ['name', 'kind', 'causes'])
    for (const c of s.details.causes) assert.deepEqual(Object.keys(c), ['reason', 'message', 'field'])
  })
})

describe('other JSON answers on the wire', () => {
  it('ends objects, lists and discovery documents with the json.Encoder newline, counted in Content-Length', async () => {
    for (const [method, path, body] of [
      ['POST', CMS, cm('one')],
      ['GET', `${CMS}/one`],
      ['GET', CMS],
      ['GET', '/api/v1'],
      ['GET', '/apis'],
    ] as const) {
      const a = await request(method, path, body)
      assert.ok(a.code < 300, `${a.code} ${a.body}`)
      assert.ok(a.body.endsWith('}\n') && !a.body.endsWith('\n\n'), `${method} ${path}: ${JSON.stringify(a.body.slice(-20))}`)
      assert.equal(Number(a.headers['content-length']), Buffer.byteLength(a.body))
    }
  })

  it('writes /version as WriteRawJSON does: indented, no newline', async () => {
    const a = await request('GET', '/version')
    assert.match(a.body, /^\{\n {2}"major": "\d+",\n/)
    assert.ok(a.body.endsWith('\n}'), JSON.stringify(a.body.slice(-10)))
  })
})

describe('boolean query parameters on the wire', () => {
  it("opens a watch for the Python client's watch=True and sends BOOKMARKs for allowWatchBookmarks=True", async () => {
    await request('POST', CMS, cm('watched'))
    const a = await request('GET', `${CMS}?watch=True&allowWatchBookmarks=True`, undefined, (text) => text.includes('"BOOKMARK"'))
    assert.equal(a.code, 200)
    const events = a.body
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { type: string; object: { metadata: { name?: string } } }).type)
    assert.ok(events.includes('ADDED'), a.body)
    assert.ok(events.includes('BOOKMARK'), a.body)
  })

  it('lists for watch=False and watch=0, and gets a named object even with watch=True', async () => {
    for (const q of ['watch=False', 'watch=0', 'watch=FALSE']) {
      const a = await request('GET', `${CMS}?${q}`)
      assert.equal((JSON.parse(a.body) as { kind: string }).kind, 'ConfigMapList', q)
    }
    const one = await request('GET', `${CMS}/one?watch=True`)
    assert.equal((JSON.parse(one.body) as { kind: string }).kind, 'ConfigMap')
  })
})
