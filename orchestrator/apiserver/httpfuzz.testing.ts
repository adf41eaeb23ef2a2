// The HTTP-level fuzzer: fast-check generates whole requests (raw request targets with dot
// segments, %-escapes valid and not, `//`, huge and non-ASCII paths; known, unknown and
// lower-case methods; wrong, missing and odd Content-Type / Accept headers, huge header values,
// impersonation headers; query strings with garbage timeoutSeconds, fieldSelector,
// labelSelector, watch, dryRun, fieldManager, limit, resourceVersion; bodies that are valid
// objects, mutated objects, deep JSON and YAML, invalid UTF-8, huge values, random bytes,
// patches of every type) from three callers (admin certificate, no credentials, a low-privilege
// token), and sends each as raw bytes over TLS (HTTP/1.1) or with a raw :path over HTTP/2.
// Each answer must have the property of fuzz.testing.ts (checkAnswer); the store's revision must
// not move for a rejected request or a read; every `batch` requests the store is dumped and
// compared with what the accepted requests wrote (StoreLedger), and the process guard's counter
// must not have moved.
// Used by httpfuzz.test.ts (npm test: 10,000 requests), scripts/fuzz.ts (npm run fuzz: 100,000
// by default) and bench/soak.ts (a slice of fuzz requests during the soak).
// For tests and benchmarks only; not used by the orchestrator.
// Over 400 lines: the raw HTTP generators (paths, headers, bodies, three callers) are test support
// shared by three runners.

import assert from 'node:assert/strict'
import fc from 'fast-check'
import { stringify as yamlStringify } from 'yaml'
import {
  assertNoIncidents,
  checkAnswer,
  FUZZ_LIMITS,
  incidentCursor,
  mutate,
  mutation,
  RawClient,
  StoreLedger,
  type Caller,
  type FuzzTarget,
  type RawRequest,
} from './fuzz.testing.js'

interface Base {
  prefix: string
  resource: string
  namespaced: boolean
  object: (name: string) => Record<string, unknown>
  subresources: string[]
}

const image = 'registry.internal/a:1'
export const HTTP_BASES: Base[] = [
  {
    prefix: '/api/v1',
    resource: 'configmaps',
    namespaced: true,
    subresources: [],
    object: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'fz' } }, data: { a: 'b' } }),
  },
  {
    prefix: '/api/v1',
    resource: 'secrets',
    namespaced: true,
    subresources: [],
    object: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData: { a: 'b' } }),
  },
  {
    prefix: '/api/v1',
    resource: 'pods',
    namespaced: true,
    subresources: ['status', 'binding', 'eviction', 'bogus'],
    object: (name) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'fz' } },
      spec: { containers: [{ name: 'app', image, resources: { limits: { cpu: '1', memory: '64Mi' } } }] },
    }),
  },
  {
    prefix: '/api/v1',
    resource: 'services',
    namespaced: true,
    subresources: ['status'],
    object: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'fz' }, ports: [{ port: 80 }] } }),
  },
  {
    prefix: '/api/v1',
    resource: 'serviceaccounts',
    namespaced: true,
    subresources: ['token'],
    object: (name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }),
  },
  {
    prefix: '/api/v1',
    resource: 'namespaces',
    namespaced: false,
    subresources: ['status', 'finalize'],
    object: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  },
  {
    prefix: '/api/v1',
    resource: 'nodes',
    namespaced: false,
    subresources: ['status'],
    object: (name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { zone: 'a' } } }),
  },
  {
    prefix: '/apis/apps/v1',
    resource: 'deployments',
    namespaced: true,
    subresources: ['status', 'scale'],
    object: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      },
    }),
  },
  {
    prefix: '/apis/rbac.authorization.k8s.io/v1',
    resource: 'roles',
    namespaced: true,
    subresources: [],
    object: (name) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    }),
  },
  {
    prefix: '/apis/rbac.authorization.k8s.io/v1',
    resource: 'clusterroles',
    namespaced: false,
    subresources: [],
    object: (name) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    }),
  },
  {
    prefix: '/apis/coordination.k8s.io/v1',
    resource: 'leases',
    namespaced: true,
    subresources: [],
    object: (name) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: 'x', leaseDurationSeconds: 10 } }),
  },
  {
    prefix: '/apis/authorization.k8s.io/v1',
    resource: 'selfsubjectaccessreviews',
    namespaced: false,
    subresources: [],
    object: () => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }),
  },
]

