import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { AuthorizationAttributes } from '../auth.js'
import { bootstrapObjects } from './bootstrappolicy.js'
import { NodeAuthorizer } from './node.js'
import { RBACAuthorizer, ruleAllows, type PolicyRule, type RbacResource } from './rbac.js'

const req = (verb: string, resource: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({
  user: { name: 'alice', groups: ['dev', 'system:authenticated'] },
  verb,
  isResourceRequest: true,
  path: '',
  apiGroup: '',
  apiVersion: 'v1',
  resource,
  subresource: '',
  namespace: 'team-a',
  name: '',
  ...extra,
})

describe('RBAC rule matching', () => {
  const cases: [string, PolicyRule, AuthorizationAttributes, boolean][] = [
    ['verb and resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, req('get', 'pods'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, req('delete', 'pods'), false],
    ['other group', { verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }, req('get', 'pods'), false],
    [
      'subresource needs its own rule',
      { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] },
      req('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' }),
      false,
    ],
    [
      'deployments/scale',
      { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale'] },
      req('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' }),
      true,
    ],
    [
      '*/scale',
      { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] },
      req('update', 'replicasets', { apiGroup: 'apps', subresource: 'scale' }),
      true,
    ],
    [
      'resourceNames match',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      req('get', 'configmaps', { name: 'a' }),
      true,
    ],
    [
      'resourceNames never match a create',
      { verbs: ['create'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      req('create', 'configmaps'),
      false,
    ],
    ['non-resource URL prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, req('get', '', { isResourceRequest: false, path: '/apis/apps/v1' }), true],
    ['non-resource URL exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, req('get', '', { isResourceRequest: false, path: '/debug/trace' }), false],
  ]
  for (const [name, rule, attrs, want] of cases) it(name, () => assert.equal(ruleAllows(attrs, rule), want))
})

function source(objects: Record<string, KObject[]>) {
  return {
    list: async (resource: RbacResource, namespace: string) => objects[`${resource}/${namespace}`] ?? [],
    get: async (resource: 'roles' | 'clusterroles', namespace: string, name: string) =>
      (objects[`${resource}/${namespace}`] ?? []).find((o) => o.metadata?.name === name),
  }
}

describe('RBAC authorizer', () => {
  const boot = bootstrapObjects()
  const objects: Record<string, KObject[]> = {
    'clusterroles/': boot.filter((b) => b.resource === 'clusterroles').map((b) => b.object),
    'clusterrolebindings/': boot.filter((b) => b.resource === 'clusterrolebindings').map((b) => b.object),
    'roles/team-a': [{ metadata: { name: 'deployer' }, rules: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }] } as KObject],
    'rolebindings/team-a': [
      { metadata: { name: 'devs' }, subjects: [{ kind: 'Group', name: 'dev' }], roleRef: { kind: 'Role', name: 'deployer' } } as KObject,
      {
        metadata: { name: 'ci' },
        subjects: [{ kind: 'ServiceAccount', name: 'jenkins' }],
        roleRef: { kind: 'ClusterRole', name: 'system:aggregate-to-view' },
      } as KObject,
    ],
  }
  const rbac = new RBACAuthorizer(source(objects))

  it('allows through a group binding, saying which binding', async () => {
    const d = await rbac.authorize(req('create', 'deployments', { apiGroup: 'apps' }))
    assert.deepEqual(d, { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "devs/team-a" of Role "deployer" to Group "dev"' })
  })
  it('has no opinion on what nothing grants', async () => {
    assert.equal((await rbac.authorize(req('delete', 'deployments', { apiGroup: 'apps' }))).decision, 'noOpinion')
    assert.equal((await rbac.authorize(req('create', 'deployments', { apiGroup: 'apps', namespace: 'team-b' }))).decision, 'noOpinion')
  })
  it('binds a service account in the binding namespace', async () => {
    const sa = { name: 'system:serviceaccount:team-a:jenkins', groups: ['system:serviceaccounts', 'system:authenticated'] }
    assert.equal((await rbac.authorize(req('list', 'pods', { user: sa }))).decision, 'allow')
    assert.equal((await rbac.authorize(req('create', 'pods', { user: sa }))).decision, 'noOpinion')
  })
  it('lets the scheduler bind pods but not delete deployments', async () => {
    const scheduler = { name: 'system:kube-scheduler', groups: ['system:authenticated'] }
    assert.equal((await rbac.authorize(req('create', 'pods', { user: scheduler, subresource: 'binding' }))).decision, 'allow')
    assert.equal((await rbac.authorize(req('delete', 'deployments', { user: scheduler, apiGroup: 'apps' }))).decision, 'noOpinion')
  })
  it('lets every authenticated user read discovery', async () => {
    assert.equal((await rbac.authorize(req('get', '', { isResourceRequest: false, path: '/apis' }))).decision, 'allow')
  })
})

describe('Node authorizer', () => {
  const node = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] }
  const pods = [{ metadata: { name: 'p' }, spec: { nodeName: 'n1', volumes: [{ configMap: { name: 'cfg' } }] } }]
  const authz = new NodeAuthorizer({ pods: async () => pods })
  const cases: [string, Partial<AuthorizationAttributes>, string][] = [
    ['its own lease', { verb: 'update', resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' }, 'allow'],
    ['another lease', { verb: 'update', resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' }, 'noOpinion'],
    ['a config map its pod mounts', { verb: 'get', resource: 'configmaps', name: 'cfg' }, 'allow'],
    ['a config map no pod of it uses', { verb: 'get', resource: 'configmaps', name: 'other' }, 'noOpinion'],
    ['pod status', { verb: 'patch', resource: 'pods', subresource: 'status', name: 'p' }, 'allow'],
    ['deleting deployments', { verb: 'delete', resource: 'deployments', apiGroup: 'apps', name: 'd' }, 'noOpinion'],
  ]
  for (const [name, a, want] of cases)
    it(name, async () => assert.equal((await authz.authorize(req(a.verb!, a.resource!, { user: node, ...a }))).decision, want))
})
