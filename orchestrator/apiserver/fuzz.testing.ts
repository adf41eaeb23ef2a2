// What the API server's fuzzers share (fuzz.test.ts: manifests; httpfuzz.test.ts and `npm run
// fuzz`: raw HTTP; bench/soak.ts: a slice of the same requests): a real API server on a fresh CA
// and a memory store the fuzzer owns, three callers (the admin certificate, no credentials at
// all, a low-privilege bearer token), two ways to reach it (raw bytes over a TLS socket speaking
// HTTP/1.1, so a malformed request line or header reaches the server as sent; HTTP/2 with a raw
// :path, where a method no HTTP/1 parser knows reaches the handlers), and the property every
// answer must have:
//   - an answer, never a dropped connection, and never a 5xx;
//   - a 4xx is a Status whose code is the HTTP code, except where Go's HTTP layer answers before
//     kube-apiserver's handlers (a request it cannot parse): then "<code> <text>" in plain text;
//   - a request that was not accepted (not 2xx) leaves the store's revision where it was, and so
//     does a read;
//   - no guarded rejection and no 500 incident (host/guard.ts) while it ran.
// Between batches `StoreLedger` compares a full dump of the store (read from the store directly)
// with what the accepted requests' answers said was written.
// For tests and benchmarks only; not used by the orchestrator.
// Over 400 lines: the manifest generators and the ledger that checks the store between batches are
// test support shared by three runners.

import assert from 'node:assert/strict'
import http2 from 'node:http2'
import https from 'node:https'
import fc from 'fast-check'
import tls from 'node:tls'
import { isDeepStrictEqual } from 'node:util'
import { lookupKind, lookupResource, parseApiVersion, storageKey, storagePrefix } from '../api/resources.js'
import { describeIncident, incidentCursor, incidentsSince, installProcessGuard } from '../host/guard.js'
import { createCertificateAuthority, Identities, type CertificateAuthority } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import { X509Authenticator } from './auth.js'
import { BearerTokenAuthenticator } from './authn/bearer.js'
import { TokenFileAuthenticator } from './authn/tokenfile.js'
import { parseRequestTarget } from './filters/requesttarget.js'
import { requestInfo } from './filters/requestinfo.js'
import { IP_PREFIX } from './registry/ipallocator.js'
import { ApiServer, type ApiServerOptions } from './server.js'

/** Who sends a request. */
export type Caller = 'admin' | 'anonymous' | 'lowPrivilege'
export const CALLERS: readonly Caller[] = ['admin', 'anonymous', 'lowPrivilege']

/** The bearer token of the low-privilege caller: it may read and create ConfigMaps in `fz`, nothing else. */
export const LOW_PRIVILEGE_TOKEN = 'fuzz-low-privilege-token'
/** The namespaces the fuzzer's objects live in (created at start). */
export const FUZZ_NAMESPACES = ['fz', 'fz2'] as const

export interface Answer {
  /** 0 when the connection ended without a complete answer. */
  code: number
  headers: Record<string, string>
  text: string
  /** Over HTTP/1.1: the connection was closed by the server after this answer. */
  closed?: boolean
}

export interface FuzzTarget {
  server: ApiServer
  store: MemoryStore
  ca: CertificateAuthority
  port: number
  /** TLS options of each caller (CA, and a client certificate for the admin). */
  tls: Record<Caller, tls.ConnectionOptions>
  /** An https.Agent for each caller (keep-alive), for clients that send well-formed requests. */
  agents: Record<Caller, https.Agent>
  /** Headers a caller adds to every request (the low-privilege caller's Authorization). */
  auth: Record<Caller, Record<string, string>>
  stop(): Promise<void>
}

/** The limits the fuzz server runs with: upstream's, except bodies and headers small enough to hit often. */
export const FUZZ_LIMITS = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 256 * 1024 } satisfies Partial<ApiServerOptions>

