import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import type { KObject, WatchEvent } from '../api/meta.js'
import { ApiClient } from '../client/client.js'
import { createCertificateAuthority, Identities } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import { ApiServer } from './server.js'
import { PIPELINE } from './pipeline.js'
import { rejects } from './testserver.testing.js'

const cm = (name: string, ns = 'default'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { k: 'v' } })
const cms = (ns = 'default') => ({ group: '', version: 'v1', resource: 'configmaps', namespace: ns })

describe('API server', () => {
  let server: ApiServer
  let store: MemoryStore
  let client: ApiClient
  let http1: (method: string, path: string, body: Buffer, contentType: string) => Promise<number>

  before(async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    store = new MemoryStore()
    server = new ApiServer({ store, caPem: ca.certPem, serving })
    await server.start()
    const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
    client = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem })
    // an HTTP/1.1 client (Node checks header values there): resolves with the status code
    http1 = (method, path, body, contentType) =>
      new Promise((resolve, reject) => {
        const u = new URL(path, server.url)
        const req = https.request(
          {
            method,
            hostname: u.hostname,
            port: u.port,
            path: u.pathname,
            ca: ca.certPem,
            cert: admin.certPem,
            key: admin.keyPem,
            headers: { 'Content-Type': contentType },
          },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          },
        )
        req.on('error', reject)
        req.end(body)
      })
  })

  after(async () => {
    client.close()
    await server.stop()
  })

  it('creates an object with uid, creationTimestamp and the store revision as resourceVersion', async () => {
    const o = await client.create(cms(), cm('a'))
    assert.match(o.metadata!.uid!, /^[0-9a-f-]{36}$/)
    assert.ok(o.metadata!.creationTimestamp)
    assert.equal(o.metadata!.resourceVersion, String(await store.currentRevision()))
    await rejects(client.create(cms(), cm('a')), 409, 'AlreadyExists')
  })

  it('refuses a stale resourceVersion with 409 Conflict and writes nothing', async () => {
    const o = await client.create(cms(), cm('b'))
    await client.update({ ...cms(), name: 'b' }, { ...o, data: { k: 'v2' } })
    const rev = await store.currentRevision()
    const err = await rejects(client.update({ ...cms(), name: 'b' }, { ...o, data: { k: 'v3' } }), 409, 'Conflict')
    assert.match(err.message, /the object has been modified/)
    assert.equal(await store.currentRevision(), rev)
  })

  it('retries concurrent patches that pin no resourceVersion instead of answering 409', async () => {
    await client.create(cms(), cm('busy'))
    const patches = Array.from({ length: 12 }, (_, i) => client.patch({ ...cms(), name: 'busy' }, { data: { [`p${i}`]: String(i) } }))
    await Promise.all(patches)
    const o = (await client.get({ ...cms(), name: 'busy' })) as KObject & { data: Record<string, string> }
    assert.equal(Object.keys(o.data).filter((k) => k.startsWith('p')).length, 12)
    // a patch that pins a stale resourceVersion is still a conflict
    await rejects(client.patch({ ...cms(), name: 'busy' }, { metadata: { resourceVersion: '1' }, data: { late: 'x' } }), 409, 'Conflict')
  })

  it('does not write an update that changes nothing', async () => {
    const o = await client.create(cms(), cm('c'))
    const rev = await store.currentRevision()
    const same = await client.update({ ...cms(), name: 'c' }, o)
    assert.equal(same.metadata!.resourceVersion, o.metadata!.resourceVersion)
    assert.equal(await store.currentRevision(), rev)
  })

  it('lists with label selectors and pages with limit/continue', async () => {
    for (const n of ['p1', 'p2', 'p3']) await client.create(cms('default'), { ...cm(n), metadata: { name: n, labels: { page: 'yes' } } })
    const first = await client.list(cms(), { labelSelector: 'page=yes', limit: 2 })
    assert.equal(first.items.length, 2)
    assert.ok(first.metadata.continue)
    const rest = await client.list(cms(), { labelSelector: 'page=yes', limit: 2, continue: first.metadata.continue })
    assert.deepEqual(
      [...first.items, ...rest.items].map((i) => i.metadata!.name),
      ['p1', 'p2', 'p3'],
    )
    assert.equal(rest.metadata.continue, undefined)
  })

  it('turns an unknown field with control characters into a header-safe warning, not a 500', async () => {
    // what the fuzz test sent: a YAML body whose only key is "k8s<NUL><DEL>"
    const code = await http1('POST', '/api/v1/namespaces/default/configmaps', Buffer.from([107, 56, 115, 0, 127, 58]), 'application/yaml')
    assert.ok(code >= 400 && code < 500, `answered ${code}`)
  })

  it('answers unknown namespaces with 404 and bad bodies with 400 Status, and keeps serving', async () => {
    await rejects(client.create(cms('nowhere'), cm('x', 'nowhere')), 404, 'NotFound')
    await rejects(client.request('POST', '/api/v1/namespaces/default/configmaps', { body: '{not json' }), 400, 'BadRequest')
    await rejects(client.request('POST', '/api/v1/namespaces/default/configmaps', { body: 'a: b', contentType: 'text/csv' }), 415, 'UnsupportedMediaType')
    await rejects(client.create(cms(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }), 422, 'Invalid')
    assert.ok((await client.list(cms())).items.length > 0)
  })

  it('streams watch events from a resourceVersion and ends a compacted one with 410', async () => {
    const start = await client.list(cms())
    const events: WatchEvent[] = []
    const done = new Promise<void>((resolve) => {
      const w = client.watch(
        cms(),
        { resourceVersion: start.metadata.resourceVersion },
        (e) => {
          events.push(e)
          if (events.length === 2) w.stop()
        },
        () => resolve(),
      )
    })
    const o = await client.create(cms(), cm('w'))
    await client.delete({ ...cms(), name: 'w' })
    await done
    assert.deepEqual(
      events.map((e) => `${e.type}:${e.object.metadata?.name}`),
      ['ADDED:w', 'DELETED:w'],
    )
    assert.ok(Number(events[1]!.object.metadata!.resourceVersion) > Number(o.metadata!.resourceVersion))

    await store.compact(await store.currentRevision())
    const errors: WatchEvent[] = []
    await new Promise<void>((resolve) =>
      client.watch(
        cms(),
        { resourceVersion: start.metadata.resourceVersion },
        (e) => errors.push(e),
        () => resolve(),
      ),
    )
    assert.equal(errors[0]?.type, 'ERROR')
    assert.equal((errors[0]?.object as { code?: number }).code, 410)
  })

  it('binds a pod once through pods/binding', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } }
    // no controller manager here: make the `default` service account the ServiceAccount admission needs
    await client.create(
      { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default' },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
    )
    await client.create({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, pod)
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }
    const path = { group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'p', subresource: 'binding' }
    await client.create(path, binding)
    const bound = (await client.get({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'p' })) as KObject & {
      spec: { nodeName: string }
    }
    assert.equal(bound.spec.nodeName, 'n1')
    await rejects(client.create(path, { ...binding, target: { kind: 'Node', name: 'n2' } }), 409, 'Conflict')
  })

  it('creates a ReplicaSet with the empty status upstream reads as replicas 0', async () => {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
      },
      status: { replicas: 7 },
    }
    const created = (await client.create({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: 'default' }, rs)) as KObject & { status: unknown }
    assert.deepEqual(created.status, { replicas: 0 })
  })
})

