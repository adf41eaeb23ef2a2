import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { ApiClient } from '../../client/client.js'
import type { MemoryStore } from '../../store/memory.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'

const ssar = { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews' }
const review = (attrs: Record<string, string>): KObject =>
  ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } }) as KObject
type Answer = KObject & { status: { allowed: boolean; reason?: string; userInfo?: { username: string; groups: string[] } } }

describe('reviews (kubectl auth can-i / whoami)', () => {
  let api: TestApiServer
  let store: MemoryStore
  let admin: ApiClient
  let bob: ApiClient

  before(async () => {
    api = await startTestApiServer()
    store = api.store
    admin = api.admin
    bob = await api.clientFor({ commonName: 'bob', organizations: ['dev'] })
  })

  after(() => api.stop())

  it('answers through the same authorizers as real requests, and stores nothing', async () => {
    const rev = await store.currentRevision()
    const yes = (await admin.create(ssar, review({ verb: 'delete', resource: 'pods', namespace: 'default' }))) as Answer
    assert.equal(yes.status.allowed, true)
    const no = (await bob.create(ssar, review({ verb: 'list', resource: 'pods', namespace: 'default' }))) as Answer
    assert.equal(no.status.allowed, false)
    assert.equal(await store.currentRevision(), rev)
  })

  it('follows a RoleBinding: bob may list pods in his namespace only', async () => {
    await admin.create({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', namespace: 'default' }, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'reader', namespace: 'default' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    } as KObject)
    await admin.create({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespace: 'default' }, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'bob-reads', namespace: 'default' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    } as KObject)
    const here = (await bob.create(ssar, review({ verb: 'list', resource: 'pods', namespace: 'default' }))) as Answer
    const there = (await bob.create(ssar, review({ verb: 'list', resource: 'pods', namespace: 'kube-system' }))) as Answer
    assert.deepEqual([here.status.allowed, there.status.allowed], [true, false])
    assert.match(here.status.reason ?? '', /allowed by RoleBinding "bob-reads\/default"/)
  })

  it('refuses a review with no attributes as 422 Invalid, and other verbs as 405', async () => {
    await assert.rejects(
      bob.create(ssar, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} } as KObject),
      (e: { code: number; reason: string }) => e.code === 422 && e.reason === 'Invalid',
    )
    await assert.rejects(admin.list(ssar), (e: { code: number; reason: string }) => e.code === 405 && e.reason === 'MethodNotAllowed')
  })

  it('lists the rules the caller holds in a namespace (SelfSubjectRulesReview, kubectl auth can-i --list)', async () => {
    const ssrr = { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews' }
    type Rules = KObject & {
      status: {
        resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[] }[]
        nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[]
        incomplete: boolean
        evaluationError?: string
      }
    }
    const rulesIn = async (c: ApiClient, namespace: string) =>
      (await c.create(ssrr, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } } as KObject)) as Rules
    const rev = await store.currentRevision()
    const here = await rulesIn(bob, 'default')
    const there = await rulesIn(bob, 'kube-system')
    const listsPods = (r: Rules) => r.status.resourceRules.some((x) => x.verbs.includes('list') && x.resources?.includes('pods'))
    assert.deepEqual([listsPods(here), listsPods(there), here.status.incomplete], [true, false, false])
    assert.ok(
      here.status.resourceRules.some((x) => x.resources?.includes('selfsubjectrulesreviews')),
      'system:basic-user lets everyone ask',
    )
    assert.ok(here.status.nonResourceRules.some((x) => x.nonResourceURLs?.includes('/healthz')))
    assert.equal(await store.currentRevision(), rev)
    await assert.rejects(
      bob.create(ssrr, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: {} } as KObject),
      (e: { code: number; message: string }) => e.code === 400 && e.message === 'no namespace on request',
    )
    // a node's rules depend on its pods: not enumerable; a binding to a missing role is an evaluation error
    const node = await api.clientFor({ commonName: 'system:node:n1', organizations: ['system:nodes'] })
    const nodeRules = await rulesIn(node, 'default')
    assert.deepEqual([nodeRules.status.incomplete, nodeRules.status.evaluationError], [true, 'node authorizer does not support user rule resolution'])
    await admin.create({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespace: 'default' }, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'bob-ghost', namespace: 'default' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ghost' },
    } as KObject)
    assert.equal((await rulesIn(bob, 'default')).status.evaluationError, 'clusterrole.rbac.authorization.k8s.io "ghost" not found')
  })

  it('tells the caller who it is (SelfSubjectReview)', async () => {
    const me = (await bob.create({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews' }, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    } as KObject)) as Answer
    assert.equal(me.status.userInfo?.username, 'bob')
    assert.ok(me.status.userInfo?.groups.includes('dev'))
    assert.ok(me.status.userInfo?.groups.includes('system:authenticated'))
  })
})
