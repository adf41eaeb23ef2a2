import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { ApiClient } from '../../client/client.js'
import { rejects, startTestApiServer, type TestApiServer } from '../testserver.testing.js'
import { compactRules, compactString, covers, escalationMessage, onlyMutatesGCFields } from './escalation.js'
import type { PolicyRule } from './rbac.js'

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
})
const u = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs })

describe('whether held rules cover the rules a role grants (Covers)', () => {
  const cases: [string, PolicyRule[], PolicyRule[], boolean][] = [
    ['the same rule', [r(['get'], [''], ['pods'])], [r(['get'], [''], ['pods'])], true],
    ['a verb not held', [r(['get'], [''], ['pods'])], [r(['get', 'delete'], [''], ['pods'])], false],
    ['split across two held rules', [r(['get'], [''], ['pods']), r(['delete'], [''], ['pods'])], [r(['get', 'delete'], [''], ['pods'])], true],
    ['* covers every verb, group and resource', [r(['*'], ['*'], ['*'])], [r(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles'])], true],
    ['a * in the granted rule is not covered by specific rules', [r(['get', 'list'], [''], ['pods'])], [r(['*'], [''], ['pods'])], false],
    ['*/scale covers any scale subresource', [r(['update'], ['apps'], ['*/scale'])], [r(['update'], ['apps'], ['deployments/scale'])], true],
    ['*/scale does not cover the resource', [r(['update'], ['apps'], ['*/scale'])], [r(['update'], ['apps'], ['deployments'])], false],
    ['a rule without names covers a named one', [r(['get'], [''], ['secrets'])], [r(['get'], [''], ['secrets'], ['a'])], true],
    ['a named rule does not cover an unnamed one', [r(['get'], [''], ['secrets'], ['a'])], [r(['get'], [''], ['secrets'])], false],
    ['URL prefix', [u(['get'], ['/apis/*'])], [u(['get'], ['/apis/apps/v1'])], true],
    ['URL not held', [u(['get'], ['/healthz'])], [u(['get'], ['/metrics'])], false],
    ['a resource rule does not cover a URL', [r(['*'], ['*'], ['*'])], [u(['*'], ['*'])], false],
    ['nothing is needed for no rules', [], [], true],
  ]
  for (const [name, owner, servant, want] of cases) it(name, () => assert.equal(covers(owner, servant).covered, want))
})

describe('the escalation message', () => {
  it('compacts missing rules that differ only by verb, sorted, in Go %q form', () => {
    const missing = covers([], [r(['get', 'list'], [''], ['pods']), u(['get'], ['/metrics'])]).missing
    assert.deepEqual(compactRules(missing).map(compactString), [
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
    ])
  })
  const user = { name: 'system:serviceaccount:ci:binder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'] }
  const cases: [string, PolicyRule[], string[], PolicyRule[], string | undefined][] = [
    ['nothing missing', [r(['*'], ['*'], ['*'])], [], [r(['get'], [''], ['pods'])], undefined],
    [
      'cluster-admin',
      [],
      [],
      [r(['*'], ['*'], ['*']), u(['*'], ['*'])],
      'user "system:serviceaccount:ci:binder" (groups=["system:serviceaccounts" "system:serviceaccounts:ci" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    ],
    [
      "with the errors met resolving the user's own rules",
      [],
      ['clusterroles.rbac.authorization.k8s.io "gone" not found'],
      [r(['get'], [''], ['pods'], ['a'])],
      'user "system:serviceaccount:ci:binder" (groups=["system:serviceaccounts" "system:serviceaccounts:ci" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], ResourceNames:["a"], Verbs:["get"]}; resolution errors: [clusterroles.rbac.authorization.k8s.io "gone" not found]',
    ],
  ]
  for (const [name, owner, errors, rules, want] of cases) it(name, () => assert.equal(escalationMessage(user, owner, errors, rules), want))

  it('lets the garbage collector change owner references and finalizers only', () => {
    const old = { metadata: { name: 'a', resourceVersion: '1' }, rules: [r(['get'], [''], ['pods'])] } as KObject
    assert.equal(onlyMutatesGCFields({ ...old, metadata: { ...old.metadata, finalizers: ['x'], resourceVersion: '2' } } as KObject, old), true)
    assert.equal(onlyMutatesGCFields({ ...old, rules: [r(['*'], ['*'], ['*'])] } as KObject, old), false)
    assert.equal(onlyMutatesGCFields(old, undefined), false)
  })
})

const RBAC = 'rbac.authorization.k8s.io'
const ref = (resource: string, namespace?: string, name?: string) => ({ group: RBAC, version: 'v1', resource, namespace, name })
const clusterRole = (name: string, rules: PolicyRule[], extra: Record<string, unknown> = {}): KObject =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name }, rules, ...extra }) as KObject
const role = (name: string, namespace: string, rules: PolicyRule[]): KObject =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace }, rules }) as KObject
const user = (name: string) => ({ kind: 'User', apiGroup: RBAC, name })
const crb = (name: string, roleName: string, subjects: unknown[]): KObject =>
  ({
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    subjects,
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName },
  }) as KObject