const NAMES = ['fz-a', 'fz-b', 'fz-c']
const NAMESPACES = ['fz', 'fz2', 'default']

/** Path segments that have broken parsers: dot segments, bad and good escapes, non-ASCII, odd characters, long names. */
const NASTY_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '%2e',
  '.%2e',
  '',
  '%zz',
  '%',
  '%4',
  '%E0%A4%A',
  '%C3%A9',
  '%c3%28',
  '%FF',
  '%FE%FF',
  '%00',
  '%0a',
  '%0D%0A',
  '%2F',
  '%2f..',
  '..%2f..',
  'é',
  '日本',
  '\u{1F600}',
  '\u0000',
  '*',
  ':',
  '@',
  ';',
  'a;b',
  '~',
  '%20',
  '+',
  '\\',
  "'",
  '"',
  '<x>',
  '{}',
  '[]',
  '|',
  '^',
  '`',
  'UPPER',
  '-a',
  'a-',
  'a..b',
  'x'.repeat(64),
  'x'.repeat(300),
  '%25',
  '%%',
  '?',
  '#frag',
]

const nastySegment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY_SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/[\s?#/]/g, '')) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 6 }).map((a) => [...a].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) },
)

const seg = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof({ weight: 14, arbitrary: valid }, { weight: 1, arbitrary: nastySegment })

/** A request path: mostly API paths with some segment replaced, plus whole odd targets. */
const resourcePath = fc
  .record({
    base: fc.constantFrom(...HTTP_BASES),
    ns: seg(fc.constantFrom(...NAMESPACES)),
    name: fc.option(seg(fc.constantFrom(...NAMES)), { freq: 3 }),
    sub: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    extra: fc.option(nastySegment, { freq: 12 }),
    allNamespaces: fc.boolean(),
    slashes: fc.oneof({ weight: 14, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//') }),
  })
  .map(({ base, ns, name, sub, extra, allNamespaces, slashes }) => {
    let p = base.prefix
    if (base.namespaced && !(allNamespaces && name === null)) p += `/namespaces/${ns}`
    p += `/${base.resource}`
    if (name !== null) {
      p += `/${name}`
      if (sub !== null) p += `/${base.subresources.length ? base.subresources[sub % base.subresources.length]! : 'status'}`
    }
    if (extra !== null) p += `/${extra}`
    return { path: p + slashes, base, name }
  })

const ODD_TARGETS = [
  '//',
  '//:x',
  '///',
  '*',
  '/',
  '/api',
  '/apis',
  '/api/',
  '/api//v1',
  '/api/v1',
  '/api/v2',
  '/apis/apps',
  '/apis/apps/v1',
  '/apis/nope/v1/things',
  '/apis/apps/v9/deployments',
  '/healthz',
  '/livez',
  '/readyz',
  '/version',
  '/openapi/v3',
  '/openapi/v3/api/v1',
  '/openapi/v3/apis/apps/v1',
  '/openapi/v2',
  '/metrics',
  '/.well-known/openid-configuration',
  'http://apiserver/api/v1/namespaces',
  'https://x:1/api',
  'http://[::1]:x/',
  'http:',
  '/%zz',
  '/api/v1/namespaces/%E0%A4%A/pods',
  '/api/v1/namespaces/fz/configmaps/%2e%2e',
  '/api/v1/namespaces/%2e%2e/configmaps',
  '/api/v1/namespaces/fz/configmaps/fz-a/x/y',
  'relative/path',
  '../../etc/passwd',
  '/../../api/v1/namespaces',
]

const oddTarget = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_TARGETS) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 5000, 17_000, 70_000).map((n) => `/api/v1/namespaces/fz/configmaps/${'a'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.array(nastySegment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `/api/v1/${s.replace(/[\s?#]/g, '')}`) },
)

const QUERY_VALUES: Record<string, string[]> = {
  timeoutSeconds: ['1', '0', '-1', 'abc', '1e3', '99999999999999999999', '', '1.5', ' 1', '0x10'],
  timeout: ['1s', '10ms', 'soon', '-1s', '', '1h', '99999999h'],
  fieldSelector: [
    'metadata.name=fz-a',
    'metadata.namespace!=fz',
    '=',
    'a==b=',
    '!',
    'spec.nodeName=',
    'bogus.field=x',
    'metadata.name=fz-a,',
    ',',
    'metadata.name in (a)',
    '%zz',
    'x'.repeat(400),
    'metadata.name=\\',
  ],
  labelSelector: [
    'app=fz',
    'app in (fz,x)',
    'app notin (x)',
    '!app',
    'app',
    'in (',
    '!!',
    'a=b,',
    '==',
    'app=' + 'x'.repeat(100),
    'a b',
    'app>1',
    'x/y/z=1',
    '%zz',
    'app in ()',
    '(',
    'a!=b,c=d',
  ],
  watch: ['true', '1', 'false', '0', 'maybe', '', 'True'],
  dryRun: ['All', 'bogus', '', 'all'],
  fieldManager: ['fz', '', 'x'.repeat(200), 'é', 'a b', '%zz'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'bogus', ''],
  limit: ['1', '0', '-1', 'abc', '1e3', '99999999999999999999'],
  continue: ['', 'abc', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ4In0', '%zz'],
  resourceVersion: ['0', '', 'abc', '-1', '999999999', '1'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'bogus'],
  allowWatchBookmarks: ['true', 'maybe'],
  gracePeriodSeconds: ['0', '-1', 'abc', '30', '99999999999999999999'],
  propagationPolicy: ['Orphan', 'Background', 'Foreground', 'bogus'],
  pretty: ['true', 'x'],
  includeObject: ['None', 'Object', 'Metadata', 'bogus'],
  force: ['true', 'maybe'],
}

const queryParam = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(...Object.keys(QUERY_VALUES))
      .chain((k) => fc.constantFrom(...QUERY_VALUES[k]!).map((v) => `${k}=${encodeURIComponent(v).replace(/%25zz/, '%zz')}`)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%zz=1',
      '&',
      '=x',
      ';',
      'a=%',
      'watch',
      'watch=true;x',
      'x'.repeat(5000),
      'labelSelector=%ZZ',
      'dryRun=All&dryRun=bogus',
      'timeoutSeconds=1&timeoutSeconds=abc',
    ),
  },
)

const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.array(queryParam, { minLength: 1, maxLength: 3 }).map((ps) => `?${ps.join('&')}`) },
)