/** Starts an API server on a fresh CA and memory store, with the fuzzer's callers and namespaces. */
export async function startFuzzTarget(opts: Partial<Omit<ApiServerOptions, 'store' | 'caPem' | 'serving'>> = {}): Promise<FuzzTarget> {
  const ca = await createCertificateAuthority()
  const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
  const store = new MemoryStore()
  const tokens = new TokenFileAuthenticator([{ token: LOW_PRIVILEGE_TOKEN, user: 'fuzz-low', uid: 'fuzz-low', groups: [] }])
  const server = new ApiServer({
    ...FUZZ_LIMITS,
    trace: { capacity: 2_000 },
    ...opts,
    authenticators: [new X509Authenticator(), new BearerTokenAuthenticator([tokens])],
    store,
    caPem: ca.certPem,
    serving,
  })
  await server.start()
  const port = Number(new URL(server.url).port)
  const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
  const tlsOf: Record<Caller, tls.ConnectionOptions> = {
    admin: { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem },
    anonymous: { ca: ca.certPem },
    lowPrivilege: { ca: ca.certPem },
  }
  const agents = Object.fromEntries(CALLERS.map((c) => [c, new https.Agent({ ...tlsOf[c], keepAlive: true, maxSockets: 4 } as https.AgentOptions)])) as Record<
    Caller,
    https.Agent
  >
  const auth: Record<Caller, Record<string, string>> = { admin: {}, anonymous: {}, lowPrivilege: { Authorization: `Bearer ${LOW_PRIVILEGE_TOKEN}` } }
  const target: FuzzTarget = {
    server,
    store,
    ca,
    port,
    tls: tlsOf,
    agents,
    auth,
    stop: async () => {
      for (const a of Object.values(agents)) a.destroy()
      await server.stop()
    },
  }
  const setup: [string, object][] = [
    ...FUZZ_NAMESPACES.map((name): [string, object] => ['/api/v1/namespaces', { metadata: { name } }]),
    ...['default', ...FUZZ_NAMESPACES].map((ns): [string, object] => [`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'default' } }]),
    [
      '/apis/rbac.authorization.k8s.io/v1/namespaces/fz/roles',
      { metadata: { name: 'fuzz-low' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create'] }] },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/namespaces/fz/rolebindings',
      {
        metadata: { name: 'fuzz-low' },
        subjects: [{ kind: 'User', name: 'fuzz-low' }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'fuzz-low' },
      },
    ],
  ]
  for (const [path, body] of setup) {
    const a = await httpsRequest(target, 'admin', 'POST', path, JSON.stringify(body), 'application/json')
    assert.ok(a.code === 201 || a.code === 409, `setup ${path}: ${a.code} ${a.text}`)
  }
  return target
}

/** A well-formed request through node:https (what a careful client sends). */
export function httpsRequest(t: FuzzTarget, caller: Caller, method: string, path: string, body?: string | Buffer, contentType?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: 'application/json', ...t.auth[caller] }
    if (body !== undefined) {
      headers['Content-Length'] = Buffer.byteLength(body)
      if (contentType) headers['Content-Type'] = contentType
    }
    const req = https.request({ method, hostname: '127.0.0.1', port: t.port, path, agent: t.agents[caller], headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: flatHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

function flatHeaders(h: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !k.startsWith(':')) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
  return out
}

// ---------------------------------------------------------------------------------------------
// raw HTTP/1.1 over TLS, one request at a time per connection, kept alive while the server keeps it

const CRLF2 = Buffer.from('\r\n\r\n')

class RawConnection {
  private buf: Buffer = Buffer.alloc(0)
  private ended = false
  private wake?: () => void
  readonly socket: tls.TLSSocket
  readonly ready: Promise<void>

  constructor(port: number, opts: tls.ConnectionOptions) {
    this.socket = tls.connect({ host: '127.0.0.1', port, ...opts, ALPNProtocols: ['http/1.1'] })
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('secureConnect', () => resolve())
      this.socket.once('error', reject)
    })
    this.socket.on('data', (c: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c
      this.wake?.()
    })
    this.socket.on('error', () => undefined)
    this.socket.on('close', () => {
      this.ended = true
      this.wake?.()
    })
  }

  get usable(): boolean {
    return !this.ended && !this.socket.destroyed
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false
    await new Promise<void>((r) => (this.wake = r))
    this.wake = undefined
    return true
  }

  private async take(n: number): Promise<Buffer | undefined> {
    while (this.buf.length < n) if (!(await this.more())) return undefined
    const out = this.buf.subarray(0, n)
    this.buf = this.buf.subarray(n)
    return out
  }

  private async line(): Promise<string | undefined> {
    for (;;) {
      const i = this.buf.indexOf('\r\n')
      if (i >= 0) return (await this.take(i + 2))!.subarray(0, i).toString('latin1')
      if (!(await this.more())) return undefined
    }
  }

  /** Sends `raw` and reads one answer. A 200 chunked stream (a watch) is cut after its headers. */
  async exchange(raw: Buffer, head: boolean): Promise<Answer> {
    this.socket.write(raw)
    for (;;) {
      let at: number
      while ((at = this.buf.indexOf(CRLF2)) < 0) {
        if (!(await this.more())) return { code: 0, headers: {}, text: this.buf.toString('latin1'), closed: true }
      }
      const block = (await this.take(at + 4))!.subarray(0, at).toString('latin1').split('\r\n')
      const statusLine = block[0]!
      const code = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
      const headers: Record<string, string> = {}
      for (const l of block.slice(1)) {
        const c = l.indexOf(':')
        const k = l.slice(0, c).trim().toLowerCase()
        headers[k] = headers[k] ? `${headers[k]}, ${l.slice(c + 1).trim()}` : l.slice(c + 1).trim()
      }
      if (code >= 100 && code < 200) continue
      const closing = /close/i.test(headers.connection ?? '') || statusLine.startsWith('HTTP/1.0')
      let text = ''
      // a stream (a watch, HEAD or GET) never ends: its status is the answer, the connection goes
      if (code === 200 && headers['content-length'] === undefined && (head || /chunked/i.test(headers['transfer-encoding'] ?? ''))) {
        this.socket.destroy()
        return { code, headers, text: '', closed: true }
      }
      if (head || code === 204 || code === 304) text = ''
      else if (headers['content-length'] !== undefined) {
        const body = await this.take(Number(headers['content-length']))
        if (!body) return { code: 0, headers, text: `${statusLine}: the connection closed mid-body`, closed: true }
        text = body.toString('utf8')
      } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        if (code === 200) {
          // a stream (watch): the answer is the status; the connection goes with it
          this.socket.destroy()
          return { code, headers, text: '', closed: true }
        }
        const parts: Buffer[] = []
        for (;;) {
          const size = await this.line()
          if (size === undefined) return { code: 0, headers, text: 'closed mid-chunk', closed: true }
          const n = parseInt(size, 16)
          if (n === 0) {
            await this.line()
            break
          }
          const chunk = await this.take(n + 2)
          if (!chunk) return { code: 0, headers, text: 'closed mid-chunk', closed: true }
          parts.push(chunk.subarray(0, n))
        }
        text = Buffer.concat(parts).toString('utf8')
      } else {
        while (await this.more());
        text = this.buf.toString('utf8')
        this.buf = Buffer.alloc(0)
      }
      if (closing) this.socket.destroy()
      return { code, headers, text, closed: closing || !this.usable }
    }
  }

  close(): void {
    this.socket.destroy()
  }
}

/** A raw request: bytes of a request line, headers and body, as a client (or an attacker) writes them. */
export interface RawRequest {
  transport: 'h1' | 'h2'
  caller: Caller
  method: string
  /** The request target as sent (path and query), may be any string. */
  target: string
  /** Headers besides Host, Content-Length and the caller's Authorization. */
  headers: [string, string][]
  body?: Buffer
}

const H2_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
const H2_BAD_PATH = /[^\x21-\x7e]/
const H2_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?$/

/** Sends raw requests over kept-alive connections, one at a time per caller and transport. */
export class RawClient {
  private readonly h1 = new Map<Caller, RawConnection>()
  private readonly h2 = new Map<Caller, http2.ClientHttp2Session>()

  constructor(private readonly t: FuzzTarget) {}

  /** Raw bytes of the HTTP/1.1 form of a request. */
  static bytes(r: RawRequest, auth: Record<string, string>): Buffer {
    const lines = [`${r.method} ${r.target} HTTP/1.1`, 'Host: apiserver']
    for (const [k, v] of Object.entries(auth)) lines.push(`${k}: ${v}`)
    for (const [k, v] of r.headers) lines.push(`${k}: ${v}`)
    if (r.body !== undefined) lines.push(`Content-Length: ${r.body.length}`)
    return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), r.body ?? Buffer.alloc(0)])
  }

  /** Sends one request; an answer that has not come within `timeoutMs` is no answer (code 0). */
  async send(r: RawRequest, timeoutMs = 15_000): Promise<Answer> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => {
        // the connection that hangs is dropped, so the next request starts clean
        this.h1.get(r.caller)?.close()
        this.h1.delete(r.caller)
        this.h2.get(r.caller)?.destroy()
        this.h2.delete(r.caller)
        resolve({ code: 0, headers: {}, text: `no answer within ${timeoutMs} ms` })
      }, timeoutMs)
    })
    try {
      return await Promise.race([r.transport === 'h2' ? this.sendH2(r) : this.sendH1(r), late])
    } finally {
      clearTimeout(timer)
    }
  }

  private async sendH1(r: RawRequest): Promise<Answer> {
    let conn = this.h1.get(r.caller)
    if (!conn || !conn.usable) {
      conn = new RawConnection(this.t.port, this.t.tls[r.caller])
      this.h1.set(r.caller, conn)
      await conn.ready
    }
    const a = await conn.exchange(RawClient.bytes(r, this.t.auth[r.caller]), r.method === 'HEAD')
    if (a.closed) this.h1.delete(r.caller)
    return a
  }

  private session(caller: Caller): http2.ClientHttp2Session {
    let s = this.h2.get(caller)
    if (!s || s.closed || s.destroyed) {
      s = http2.connect(`https://127.0.0.1:${this.t.port}`, this.t.tls[caller] as http2.SecureClientSessionOptions)
      s.on('error', () => undefined)
      this.h2.set(caller, s)
    }
    return s
  }

  private sendH2(r: RawRequest): Promise<Answer> {
    return new Promise((resolve) => {
      const headers: http2.OutgoingHttpHeaders = { ':method': r.method, ':path': r.target }
      for (const [k, v] of Object.entries(this.t.auth[r.caller])) headers[k.toLowerCase()] = v
      for (const [k, v] of r.headers) headers[k.toLowerCase()] = v
      // a header HTTP/2 cannot carry (not a lower-case token, a pseudo-header, a value with
      // control or non-ASCII characters, or white space at either end; a :path with
      // anything but visible ASCII, or not starting with "/"; a method that is not a token) is a protocol error that ends the whole session, as in
      // Go; such requests go over HTTP/1.1, where the server's parser answers them
      if (
        r.headers.some(([k, v]) => !H2_NAME.test(k.toLowerCase()) || !H2_VALUE.test(v)) ||
        H2_BAD_PATH.test(r.target) ||
        !r.target.startsWith('/') ||
        !H2_NAME.test(r.method.toLowerCase())
      ) {
        resolve(this.sendH1({ ...r, transport: 'h1' }))
        return
      }
      let stream: http2.ClientHttp2Stream
      try {
        // Node's client ends a GET or HEAD stream at once unless told a body follows
        stream = this.session(r.caller).request(headers, { endStream: r.body === undefined })
      } catch {
        // the client library refuses to send it (an invalid header or method): over HTTP/1.1 then
        resolve(this.sendH1({ ...r, transport: 'h1' }))
        return
      }
      let code = 0
      let got: Record<string, string> = {}
      const chunks: Buffer[] = []
      stream.on('response', (h) => {
        code = Number(h[':status'])
        got = flatHeaders(h as Record<string, string>)
        // a stream (watch) answered 200: the status is the answer
        if (code === 200 && got['content-length'] === undefined) {
          stream.close()
          resolve({ code, headers: got, text: '' })
        }
      })
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => resolve({ code, headers: got, text: Buffer.concat(chunks).toString('utf8') }))
      stream.on('error', (e) => {
        // a session the server ended is not reused
        this.h2.get(r.caller)?.destroy()
        this.h2.delete(r.caller)
        resolve({ code, headers: got, text: `stream error: ${e.message}`, closed: true })
      })
      stream.on('close', () => resolve({ code, headers: got, text: Buffer.concat(chunks).toString('utf8') }))
      stream.end(r.body)
    })
  }

  close(): void {
    for (const c of this.h1.values()) c.close()
    for (const s of this.h2.values()) s.destroy()
    this.h1.clear()
    this.h2.clear()
  }
}

