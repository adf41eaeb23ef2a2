import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lookupResource, RESOURCES, resourcesIn, servedGroups, versionsOf } from './resources.js'

// What `kubectl api-resources -o wide` prints for upstream's built-in kinds (Kubernetes 1.32):
// short names, categories (`kubectl get all` lists the `all` ones), scope, and the preferred
// version. Every kind the reference API server serves must have its row here and match it;
// rows of upstream kinds not served yet are checked once they are; until then they are named in
// NOT_SERVED, so serving one (or dropping one) changes what this test expects.
const UPSTREAM: { resource: string; apiVersion: string; namespaced: boolean; shortNames?: string[]; categories?: string[] }[] = [
  { resource: 'configmaps', apiVersion: 'v1', namespaced: true, shortNames: ['cm'] },
  { resource: 'endpoints', apiVersion: 'v1', namespaced: true, shortNames: ['ep'] },
  { resource: 'events', apiVersion: 'v1', namespaced: true, shortNames: ['ev'] },
  { resource: 'limitranges', apiVersion: 'v1', namespaced: true, shortNames: ['limits'] },
  { resource: 'namespaces', apiVersion: 'v1', namespaced: false, shortNames: ['ns'] },
  { resource: 'nodes', apiVersion: 'v1', namespaced: false, shortNames: ['no'] },
  { resource: 'persistentvolumeclaims', apiVersion: 'v1', namespaced: true, shortNames: ['pvc'] },
  { resource: 'persistentvolumes', apiVersion: 'v1', namespaced: false, shortNames: ['pv'] },
  { resource: 'pods', apiVersion: 'v1', namespaced: true, shortNames: ['po'], categories: ['all'] },
  { resource: 'podtemplates', apiVersion: 'v1', namespaced: true },
  { resource: 'replicationcontrollers', apiVersion: 'v1', namespaced: true, shortNames: ['rc'], categories: ['all'] },
  { resource: 'resourcequotas', apiVersion: 'v1', namespaced: true, shortNames: ['quota'] },
  { resource: 'secrets', apiVersion: 'v1', namespaced: true },
  { resource: 'serviceaccounts', apiVersion: 'v1', namespaced: true, shortNames: ['sa'] },
  { resource: 'services', apiVersion: 'v1', namespaced: true, shortNames: ['svc'], categories: ['all'] },
  { resource: 'apiservices.apiregistration.k8s.io', apiVersion: 'apiregistration.k8s.io/v1', namespaced: false, categories: ['api-extensions'] },
  { resource: 'controllerrevisions.apps', apiVersion: 'apps/v1', namespaced: true },
  { resource: 'daemonsets.apps', apiVersion: 'apps/v1', namespaced: true, shortNames: ['ds'], categories: ['all'] },
  { resource: 'deployments.apps', apiVersion: 'apps/v1', namespaced: true, shortNames: ['deploy'], categories: ['all'] },
  { resource: 'replicasets.apps', apiVersion: 'apps/v1', namespaced: true, shortNames: ['rs'], categories: ['all'] },
  { resource: 'statefulsets.apps', apiVersion: 'apps/v1', namespaced: true, shortNames: ['sts'], categories: ['all'] },
  { resource: 'selfsubjectreviews.authentication.k8s.io', apiVersion: 'authentication.k8s.io/v1', namespaced: false },
  { resource: 'tokenreviews.authentication.k8s.io', apiVersion: 'authentication.k8s.io/v1', namespaced: false },
  { resource: 'localsubjectaccessreviews.authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: true },
  { resource: 'selfsubjectaccessreviews.authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: false },
  { resource: 'selfsubjectrulesreviews.authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: false },
  { resource: 'subjectaccessreviews.authorization.k8s.io', apiVersion: 'authorization.k8s.io/v1', namespaced: false },
  { resource: 'horizontalpodautoscalers.autoscaling', apiVersion: 'autoscaling/v2', namespaced: true, shortNames: ['hpa'], categories: ['all'] },
  { resource: 'cronjobs.batch', apiVersion: 'batch/v1', namespaced: true, shortNames: ['cj'], categories: ['all'] },
  { resource: 'jobs.batch', apiVersion: 'batch/v1', namespaced: true, categories: ['all'] },
  { resource: 'leases.coordination.k8s.io', apiVersion: 'coordination.k8s.io/v1', namespaced: true },
  { resource: 'endpointslices.discovery.k8s.io', apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  { resource: 'ingressclasses.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', namespaced: false },
  { resource: 'ingresses.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', namespaced: true, shortNames: ['ing'] },
  { resource: 'networkpolicies.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', namespaced: true, shortNames: ['netpol'] },
  { resource: 'poddisruptionbudgets.policy', apiVersion: 'policy/v1', namespaced: true, shortNames: ['pdb'] },
  { resource: 'clusterrolebindings.rbac.authorization.k8s.io', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  { resource: 'clusterroles.rbac.authorization.k8s.io', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  { resource: 'rolebindings.rbac.authorization.k8s.io', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  { resource: 'roles.rbac.authorization.k8s.io', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  { resource: 'priorityclasses.scheduling.k8s.io', apiVersion: 'scheduling.k8s.io/v1', namespaced: false, shortNames: ['pc'] },
  { resource: 'storageclasses.storage.k8s.io', apiVersion: 'storage.k8s.io/v1', namespaced: false, shortNames: ['sc'] },
]

const groupResource = (resource: string): { group: string; resource: string } => {
  const dot = resource.indexOf('.')
  return dot < 0 ? { group: '', resource } : { group: resource.slice(dot + 1), resource: resource.slice(0, dot) }
}

/** Upstream kinds the reference API server does not serve (yet). */
const NOT_SERVED = [
  'persistentvolumeclaims',
  'persistentvolumes',
  'podtemplates',
  'tokenreviews.authentication.k8s.io',
  'localsubjectaccessreviews.authorization.k8s.io',
  'subjectaccessreviews.authorization.k8s.io',
  'endpointslices.discovery.k8s.io',
  'ingressclasses.networking.k8s.io',
  'networkpolicies.networking.k8s.io',
  'priorityclasses.scheduling.k8s.io',
  'storageclasses.storage.k8s.io',
]

describe('the resource table as kubectl api-resources shows it', () => {
  it('the upstream kinds not served are exactly those named as such', () => {
    const unserved = UPSTREAM.map((r) => r.resource).filter((r) => {
      const { group, resource } = groupResource(r)
      return !lookupResource(group, resource)
    })
    assert.deepEqual(unserved, NOT_SERVED)
  })

  for (const row of UPSTREAM) {
    const { group, resource } = groupResource(row.resource)
    const info = lookupResource(group, resource)
    if (!info) continue
    it(`${row.resource}: short names, categories, scope and preferred version as upstream`, () => {
      assert.deepEqual(
        {
          apiVersion: group ? `${group}/${info!.version}` : info!.version,
          namespaced: info!.namespaced,
          shortNames: info!.shortNames,
          categories: info!.categories,
        },
        { apiVersion: row.apiVersion, namespaced: row.namespaced, shortNames: row.shortNames, categories: row.categories },
      )
    })
  }

  it('every served kind has its upstream row here', () => {
    const known = new Set(UPSTREAM.map((r) => r.resource))
    const missing = RESOURCES.map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource)).filter((r) => !known.has(r))
    assert.deepEqual(missing, [])
  })
})

describe('served versions', () => {
  it('HorizontalPodAutoscalers are stored as autoscaling/v2 and served as v2 and v1', () => {
    const hpa = lookupResource('autoscaling', 'horizontalpodautoscalers')!
    assert.equal(hpa.version, 'v2')
    assert.deepEqual(versionsOf(hpa), ['v2', 'v1'])
    assert.deepEqual(
      servedGroups().find((g) => g.group === 'autoscaling'),
      { group: 'autoscaling', version: 'v2', versions: ['v2', 'v1'] },
    )
    assert.deepEqual(
      resourcesIn('autoscaling', 'v1').map((r) => r.resource),
      ['horizontalpodautoscalers'],
    )
  })

  it('a kind without servedVersions is served in its one version only', () => {
    const pods = lookupResource('', 'pods')!
    assert.deepEqual(versionsOf(pods), ['v1'])
    assert.deepEqual(resourcesIn('apps', 'v2'), [])
    assert.deepEqual(servedGroups().find((g) => g.group === 'apps')?.versions, ['v1'])
  })
})