const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  'text/html',
  '',
  ';;;',
  'application/json; charset=latin1',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/*',
  '*/*',
  'application/yaml; x=',
  'application/json-seq',
]

const ACCEPTS = [
  'application/json',
  '*/*',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'text/html',
  'text/plain',
  ';;',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/json;stream=watch',
  'x'.repeat(2000),
  'application/json;q=0',
  'image/png,*/*;q=0.1',
]

const header: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((v): [string, string] => ['Content-Type', v]) },
  { weight: 3, arbitrary: fc.constantFrom(...ACCEPTS).map((v): [string, string] => ['Accept', v]) },
  { weight: 1, arbitrary: fc.constantFrom(100, 4000, 17_000).map((n): [string, string] => ['X-Huge', 'h'.repeat(n)]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<[string, string]>(
      ['Impersonate-User', 'someone'],
      ['Impersonate-User', 'system:admin'],
      ['Impersonate-Group', 'system:masters'],
      ['Impersonate-Uid', 'x'],
      ['Impersonate-Extra-%zz', 'v'],
      ['Impersonate-Extra-scopes', 'v'],
      ['Authorization', 'Bearer'],
      ['Authorization', 'Bearer not-a-token'],
      ['Authorization', 'Basic Zm9vOmJhcg=='],
      ['Authorization', 'Bearer ' + 'x'.repeat(3000)],
      ['Expect', '100-continue'],
      ['Content-Encoding', 'gzip'],
      ['Accept-Encoding', 'gzip, br, zstd'],
      ['User-Agent', 'é\u00ff'],
      ['X-Forwarded-For', '1.2.3.4'],
      ['Connection', 'keep-alive, Upgrade'],
      ['If-Match', '*'],
      ['Warning', '299 - "x"'],
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom('X-Odd', 'X Odd', 'X\u00e9', 'X-Ctl\u0001', ':path', 'x'.repeat(300)),
      fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    ),
  },
)

const deepJson = (n: number, open = '{"a":', close = '}'): string => open.repeat(n) + '1' + close.repeat(n)
const DEPTHS = [10, 100, 1000, 9_999, 10_001, 30_000]