// ---------------------------------------------------------------------------------------------
// mutated manifests

/** A value that tends to break things: wrong types, extremes, odd strings. */
export const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, '', -1, 0, 65536, 2 ** 53, -(2 ** 31), 1.5, 'Ünïcødé', 'a'.repeat(300), '../..', '%2F', '*', true, [], {}, [null], { '': '' }),
  fc.string({ maxLength: 20 }),
)

export type Step = { at: number[]; op: 'set' | 'delete' | 'add'; key: string; value: unknown }

export const mutation: fc.Arbitrary<Step> = fc.record({
  at: fc.array(fc.nat({ max: 20 }), { maxLength: 6 }),
  op: fc.constantFrom('set', 'delete', 'add'),
  key: fc.oneof(
    fc.constantFrom(
      'name',
      'namespace',
      'containers',
      'image',
      'selector',
      'replicas',
      'ports',
      'metadata',
      'spec',
      'kind',
      'apiVersion',
      'labels',
      'resources',
      'rules',
      'hard',
      'generateName',
    ),
    fc.string({ maxLength: 8 }),
  ),
  value: nasty,
})

/** Applies a mutation by walking the object: each index picks a child among the existing keys. */
export function mutate(o: unknown, m: Step): void {
  let cur = o as Record<string, unknown>
  for (const i of m.at) {
    const keys = cur && typeof cur === 'object' ? Object.keys(cur) : []
    if (!keys.length) break
    const next = cur[keys[i % keys.length]!]
    if (!next || typeof next !== 'object') break
    cur = next as Record<string, unknown>
  }
  if (!cur || typeof cur !== 'object') return
  const keys = Object.keys(cur)
  const target = m.op === 'add' || !keys.length ? m.key : keys[m.at.length % keys.length]!
  if (m.op === 'delete') delete cur[target]
  else cur[target] = structuredClone(m.value)
}

