// Property-based robustness of the request pipeline: generated and mutated manifests, patches and
// raw bodies go to a real API server (HTTPS, admin certificate, the full admission chain and
// RBAC). Every answer must be a 2xx, or a 4xx whose body is a Status with the same code —
// never a 5xx, never a dropped connection — and a refused request must not move the store
// revision. Runs with fast-check; the seed is printed on failure so a case can be replayed.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { checkAnswer, httpsRequest, mutate, mutation, nasty, startFuzzTarget, type FuzzTarget } from './fuzz.testing.js'

const BASES: { path: string; object: Record<string, unknown> }[] = [
  {
    path: '/api/v1/namespaces/default/configmaps',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { app: 'x' } }, data: { a: 'b' } },
  },
  {
    path: '/api/v1/namespaces/default/secrets',
    object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, type: 'Opaque', stringData: { a: 'b' } },
  },
  {
    path: '/api/v1/namespaces/default/pods',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod', labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.internal/a:1',
            ports: [{ containerPort: 80 }],
            resources: { requests: { cpu: '100m' }, limits: { cpu: '1', memory: '64Mi' } },
          },
        ],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    },
  },
  {
    path: '/apis/apps/v1/namespaces/default/deployments',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dep' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'app', image: 'registry.internal/a:1' }] } },
      },
    },
  },
  {
    path: '/api/v1/namespaces/default/services',
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  },
  {
    path: '/api/v1/namespaces/default/limitranges',
    object: {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'lr' },
      spec: { limits: [{ type: 'Container', max: { cpu: '4' }, default: { cpu: '500m' } }] },
    },
  },
  {
    path: '/api/v1/namespaces/default/resourcequotas',
    object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'rq' }, spec: { hard: { pods: '1000', 'limits.cpu': '1000' } } },
  },
  {
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'role' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    },
  },
  {
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb' },
      subjects: [{ kind: 'User', name: 'alice' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'role' },
    },
  },
  { path: '/api/v1/namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } } },
]

const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  '',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
]

describe('API server under generated and mutated requests', () => {
  let t: FuzzTarget
  let requests = 0

  function send(method: string, path: string, body: string | Buffer | undefined, contentType: string) {
    requests++
    return httpsRequest(t, 'admin', method, path, body, contentType)
  }

  /** The property every answer must have (fuzz.testing.ts), and a refused request writes nothing. */
  async function check(method: string, path: string, body: string | Buffer | undefined, contentType: string): Promise<void> {
    const before = await t.store.currentRevision()
    const a = await send(method, path, body, contentType)
    const what = `${method} ${path} (${contentType}) ${String(body).slice(0, 300)}`
    const reason = checkAnswer(a, what)
    if (a.code >= 400) assert.equal(await t.store.currentRevision(), before, `a refused request (${a.code} ${reason}) moved the store revision: ${what}`)
  }

  before(async () => {
    t = await startFuzzTarget({ trace: { capacity: 20_000 } })
  })

  after(async () => {
    await t.stop()
    assert.ok(requests >= 1000, `only ${requests} requests were sent`)
  })

  it('answers mutated manifests with 2xx or a 4xx Status and never writes a refused one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...BASES),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('POST', 'PUT'),
        async (base, steps, method) => {
          const o = structuredClone(base.object)
          for (const m of steps) mutate(o, m)
          const name = (base.object.metadata as { name: string }).name
          const path = method === 'PUT' ? `${base.path}/${name}` : base.path
          await check(method, path, JSON.stringify(o), 'application/json')
        },
      ),
      { numRuns: 600 },
    )
  })

  it('answers patches of existing objects with 2xx or a 4xx Status', async () => {
    for (const b of BASES) await send('POST', b.path, JSON.stringify(b.object), 'application/json')
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...BASES),
        fc.constantFrom(
          'application/merge-patch+json',
          'application/json-patch+json',
          'application/strategic-merge-patch+json',
          'application/apply-patch+yaml',
        ),
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.array(
            fc.record({
              op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
              path: fc.constantFrom('/spec', '/metadata/name', '/spec/replicas', '/data/a', '/x', '', '/spec/containers/0/image', '/metadata/labels/app'),
              value: nasty,
              from: fc.constantFrom('/spec', '/data', '/metadata/labels'),
            }),
            { maxLength: 3 },
          ),
        ),
        async (base, type, patch) => {
          const name = (base.object.metadata as { name: string }).name
          await check('PATCH', `${base.path}/${name}?fieldValidation=Strict`, JSON.stringify(patch), type)
        },
      ),
      { numRuns: 250 },
    )
  })

  it('answers raw bodies of any shape and type with a 4xx Status or a 2xx', async () => {
    const valid = JSON.stringify(BASES[0]!.object)
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(a)])),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('a: [1, 2', '---\nkind: Pod\n---\n', '{"metadata": {"name": "x"}}', '[]', 'null', '""', '{"apiVersion": 7}'),
    )
    const query = fc.constantFrom('', '?fieldValidation=Strict', '?fieldValidation=Ignore', '?fieldValidation=bogus', '?dryRun=All', '?watch=maybe')
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...BASES),
        body,
        fc.constantFrom(...CONTENT_TYPES),
        query,
        fc.constantFrom('POST', 'PUT'),
        async (base, raw, type, q, method) => {
          const name = (base.object.metadata as { name: string }).name
          await check(method, `${method === 'PUT' ? `${base.path}/${name}` : base.path}${q}`, raw, type)
        },
      ),
      { numRuns: 350 },
    )
  })
})