/** Bodies for a base resource and name. */
function bodyFor(base: Base, name: string): fc.Arbitrary<Buffer> {
  const valid = base.object(name)
  const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o))
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(json(valid)) },
    { weight: 1, arbitrary: fc.constant(Buffer.from(yamlStringify(valid))) },
    {
      weight: 4,
      arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((steps) => {
        const o = structuredClone(valid)
        for (const m of steps) mutate(o, m)
        return json(o)
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...DEPTHS), fc.constantFrom('object', 'array', 'inObject', 'yamlBlock', 'yamlFlow', 'yamlMap')).map(([d, shape]) => {
        switch (shape) {
          case 'object':
            return Buffer.from(deepJson(d))
          case 'array':
            return Buffer.from(deepJson(d, '[', ']'))
          case 'inObject':
            return Buffer.from(JSON.stringify({ ...valid, data: { a: 'x' } }).replace('"x"', deepJson(d)))
          case 'yamlBlock':
            return Buffer.from(`metadata:\n  name: ${name}\ndata: ` + '- '.repeat(d) + 'x')
          case 'yamlFlow':
            return Buffer.from('['.repeat(d) + ']'.repeat(d))
          default:
            return Buffer.from('{a: '.repeat(d) + '1' + '}'.repeat(d))
        }
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom([0xff], [0xfe, 0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x00])
        .map((bad) => {
          const text = JSON.stringify({ ...valid, metadata: { ...(valid.metadata as object), labels: { app: 'XX' } } })
          const at = text.indexOf('XX')
          return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at + 2))])
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(1000, 100_000, 300_000)
        .map((n) =>
          json({ ...valid, data: { a: 'v'.repeat(n) }, metadata: { ...(valid.metadata as object), annotations: { big: 'a'.repeat(Math.min(n, 300_000)) } } }),
        ),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => json(v)),
        fc
          .array(
            fc.record({
              op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
              path: fc.constantFrom('/metadata/labels/x', '/data/a', '/spec', '', '/metadata/name', '/-', '/x/0/y'),
              value: fc.jsonValue({ maxDepth: 2 }),
            }),
            { maxLength: 3 },
          )
          .map(json),
        fc
          .constantFrom(
            '{"metadata":{"labels":{"x":"y"}}}',
            '{"metadata":{"labels":null}}',
            '{"$patch":"delete"}',
            '{"$retainKeys":["x"]}',
            '{"spec":{"containers":[{"name":"app","$patch":"delete"}]}}',
          )
          .map((s) => Buffer.from(s)),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(a)])),
        fc.string({ maxLength: 100 }).map((s) => Buffer.from(s)),
        fc
          .constantFrom(
            '',
            ' ',
            'null',
            '[]',
            '""',
            '0',
            'true',
            '{}',
            '---',
            '--- !!binary x',
            '&a [*a]',
            'a: &a\n  b: *a',
            '%YAML 9.9\n---\na: 1',
            '{"apiVersion": 7}',
            '{"kind":"Status"}',
          )
          .map((s) => Buffer.from(s)),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '{"gracePeriodSeconds":-1}',
          '{"gracePeriodSeconds":"x"}',
          '{"propagationPolicy":"x"}',
          '{"preconditions":{"uid":"x"}}',
          '{"preconditions":{"resourceVersion":"1"}}',
          '{"dryRun":["All"]}',
          '{"dryRun":["x"]}',
          '{"kind":"DeleteOptions","apiVersion":"v1","orphanDependents":true}',
        )
        .map((s) => Buffer.from(s)),
    },
  )
}

const METHOD = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'POST') },
  { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'get', 'M-SEARCH', 'PURGE', 'QUERY', 'LINK', 'DELETE ') },
)

const CALLER = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Caller>('admin') },
  { weight: 1, arbitrary: fc.constant<Caller>('anonymous') },
  { weight: 2, arbitrary: fc.constant<Caller>('lowPrivilege') },
)