// ---------------------------------------------------------------------------------------------
// the property

/** Go's net/http answers in plain text before kube-apiserver's handlers run: "<code> <text>". */
const PLAIN_TEXT_ANSWER = /^(400|405|413|414|431) [A-Za-z][A-Za-z :]*$/

/**
 * The property of one answer (see the top of this file); `what` describes the request in failure
 * messages. Returns the answer's Status reason, or undefined for a 2xx / plain-text answer.
 */
export function checkAnswer(a: Answer, what: string, head = false): string | undefined {
  assert.ok(a.code !== 0, `no answer (the connection ended) for ${what}: ${a.text.slice(0, 300)}`)
  assert.ok(a.code < 500, `${a.code} for ${what}: ${a.text.slice(0, 600)}`)
  assert.ok(a.code >= 200, `code ${a.code} for ${what}`)
  // an answer to HEAD has no body to read
  if (a.code < 400 || head) return undefined
  if ((a.headers['content-type'] ?? '').startsWith('text/plain')) {
    assert.match(a.text, PLAIN_TEXT_ANSWER, `a plain-text ${a.code} that is not Go's HTTP-layer answer, for ${what}`)
    assert.ok(a.text.startsWith(String(a.code)), `plain-text answer ${JSON.stringify(a.text)} under code ${a.code} for ${what}`)
    return undefined
  }
  let status: { kind?: string; apiVersion?: string; code?: number; reason?: string; status?: string; message?: string }
  try {
    status = JSON.parse(a.text)
  } catch {
    assert.fail(`a ${a.code} whose body is neither a Status nor Go's plain text, for ${what}: ${a.text.slice(0, 300)}`)
  }
  assert.equal(status.kind, 'Status', `non-Status ${a.code} for ${what}: ${a.text.slice(0, 300)}`)
  assert.equal(status.apiVersion, 'v1', `Status without apiVersion v1 for ${what}`)
  assert.equal(status.status, 'Failure', `Status not a Failure for ${what}`)
  assert.equal(status.code, a.code, `Status code ${status.code} under HTTP ${a.code} for ${what}: ${a.text.slice(0, 300)}`)
  assert.ok(typeof status.message === 'string', `Status without a message for ${what}`)
  // upstream leaves reason empty ("StatusReasonUnknown") only for codes it has no reason for
  assert.ok(status.reason, `Status without reason for ${what}: ${a.text.slice(0, 300)}`)
  return status.reason
}

