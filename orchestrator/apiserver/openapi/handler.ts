// GET /openapi/v2 and /openapi/v3[/<group version>], as kube-openapi's handlers answer them:
// v2 in JSON or, when the client asks for it, gnostic protobuf; an ETag (the SHA-512 of the
// document) on every answer and 304 Not Modified for a matching If-None-Match; a v3 document
// asked for with the root's `hash` is immutable for a year (Cache-Control: public, immutable),
// one asked for with a stale hash is redirected (301) to the current one.
// Simplifies: no gzip (the API server compresses nothing), no v3 protobuf (kubectl asks for JSON).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError } from '../../api/errors.js'
import { servedOpenApi } from './served.js'

/** The media types of gnostic's protobuf, the `@` form client-go sends and the older `.` form. */
export const V2_PROTOBUF = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf']

/** Answers an OpenAPI path; false when the path is not one (the caller then answers 404). */
export async function serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<boolean> {
  if (path === '/openapi/v2') {
    const specs = await servedOpenApi()
    const type = negotiate(String(req.headers.accept ?? ''))
    if (!type) throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, ${V2_PROTOBUF.join(', ')}`)
    if (type === 'application/json') return send(req, res, specs.v2.etag, specs.v2.bytes, type)
    // the `.` form: Go's mime.ParseMediaType, which client-go runs on every answer, refuses the `@`
    return send(req, res, specs.v2.etag, specs.v2Protobuf, V2_PROTOBUF[1]!)
  }
  if (path === '/openapi/v3') {
    const specs = await servedOpenApi()
    return send(req, res, specs.v3Root.etag, specs.v3Root.bytes, 'application/json')
  }
  const m = path.match(/^\/openapi\/v3\/(api\/[^/]+|apis\/[^/]+\/[^/]+)$/)
  if (!m) return false
  const specs = await servedOpenApi()
  const doc = specs.v3.get(m[1]!)
  if (!doc) return false
  const hash = query.get('hash')
  const headers: Record<string, string> = {}
  if (hash) {
    if (hash !== doc.etag) {
      res.writeHead(301, { Location: `/openapi/v3/${m[1]}?hash=${doc.etag}`, 'Content-Length': 0 })
      res.end()
      return true
    }
    headers.Vary = 'Accept'
    headers['Cache-Control'] = 'public, immutable'
    headers.Expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString()
  }
  return send(req, res, doc.etag, doc.bytes, 'application/json', headers)
}

/** The media type to answer /openapi/v2 in: the first of Accept's that is served (JSON when none is named). */
export function negotiate(accept: string): string | undefined {
  const types = accept
    .split(',')
    .map((t) => t.split(';')[0]!.trim().toLowerCase())
    .filter(Boolean)
  if (!types.length) return 'application/json'
  for (const t of types) {
    if (V2_PROTOBUF.includes(t)) return V2_PROTOBUF[0]
    if (t === 'application/json' || t === 'application/*' || t === '*/*') return 'application/json'
  }
  return undefined
}

function send(req: IncomingMessage, res: ServerResponse, docEtag: string, body: Buffer, type: string, extra: Record<string, string> = {}): true {
  const etag = `"${docEtag}"`
  const headers: Record<string, string | number> = { ETag: etag, Vary: 'Accept', 'Cache-Control': 'no-cache, private', ...extra }
  if (ifNoneMatch(req, etag)) {
    res.writeHead(304, headers)
    res.end()
    return true
  }
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length })
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}

function ifNoneMatch(req: IncomingMessage, etag: string): boolean {
  const h = req.headers['if-none-match']
  if (!h) return false
  return h.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '')
    return v === etag || v === '*'
  })
}