/** A well-formed request a careful client sends (so that some are accepted and write). */
const wellFormed: fc.Arbitrary<RawRequest> = fc
  .record({
    transport: fc.constantFrom<'h1' | 'h2'>('h1', 'h2'),
    base: fc.constantFrom(...HTTP_BASES.filter((b) => b.resource !== 'namespaces' && b.resource !== 'selfsubjectaccessreviews')),
    ns: fc.constantFrom('fz', 'fz2'),
    name: fc.constantFrom(...NAMES, 'fz-d', 'fz-e', 'fz-f'),
    verb: fc.constantFrom('create', 'create', 'update', 'patch', 'patch', 'apply', 'delete', 'get', 'list'),
    label: fc.constantFrom('a', 'b', 'c', ''),
    dryRun: fc.boolean(),
    caller: fc.constantFrom<Caller>('admin', 'admin', 'admin', 'lowPrivilege'),
  })
  .map(({ transport, base, ns, name, verb, label, dryRun, caller }): RawRequest => {
    const collection = `${base.prefix}${base.namespaced ? `/namespaces/${ns}` : ''}/${base.resource}`
    const object = base.object(name)
    ;(object.metadata as { labels?: Record<string, string> }).labels = label ? { app: 'fz', v: label } : {}
    const q = dryRun && verb !== 'get' && verb !== 'list' ? '?dryRun=All' : ''
    const json: [string, string] = ['Content-Type', 'application/json']
    const at = (method: string, path: string, headers: [string, string][] = [], body?: string): RawRequest => ({
      transport,
      caller,
      method,
      target: path,
      headers,
      body: body === undefined ? undefined : Buffer.from(body),
    })
    switch (verb) {
      case 'create':
        return at('POST', collection + q, [json], JSON.stringify(object))
      case 'update':
        return at('PUT', `${collection}/${name}${q}`, [json], JSON.stringify(object))
      case 'patch':
        return at(
          'PATCH',
          `${collection}/${name}${q}`,
          [['Content-Type', 'application/merge-patch+json']],
          JSON.stringify({ metadata: { labels: { v: label || null } } }),
        )
      case 'apply':
        return at(
          'PATCH',
          `${collection}/${name}?fieldManager=fz${q ? '&dryRun=All' : ''}`,
          [['Content-Type', 'application/apply-patch+yaml']],
          JSON.stringify(object),
        )
      case 'delete':
        return at('DELETE', `${collection}/${name}${q}`)
      case 'get':
        return at('GET', `${collection}/${name}`)
      default:
        return at('GET', `${collection}?labelSelector=app%3Dfz`)
    }
  })

/** One hostile request. */
const hostileRequest: fc.Arbitrary<RawRequest> = fc
  .record({
    transport: fc.constantFrom<'h1' | 'h2'>('h1', 'h1', 'h1', 'h2'),
    caller: CALLER,
    method: METHOD,
    where: fc.oneof(
      { weight: 6, arbitrary: resourcePath },
      { weight: 1, arbitrary: oddTarget.map((path) => ({ path, base: HTTP_BASES[0]!, name: null as string | null })) },
    ),
    query,
    headers: fc.oneof(
      { weight: 2, arbitrary: fc.constant<[string, string][]>([]) },
      { weight: 3, arbitrary: fc.array(header, { minLength: 1, maxLength: 3 }) },
    ),
    withBody: fc.nat({ max: 9 }),
    seed: fc.nat(),
  })
  .chain((r) => {
    const wantsBody = ['POST', 'PUT', 'PATCH'].includes(r.method) ? r.withBody > 0 : r.withBody > 7
    const name = r.where.name && NAMES.includes(r.where.name) ? r.where.name : NAMES[r.seed % NAMES.length]!
    const body = wantsBody ? bodyFor(r.where.base, name).map((b): Buffer | undefined => b) : fc.constant<Buffer | undefined>(undefined)
    return body.map((b): RawRequest => {
      const headers = [...r.headers]
      // a body usually comes with a type that fits it; the generated headers may add a wrong one
      if (b !== undefined && !headers.some(([k]) => k === 'Content-Type') && r.seed % 5 !== 0) {
        headers.push([
          'Content-Type',
          r.method === 'PATCH'
            ? ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'][
                r.seed % 4
              ]!
            : 'application/json',
        ])
      }
      const q = r.method === 'PATCH' && r.query === '' && r.seed % 3 === 0 ? '?fieldManager=fz' : r.query
      return { transport: r.transport, caller: r.caller, method: r.method, target: r.where.path + q, headers, body: b }
    })
  })

/** One generated request: hostile mostly, well-formed sometimes. */
export const rawRequest: fc.Arbitrary<RawRequest> = fc.oneof({ weight: 3, arbitrary: hostileRequest }, { weight: 1, arbitrary: wellFormed })