/** Fails when anything was recorded by the process guard (a guarded rejection, an exception, a 500) since `cursor`. */
export function assertNoIncidents(cursor: number, what: string): void {
  const incidents = incidentsSince(cursor)
  assert.deepEqual(incidents.map(describeIncident), [], `incidents during ${what}`)
}

export { incidentCursor, installProcessGuard }

// ---------------------------------------------------------------------------------------------
// the ledger: what the accepted requests wrote, against a dump of the store

/** What an accepted answer says about a key; `undefined` when the answer (a Table) did not carry the object. */
type Entry = { value: unknown } | { deletedOrTerminating: unknown }

/** Keys the server writes on its own behalf when it accepts an object (a Service's ClusterIP). */
const SERVER_OWNED = [IP_PREFIX]

/**
 * Keeps the store's content as of the last check and what accepted requests said they wrote since;
 * `check()` reads a full dump of the store and compares. Every key that changed must be the
 * object an accepted answer returned (a create, update or patch answers with the stored object; a
 * delete with the deleted object, or with it marked for deletion when finalizers or a grace
 * period keep it); every key that vanished must have been answered as deleted; nothing else.
 */
export class StoreLedger {
  private last = new Map<string, { rev: number; value: string }>()
  private since = new Map<string, Entry>()

  constructor(private readonly store: MemoryStore) {}

