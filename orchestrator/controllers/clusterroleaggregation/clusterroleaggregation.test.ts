import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiServer } from '../../apiserver/server.js'
import { ApiClient } from '../../client/client.js'
import { createCertificateAuthority, Identities } from '../../pki/pki.js'
import { MemoryStore } from '../../store/memory.js'
import { ControllerManager } from '../manager.js'
import { aggregatedRules, type ClusterRole, type PolicyRule } from './clusterroleaggregation.js'

const role = (name: string, labels: Record<string, string>, rules: PolicyRule[], selectors?: ClusterRole['aggregationRule']): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(selectors !== undefined ? { aggregationRule: selectors } : {}),
})
const pods: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods'] }
const secrets: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['secrets'] }
const deploys: PolicyRule = { verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }
const toMonitoring = { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }] }
const label = { 'rbac.example.com/aggregate-to-monitoring': 'true' }

describe('the rules of an aggregated ClusterRole', () => {
  const cases: [string, ClusterRole, ClusterRole[], PolicyRule[] | undefined][] = [
    ['a role without an aggregationRule is left alone', role('plain', {}, [pods]), [role('b', label, [secrets])], undefined],
    [
      'the union of the matching roles, in name order',
      role('monitoring', {}, [], toMonitoring),
      [role('z', label, [deploys]), role('a', label, [pods]), role('other', {}, [secrets])],
      [pods, deploys],
    ],
    [
      'a rule two roles grant is listed once',
      role('monitoring', {}, [], toMonitoring),
      [role('a', label, [pods]), role('b', label, [{ ...pods, resourceNames: [] }, secrets])],
      [pods, secrets],
    ],
    ['what a user wrote into it is replaced', role('monitoring', {}, [deploys], toMonitoring), [role('a', label, [pods])], [pods]],
    [
      'the role never gathers itself',
      role('monitoring', label, [deploys], toMonitoring),
      [role('monitoring', label, [deploys]), role('a', label, [pods])],
      [pods],
    ],
    ['no match: no rules', role('monitoring', {}, [pods], toMonitoring), [role('a', {}, [secrets])], []],
    [
      'an empty selector gathers every other role',
      role('all', {}, [], { clusterRoleSelectors: [{}] }),
      [role('a', {}, [pods]), role('b', {}, [secrets])],
      [pods, secrets],
    ],
    [
      'each selector in turn',
      role('m', {}, [], { clusterRoleSelectors: [{ matchLabels: { x: '2' } }, { matchExpressions: [{ key: 'x', operator: 'In', values: ['1'] }] }] }),
      [role('a', { x: '1' }, [pods]), role('b', { x: '2' }, [secrets])],
      [secrets, pods],
    ],
  ]
  for (const [name, r, all, want] of cases)
    it(name, () => assert.deepEqual(aggregatedRules(r, [r, ...all.filter((x) => x.metadata?.name !== r.metadata?.name)]), want))
})

describe('the clusterrole-aggregation controller in a control plane', () => {
  let server: ApiServer
  let admin: ApiClient
  let manager: ControllerManager
  const clusterroles = (name?: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name })
  const until = async <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + 5_000
    for (;;) {
      const v = await fn()
      if (v !== undefined) return v
      if (Date.now() > end) assert.fail(what)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  const rulesOf = async (name: string) => (await admin.get<ClusterRole>(clusterroles(name))).rules ?? []

  before(async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    server = new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving })
    await server.start()
    const client = async (id: { commonName: string; organizations: readonly string[] }) => {
      const creds = await ca.issue({ ...id, organizations: [...id.organizations], usage: 'client' })
      return new ApiClient({ server: server.url, caPem: ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: id.commonName, timeoutMs: 5_000 })
    }
    admin = await client(Identities.admin)
    // the controller manager's own identity: it may `escalate` ClusterRoles, nothing more
    manager = new ControllerManager(await client(Identities.controllerManager), { controllers: ['clusterrole-aggregation'] })
    await manager.start()
  })
  after(async () => {
    await manager.stop()
    admin.close()
    await server.stop()
  })

  it('fills the bootstrap admin, edit and view roles: view in edit, edit in admin, the metrics reader in all three', async () => {
    const view = await until('view aggregated', async () => ((await rulesOf('view')).length ? rulesOf('view') : undefined))
    const edit = await until('edit aggregated with view', async () => {
      const r = await rulesOf('edit')
      return r.length > view.length ? r : undefined
    })
    const admin_ = await until('admin aggregated with edit', async () => {
      const r = await rulesOf('admin')
      return r.length > edit.length ? r : undefined
    })
    const has = (rules: PolicyRule[], verb: string, resource: string) => rules.some((r) => r.verbs?.includes(verb) && r.resources?.includes(resource))
    assert.deepEqual(
      [
        has(view, 'list', 'pods'),
        has(view, 'create', 'pods'),
        has(edit, 'list', 'pods'),
        has(edit, 'create', 'pods'),
        has(admin_, 'create', 'pods'),
        has(admin_, 'create', 'rolebindings'),
        has(edit, 'create', 'rolebindings'),
      ],
      [true, false, true, true, true, true, false],
    )
    for (const rules of [view, edit, admin_])
      assert.ok(
        rules.some((r) => r.apiGroups?.includes('metrics.k8s.io')),
        'the metrics reader aggregates into view, edit and admin',
      )
  })

  it('gathers a new labelled role, and puts back what a user wrote into an aggregated one', async () => {
    await admin.create(clusterroles(), role('monitoring', {}, [], toMonitoring))
    await admin.create(clusterroles(), role('pod-reader', label, [pods]))
    await until('monitoring gathers pod-reader', async () => ((await rulesOf('monitoring')).length === 1 ? true : undefined))
    assert.deepEqual(await rulesOf('monitoring'), [pods])
    const current = await admin.get<ClusterRole>(clusterroles('monitoring'))
    await admin.update(clusterroles('monitoring'), { ...current, rules: [secrets] })
    await until('the controller overwrites the hand-written rules', async () =>
      JSON.stringify(await rulesOf('monitoring')) === JSON.stringify([pods]) ? true : undefined,
    )
    await admin.delete(clusterroles('pod-reader'))
    await until('a deleted role leaves the aggregate', async () => ((await rulesOf('monitoring')).length === 0 ? true : undefined))
  })
})