/** A request as a line for failure messages. */
export function describeRequest(r: RawRequest): string {
  const body = r.body === undefined ? '' : ` body(${r.body.length} B): ${r.body.subarray(0, 160).toString('utf8')}`
  // eslint-disable-next-line no-control-regex
  const visible = (v: string): string => v.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  const target = visible(r.target.length > 200 ? `${r.target.slice(0, 200)}...(${r.target.length})` : r.target)
  const headers = r.headers.map(([k, v]) => visible(`${k}: ${v.length > 60 ? `${v.slice(0, 60)}...(${v.length})` : v}`)).join('; ')
  return `[${r.transport} ${r.caller}] ${r.method} ${target} {${headers}}${body}`
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'])

export interface FuzzStats {
  requests: number
  /** Answers by code. */
  codes: Record<string, number>
  /** Requests whose answer was accepted and moved the store's revision. */
  writes: number
  /** Store dumps compared with the ledger. */
  dumps: number
  ms: number
}

/** Sends one request and checks its answer and the store's revision; returns the answer's code. */
export async function fuzzOne(t: FuzzTarget, client: RawClient, ledger: StoreLedger | undefined, r: RawRequest, stats: FuzzStats): Promise<void> {
  const before = await t.store.currentRevision()
  if (process.env.FUZZ_DEBUG) process.stderr.write(`-> ${stats.requests + 1} ${describeRequest(r).slice(0, 400)}\n`)
  const a = await client.send(r)
  stats.requests++
  const what = describeRequest(r)
  if (process.env.FUZZ_DEBUG)
    process.stderr.write(`${stats.requests} ${a.code} ${JSON.stringify(r.headers).slice(0, 300)} ${what.slice(0, 300)} => ${a.text.slice(0, 200)}\n`)
  // the one documented divergence (filters/secureserving.ts): an HTTP/2 header block over the
  // limit is refused by nghttp2 with a stream reset where Go answers 431
  const overLimit = r.transport === 'h2' && r.headers.reduce((n, [k, v]) => n + k.length + v.length + 32, r.target.length) > FUZZ_LIMITS.maxHeaderBytes
  if (overLimit && a.code === 0 && /NGHTTP2_ENHANCE_YOUR_CALM|NGHTTP2_REFUSED_STREAM|NGHTTP2_PROTOCOL_ERROR/.test(a.text)) {
    stats.codes.reset = (stats.codes.reset ?? 0) + 1
    assert.equal(await t.store.currentRevision(), before)
    return
  }
  checkAnswer(a, what, r.method === 'HEAD')
  stats.codes[a.code] = (stats.codes[a.code] ?? 0) + 1
  const after = await t.store.currentRevision()
  if (a.code >= 300 || READS.has(r.method.trim().toUpperCase())) {
    assert.equal(after, before, `a ${a.code} answer to ${what} moved the store's revision (${before} -> ${after}): ${a.text.slice(0, 300)}`)
  } else if (after !== before) {
    stats.writes++
    ledger?.accepted(r.method, a, r.target)
  }
}

export interface FuzzRunOptions {
  requests: number
  /** fast-check seed of the first batch; batch i uses seed + i. */
  seed: number
  /** Requests between two store dumps (default 500). */
  batch?: number
  /** Called after each batch. */
  progress?: (s: FuzzStats) => void
}

/**
 * Runs `requests` generated requests against `t` in batches (one fast-check run per batch, so a
 * failure names its batch's seed), comparing a store dump with the ledger and checking the
 * process guard's counter after each batch.
 */
export async function runHttpFuzz(t: FuzzTarget, opts: FuzzRunOptions): Promise<FuzzStats> {
  const batch = opts.batch ?? 500
  const stats: FuzzStats = { requests: 0, codes: {}, writes: 0, dumps: 0, ms: 0 }
  const ledger = new StoreLedger(t.store)
  await ledger.reset()
  const client = new RawClient(t)
  const cursor = incidentCursor()
  const t0 = performance.now()
  try {
    for (let i = 0; stats.requests < opts.requests; i++) {
      const seed = opts.seed + i
      const n = Math.min(batch, opts.requests - stats.requests)
      const result = await fc.check(
        fc.asyncProperty(rawRequest, (r) => fuzzOne(t, client, ledger, r, stats)),
        { numRuns: n, seed, endOnFailure: true },
      )
      if (result.failed) {
        const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)
        const request = result.counterexample ? describeRequest(result.counterexample[0]) : '?'
        throw new Error(
          `HTTP fuzz batch ${i} failed at its request ${result.numRuns} (replay: FUZZ_SEED=${seed} FUZZ_REQUESTS=${opts.batch ?? 500}, or npm run fuzz -- --seed ${seed}):\n  request: ${request}\n  ${cause.slice(0, 2000)}`,
        )
      }
      assertNoIncidents(cursor, `fuzz batch ${i} (seed ${seed})`)
      await ledger.check(`after batch ${i} (seed ${seed})`)
      stats.dumps++
      opts.progress?.(stats)
    }
  } finally {
    client.close()
    stats.ms = Math.round(performance.now() - t0)
  }
  return stats
}
