import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { RESOURCES, type ResourceInfo } from '../../api/resources.js'
import { buildOpenApiSpecs, etagOf, sortKeys, toV3Definition, toV3Schema, type OpenApiSpecs } from './documents.js'
import type { Schema } from './declarations.js'
import { FIELD_EXTENSIONS } from './extensions.js'
import { gvPath, gvTag } from './paths.js'

let specs: OpenApiSpecs
const v2defs = (): Record<string, Schema> => specs.v2.document.definitions as Record<string, Schema>
const v3doc = (gv: string): Schema => specs.v3.get(gv)!.document
const v3schemas = (gv: string): Record<string, Schema> => (v3doc(gv).components as { schemas: Record<string, Schema> }).schemas
const prop = (defs: Record<string, Schema>, def: string, field: string): Schema => (defs[def]!.properties as Record<string, Schema>)[field]!

/** Every `$ref` in a JSON value. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out))
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref') out.push(String(x))
      else refs(x, out)
    }
  return out
}

describe('the OpenAPI documents of the resource table', { timeout: 120_000 }, () => {
  before(async () => {
    specs = await buildOpenApiSpecs(RESOURCES)
    // the cost of a first request for a document (served.ts builds them then, in a worker)
    console.log(`openapi: ${specs.stats.definitions} definitions, v2 ${specs.stats.v2Bytes} B, v3 ${specs.stats.v3Bytes} B, built in ${specs.stats.buildMs} ms`)
  })

  const kinds: [string, string, { group: string; kind: string; version: string }][] = [
    ['api/v1', 'io.k8s.api.core.v1.Pod', { group: '', kind: 'Pod', version: 'v1' }],
    ['api/v1', 'io.k8s.api.core.v1.ConfigMapList', { group: '', kind: 'ConfigMapList', version: 'v1' }],
    ['apis/apps/v1', 'io.k8s.api.apps.v1.Deployment', { group: 'apps', kind: 'Deployment', version: 'v1' }],
    ['apis/rbac.authorization.k8s.io/v1', 'io.k8s.api.rbac.v1.ClusterRole', { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', version: 'v1' }],
    ['apis/autoscaling/v2', 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', version: 'v2' }],
    [
      'apis/apiregistration.k8s.io/v1',
      'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
      { group: 'apiregistration.k8s.io', kind: 'APIService', version: 'v1' },
    ],
    ['apis/apps/v1', 'io.k8s.api.autoscaling.v1.Scale', { group: 'autoscaling', kind: 'Scale', version: 'v1' }],
  ]
  for (const [gv, name, gvk] of kinds)
    it(`${gv} has ${name} with its group-version-kind, in v2 and v3`, () => {
      assert.deepEqual(v3schemas(gv)[name]!['x-kubernetes-group-version-kind'], [gvk])
      assert.deepEqual(v2defs()[name]!['x-kubernetes-group-version-kind'], [gvk])
      assert.equal(v3schemas(gv)[name]!.type, 'object')
    })

  const extensions: [string, string, string, Schema][] = [
    [
      'io.k8s.api.core.v1.PodSpec',
      'containers',
      'api/v1',
      {
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
    ],
    [
      'io.k8s.api.core.v1.Container',
      'ports',
      'apis/apps/v1',
      {
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      },
    ],
    [
      'io.k8s.api.core.v1.PodSpec',
      'volumes',
      'api/v1',
      {
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
    ],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers', 'api/v1', { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' }],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'conditions', 'apis/apps/v1', { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge' }],
    ['io.k8s.api.core.v1.Container', 'command', 'api/v1', { 'x-kubernetes-list-type': 'atomic' }],
  ]
  for (const [def, field, gv, ext] of extensions)
    it(`${def}.${field} carries upstream's list and patch extensions`, () => {
      for (const defs of [v2defs(), v3schemas(gv)]) {
        const p = prop(defs, def, field)
        for (const [k, v] of Object.entries(ext)) assert.deepEqual(p[k], v, `${def}.${field} ${k}`)
      }
    })

  it('names only fields that exist in its extension table', () => {
    for (const [def, fields] of Object.entries(FIELD_EXTENSIONS)) {
      const d = v2defs()[def]
      if (!d) continue // a definition no served kind reaches
      for (const field of Object.keys(fields)) assert.ok(prop(v2defs(), def, field), `${def} has no field ${field}`)
    }
  })

  it('writes $refs as upstream does: #/definitions in v2, #/components/schemas in v3, allOf around a described one', () => {
    assert.deepEqual(prop(v2defs(), 'io.k8s.api.core.v1.Pod', 'spec'), {
      $ref: '#/definitions/io.k8s.api.core.v1.PodSpec',
      description: prop(v2defs(), 'io.k8s.api.core.v1.Pod', 'spec').description,
    })
    const spec = prop(v3schemas('api/v1'), 'io.k8s.api.core.v1.Pod', 'spec')
    assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }])
    assert.match(String(spec.description), /^Specification of the desired behavior of the pod/)
    assert.deepEqual(toV3Schema({ items: { $ref: '#/definitions/x' }, type: 'array' }), { items: { $ref: '#/components/schemas/x' }, type: 'array' })
  })

  it('resolves every $ref in v2 and in each v3 document', () => {
    for (const r of refs(specs.v2.document.definitions)) assert.ok(v2defs()[r.replace('#/definitions/', '')], `v2: ${r}`)
    for (const [gv] of specs.v3) for (const r of refs(v3doc(gv))) assert.ok(v3schemas(gv)[r.replace('#/components/schemas/', '')], `${gv}: ${r}`)
  })

  it('keeps v2 and v3 consistent: every v3 schema is the v2 definition of that name, rewritten', () => {
    for (const [gv] of specs.v3)
      for (const [name, s] of Object.entries(v3schemas(gv))) assert.deepEqual(s, sortKeys(toV3Definition(name, v2defs()[name]!)), `${gv}: ${name}`)
  })

  it('has, for every row of the resource table, its schema and a PATCH or POST that takes fieldValidation', () => {
    for (const r of RESOURCES) {
      const doc = v3doc(gvPath(r.group, r.version))
      const ops = Object.values(doc.paths as Record<string, Record<string, Schema>>)
        .flatMap((item) => Object.values(item))
        .filter((op) => {
          const g = op['x-kubernetes-group-version-kind'] as { kind?: string } | undefined
          return g?.kind === r.kind && ['patch', 'post'].includes(String(op['x-kubernetes-action']))
        })
      assert.ok(ops.length, `${r.kind}: no write operation`)
      for (const op of ops)
        assert.ok(
          (op.parameters as Schema[]).some((p) => p.name === 'fieldValidation' && p.in === 'query'),
          `${r.kind}: ${String(op.operationId)}`,
        )
      if (!r.ephemeral)
        assert.ok(
          ops.some((op) => op['x-kubernetes-action'] === 'patch'),
          `${r.kind}: no patch operation`,
        )
      assert.ok(
        Object.values(v3schemas(gvPath(r.group, r.version))).some((s) =>
          JSON.stringify(s['x-kubernetes-group-version-kind'] ?? []).includes(`"kind":"${r.kind}"`),
        ),
      )
    }
  })

  it('names operations and tags as upstream', () => {
    const pods = (v3doc('api/v1').paths as Record<string, Record<string, Schema>>)['/api/v1/namespaces/{namespace}/pods']!
    assert.equal(pods.post!.operationId, 'createCoreV1NamespacedPod')
    assert.equal(pods.get!.operationId, 'listCoreV1NamespacedPod')
    assert.deepEqual(pods.post!.tags, ['core_v1'])
    assert.equal(gvTag('rbac.authorization.k8s.io', 'v1'), 'rbacAuthorization_v1')
    const scale = (v3doc('apis/apps/v1').paths as Record<string, Record<string, Schema>>)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!
    assert.equal(scale.patch!.operationId, 'patchAppsV1NamespacedDeploymentScale')
  })

  it('gives each v3 document in the root with the hash of its bytes', () => {
    const root = JSON.parse(specs.v3Root.json) as { paths: Record<string, { serverRelativeURL: string }> }
    assert.deepEqual(Object.keys(root.paths).sort(), [...specs.v3.keys()].sort())
    for (const [gv, d] of specs.v3) {
      assert.equal(root.paths[gv]!.serverRelativeURL, `/openapi/v3/${gv}?hash=${etagOf(d.json)}`)
      assert.match(d.etag, /^[0-9A-F]{128}$/)
    }
  })

  it('carries upstream descriptions and formats', () => {
    assert.match(String(prop(v2defs(), 'io.k8s.api.core.v1.PodSpec', 'containers').description), /^List of containers belonging to the pod/)
    assert.deepEqual(prop(v2defs(), 'io.k8s.api.core.v1.ContainerPort', 'containerPort').format, 'int32')
    assert.deepEqual(prop(v2defs(), 'io.k8s.api.core.v1.Secret', 'data').additionalProperties, { format: 'byte', type: 'string' })
    assert.deepEqual(v2defs()['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string')
    const intOrString = v3schemas('api/v1')['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!
    assert.deepEqual([intOrString.type, intOrString.oneOf], [undefined, [{ type: 'integer' }, { type: 'string' }]])
    assert.deepEqual(v2defs()['io.k8s.api.core.v1.Pod']!.required, undefined, 'apiVersion and kind are not required')
  })
})

describe('a kind added to the resource table', { timeout: 120_000 }, () => {
  // rows as other kinds will be added: nothing but the row is needed for their schemas
  const row = (group: string, version: string, kind: string, resource: string): ResourceInfo => ({
    group,
    version,
    kind,
    resource,
    singular: kind.toLowerCase(),
    namespaced: true,
    subresources: ['status'],
    storagePrefix: `/registry/${resource}`,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  })
  const rows = [
    row('batch', 'v1', 'Job', 'jobs'),
    row('batch', 'v1', 'CronJob', 'cronjobs'),
    row('apps', 'v1', 'StatefulSet', 'statefulsets'),
    row('apps', 'v1', 'DaemonSet', 'daemonsets'),
    row('apps', 'v1', 'ControllerRevision', 'controllerrevisions'),
    row('', 'v1', 'ReplicationController', 'replicationcontrollers'),
    row('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  ]
  let added: OpenApiSpecs
  before(async () => {
    added = await buildOpenApiSpecs(rows)
  })

  for (const r of rows)
    it(`${r.group || 'core'}/${r.version} ${r.kind} gets its schema, its list's and a patch operation`, () => {
      const gv = gvPath(r.group, r.version)
      const schemas = (added.v3.get(gv)!.document.components as { schemas: Record<string, Schema> }).schemas
      const gvks = Object.values(schemas).flatMap((s) => (s['x-kubernetes-group-version-kind'] as { kind: string; version: string }[] | undefined) ?? [])
      assert.ok(gvks.some((g) => g.kind === r.kind && g.version === r.version))
      assert.ok(gvks.some((g) => g.kind === `${r.kind}List`))
      const paths = added.v3.get(gv)!.document.paths as Record<string, Record<string, Schema>>
      assert.ok(Object.values(paths).some((item) => (item.patch?.['x-kubernetes-group-version-kind'] as { kind?: string } | undefined)?.kind === r.kind))
    })

  it('names only fields that exist, for the kinds being added too', () => {
    const defs = added.v2.document.definitions as Record<string, Schema>
    for (const [def, fields] of Object.entries(FIELD_EXTENSIONS))
      if (defs[def]) for (const field of Object.keys(fields)) assert.ok(prop(defs, def, field), `${def} has no field ${field}`)
    assert.equal(prop(defs, 'io.k8s.api.apps.v1.StatefulSetStatus', 'conditions')['x-kubernetes-patch-merge-key'], 'type')
  })
})