  async dump(): Promise<Map<string, { rev: number; value: string }>> {
    const { kvs } = await this.store.range('/')
    return new Map(kvs.filter((kv) => !SERVER_OWNED.some((p) => kv.key.startsWith(p))).map((kv) => [kv.key, { rev: kv.modRevision, value: kv.value }]))
  }

  async reset(): Promise<void> {
    this.last = await this.dump()
    this.since.clear()
  }

  /** Prefixes under which keys may have vanished (a collection delete answered without its objects). */
  private mayVanish: string[] = []

  /** Records an accepted answer to a request (its method and target) that moved the store's revision. */
  accepted(method: string, answer: Answer, target = ''): void {
    let body: {
      kind?: string
      apiVersion?: string
      items?: unknown[]
      rows?: { object?: { metadata?: { name?: string; namespace?: string } } }[]
      metadata?: { name?: string; namespace?: string; deletionTimestamp?: string }
    }
    try {
      body = JSON.parse(answer.text)
    } catch {
      return
    }
    const deleting = method.trim().toUpperCase() === 'DELETE'
    if (body?.kind === 'Table') {
      // a Table answer (Accept: ...;as=Table) names the objects in its rows, not their content
      let info: ReturnType<typeof lookupResource>
      let ri: ReturnType<typeof requestInfo>
      try {
        ri = requestInfo(method.trim().toUpperCase(), parseRequestTarget(target))
        info = lookupResource(ri.apiGroup, ri.resource)
      } catch {
        return
      }
      if (!info) return
      const names = (body.rows ?? []).map((r) => r.object?.metadata).filter((m) => m?.name)
      if (!names.length && ri.name) names.push({ name: ri.name, namespace: ri.namespace })
      if (!names.length) this.mayVanish.push(storagePrefix(info, ri.namespace))
      for (const m of names)
        this.since.set(storageKey(info, m!.namespace ?? ri.namespace, m!.name!), deleting ? { deletedOrTerminating: undefined } : { value: undefined })
      return
    }
    const objects = body && Array.isArray(body.items) && body.kind?.endsWith('List') ? body.items : [body]
    for (const o of objects as (typeof body)[]) {
      if (!o || typeof o !== 'object' || !o.metadata?.name || !o.kind || !o.apiVersion) continue
      const { group } = parseApiVersion(o.apiVersion)
      const info = lookupKind(group, o.kind)
      if (!info) continue
      const key = storageKey(info, o.metadata.namespace, o.metadata.name)
      // an update of an object being deleted that leaves it no finalizer deletes it
      this.since.set(key, deleting || o.metadata.deletionTimestamp ? { deletedOrTerminating: o } : { value: o })
    }
  }