const rb = (name: string, namespace: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: unknown[]): KObject =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name, namespace }, subjects, roleRef: { apiGroup: RBAC, kind, name: roleName } }) as KObject

describe('escalation prevention in the API server', () => {
  let api: TestApiServer
  let admin: ApiClient
  let mallory: ApiClient
  let nsAdmin: ApiClient
  const MALLORY_GROUPS = '["dev" "system:authenticated"]'

  /** Grants `who` the rules through a ClusterRole and ClusterRoleBinding (or a Role and RoleBinding in `namespace`). */
  const grant = async (name: string, who: string, rules: PolicyRule[], namespace?: string) => {
    if (namespace) {
      await admin.create(ref('roles', namespace), role(name, namespace, rules))
      await admin.create(ref('rolebindings', namespace), rb(name, namespace, 'Role', name, [user(who)]))
    } else {
      await admin.create(ref('clusterroles'), clusterRole(name, rules))
      await admin.create(ref('clusterrolebindings'), crb(name, name, [user(who)]))
    }
  }

  before(async () => {
    api = await startTestApiServer()
    admin = api.admin
    mallory = await api.clientFor({ commonName: 'mallory', organizations: ['dev'] })
    nsAdmin = await api.clientFor({ commonName: 'nina' })
    await grant('mallory-binds', 'mallory', [r(['create', 'update', 'get'], [RBAC], ['clusterrolebindings', 'clusterroles'])])
    await admin.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } as KObject)
    await grant('nina-admin', 'nina', [r(['*'], ['', 'apps'], ['*'])], 'team-a')
    await grant('nina-writes-roles', 'nina', [r(['create', 'update', 'get'], [RBAC], ['roles', 'rolebindings'])])
  })
  after(() => api.stop())

  it('refuses to bind cluster-admin to a subject that may only create bindings, in upstream words, and writes nothing', async () => {
    const rev = await api.store.currentRevision()
    const e = await rejects(mallory.create(ref('clusterrolebindings'), crb('mallory-admin', 'cluster-admin', [user('mallory')])), 403, 'Forbidden')
    assert.equal(
      e.message,
      `clusterrolebindings.rbac.authorization.k8s.io "mallory-admin" is forbidden: user "mallory" (groups=${MALLORY_GROUPS}) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
    )
    assert.equal(await api.store.currentRevision(), rev)
  })

  it('refuses a */*/* ClusterRole and an aggregated one; checks before validation', async () => {
    const e = await rejects(mallory.create(ref('clusterroles'), clusterRole('root', [r(['*'], ['*'], ['*'])])), 403, 'Forbidden')
    assert.match(
      e.message,
      /^clusterroles\.rbac\.authorization\.k8s\.io "root" is forbidden: user "mallory" .* not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}$/,
    )
    const agg = await rejects(
      mallory.create(ref('clusterroles'), clusterRole('gather', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } })),
      403,
      'Forbidden',
    )
    assert.equal(agg.message, 'clusterroles.rbac.authorization.k8s.io "gather" is forbidden: must have cluster-admin privileges to use the aggregationRule')
    // an escalating binding that is also invalid is refused as an escalation first, as upstream's storage checks before the strategy validates
    await rejects(mallory.create(ref('clusterrolebindings'), crb('bad', 'cluster-admin', [{ kind: 'Robot', name: 'x' }])), 403, 'Forbidden')
  })

  it('allows what the subject already holds, and answers 404 for a role that does not exist', async () => {
    await mallory.create(ref('clusterroles'), clusterRole('mallory-subset', [r(['get'], [RBAC], ['clusterroles'])]))
    await mallory.create(ref('clusterrolebindings'), crb('mallory-subset', 'mallory-subset', [user('eve')]))
    const e = await rejects(mallory.create(ref('clusterrolebindings'), crb('ghost', 'no-such-role', [user('eve')])), 404, 'NotFound')
    assert.equal(e.message, 'clusterroles.rbac.authorization.k8s.io "no-such-role" not found')
  })

  it('allows binding with `bind` and writing any rules with `escalate`, as narrowly as they are granted', async () => {
    await grant('mallory-bind-admin', 'mallory', [r(['bind'], [RBAC], ['clusterroles'], ['cluster-admin'])])
    await mallory.create(ref('clusterrolebindings'), crb('eve-admin', 'cluster-admin', [user('eve')]))
    await rejects(mallory.create(ref('clusterrolebindings'), crb('eve-view', 'system:kube-scheduler', [user('eve')])), 403, 'Forbidden')
    await grant('mallory-escalate', 'mallory', [r(['escalate'], [RBAC], ['clusterroles'])])
    await mallory.create(ref('clusterroles'), clusterRole('root', [r(['*'], ['*'], ['*'])]))
    await mallory.create(ref('clusterroles'), clusterRole('gather', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } }))
  })

  it('checks updates too, but lets owner references and finalizers change', async () => {
    await grant('bob-updates', 'bob', [r(['get', 'update'], [RBAC], ['clusterroles'])])
    const bob = await api.clientFor({ commonName: 'bob' })
    const current = await admin.get(ref('clusterroles', undefined, 'bob-updates'))
    await rejects(
      bob.update(ref('clusterroles', undefined, 'bob-updates'), {
        ...current,
        rules: [...((current as { rules: PolicyRule[] }).rules ?? []), r(['delete'], [''], ['secrets'])],
      } as KObject),
      403,
      'Forbidden',
    )
    await bob.update(ref('clusterroles', undefined, 'bob-updates'), {
      ...current,
      metadata: { ...current.metadata, finalizers: ['example.com/keep'] },
    } as KObject)
  })

  it('judges a Role by what the subject holds in its namespace, cluster-wide rules included', async () => {
    await nsAdmin.create(ref('roles', 'team-a'), role('pod-admin', 'team-a', [r(['get', 'delete'], [''], ['pods'])]))
    await nsAdmin.create(ref('rolebindings', 'team-a'), rb('bob-pods', 'team-a', 'Role', 'pod-admin', [user('bob')]))
    // the same rules in another namespace, or rules she does not hold, are escalations
    const other = await rejects(nsAdmin.create(ref('roles', 'default'), role('pod-admin', 'default', [r(['get'], [''], ['pods'])])), 403, 'Forbidden')
    assert.match(
      other.message,
      /^roles\.rbac\.authorization\.k8s\.io "pod-admin" is forbidden: user "nina" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["get"\]\}$/,
    )
    await rejects(nsAdmin.create(ref('roles', 'team-a'), role('rbac', 'team-a', [r(['delete'], [RBAC], ['roles'])])), 403, 'Forbidden')
    await rejects(
      nsAdmin.create(ref('rolebindings', 'team-a'), rb('bob-sched', 'team-a', 'ClusterRole', 'system:kube-scheduler', [user('bob')])),
      403,
      'Forbidden',
    )
  })

  it('never checks system:masters, so the API server can write its bootstrap policy', async () => {
    await admin.create(ref('clusterrolebindings'), crb('ops-admin', 'cluster-admin', [user('ops')]))
    const boot = await admin.get(ref('clusterrolebindings', undefined, 'cluster-admin'))
    assert.equal(boot.metadata?.name, 'cluster-admin')
  })
})