describe('the request pipeline (pipeline.ts) is the path a create walks', () => {
  it('a pod create records the phases of PIPELINE in its order', async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    const server = new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving })
    await server.start()
    try {
      const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
      const client = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem })
      await client.create(
        { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default' },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
      )
      const before = server.trace.since(0, 100_000).entries.length
      await client.create(
        { group: '', version: 'v1', resource: 'pods', namespace: 'default' },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
      )
      client.close()
      const entries = server.trace.since(0, 100_000).entries.slice(before) as Array<{
        kind: string
        phase?: string
        requestId?: string
        resource?: string
        outcome?: string
      }>
      const id = entries.find((e) => e.kind === 'request' && e.resource === 'pods')!.requestId
      const walked = entries
        .filter((e) => e.requestId === id && !(e.kind === 'store' && e.outcome === 'sent'))
        .map((e) => (e.kind === 'phase' ? e.phase! : e.kind))
      const dedup = walked.filter((p, i) => p !== walked[i - 1])
      const listed = PIPELINE.map((s) => s.trace)
        .filter(Boolean)
        .filter((p, i, all) => p !== all[i - 1])
      // every phase the create recorded is on the list, in the list's order (stages a create skips are absent)
      let at = 0
      for (const p of dedup) {
        const found = listed.indexOf(p, at)
        assert.ok(found >= 0, `phase ${p} (after ${listed[at - 1] ?? 'start'}) is not where PIPELINE lists it: walked ${dedup.join(' > ')}`)
        at = found + 1
      }
      assert.deepEqual(dedup, [
        'request',
        'audit',
        'authentication',
        'authorization',
        'mutating-admission',
        'validation',
        'validating-admission',
        'store',
        'response',
      ])
    } finally {
      await server.stop()
    }
  })
})