  /** Compares a full dump of the store with the last one and the accepted answers since; then starts over from it. */
  async check(what: string): Promise<{ keys: number; changed: number }> {
    const now = await this.dump()
    let changed = 0
    for (const [key, kv] of now) {
      const before = this.last.get(key)
      if (before && before.rev === kv.rev) {
        assert.equal(kv.value, before.value, `${key} changed without a new revision (${what})`)
        continue
      }
      changed++
      const e = this.since.get(key)
      assert.ok(e, `${key} was written (revision ${kv.rev}) but no accepted request answered with it (${what}): ${kv.value.slice(0, 300)}`)
      const expected = 'value' in e ? e.value : e.deletedOrTerminating
      if (expected === undefined) continue
      assert.ok(
        isDeepStrictEqual(JSON.parse(kv.value), withoutRv(expected)) || isDeepStrictEqual(withRv(JSON.parse(kv.value), kv.rev), expected),
        `${key} holds something else than the accepted answer said (${what}):\n stored:   ${kv.value.slice(0, 400)}\n answered: ${JSON.stringify(expected).slice(0, 400)}`,
      )
    }
    for (const [key] of this.last) {
      if (now.has(key)) continue
      const e = this.since.get(key)
      if (this.mayVanish.some((p) => key.startsWith(p))) continue
      assert.ok(e && 'deletedOrTerminating' in e, `${key} vanished but no accepted request deleted it (${what})`)
    }
    for (const [key, e] of this.since) {
      if ('value' in e) assert.ok(now.has(key), `an accepted answer wrote ${key}, but the store does not hold it (${what})`)
    }
    this.last = now
    this.since.clear()
    this.mayVanish = []
    return { keys: now.size, changed }
  }
}

function withoutRv(o: unknown): unknown {
  const c = structuredClone(o) as { metadata?: { resourceVersion?: string } }
  if (c?.metadata) delete c.metadata.resourceVersion
  return c
}

function withRv(o: unknown, rev: number): unknown {
  const c = structuredClone(o) as { metadata?: { resourceVersion?: string } }
  if (c?.metadata) c.metadata.resourceVersion = String(rev)
  return c
}
