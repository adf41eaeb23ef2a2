// The OpenAPI documents the API server serves, built from the resource table: /openapi/v2 (one
// swagger 2.0 document, `#/definitions/...`) and /openapi/v3 (a root that names one document per
// group version, each with its paths and `components.schemas`, `$ref`s to
// `#/components/schemas/...`, wrapped in `allOf` where a field adds a description, as
// kube-openapi writes them). Definitions come from kubernetes-models (declarations.ts) with the
// x-kubernetes-group-version-kind of every served kind and list and the list and patch extensions
// (extensions.ts). Built on first use in a worker thread (served.ts), never at boot; each
// document carries upstream's ETag (the SHA-512 of its bytes), which the v3 root also gives as
// the `hash` of each document's URL.
// Simplifies: keys are sorted as Go's encoding of maps sorts them; no `default` values.

import { createHash } from 'node:crypto'
import { goJson } from '../../api/json.js'
import { versionsOf, type ResourceInfo } from '../../api/resources.js'
import { KUBERNETES_VERSION } from '../../api/version.js'
import { Declarations, V2_REF, type KindRef, type Schema, type TypeScriptApi } from './declarations.js'
import { withExtensions } from './extensions.js'
import { gvPath, resourcePaths, toV3PathItem, type DefinitionOf } from './paths.js'

/** One served document: its bytes and their ETag. */
export interface Served {
  json: string
  /** kube-openapi's computeETag: the SHA-512 of the bytes in upper-case hex (also the v3 `hash`). */
  etag: string
}

export interface OpenApiSpecs {
  v2: Served & { document: Schema }
  /** /openapi/v3: `paths` with each group version's `serverRelativeURL`. */
  v3Root: Served
  /** /openapi/v3/<api/v1 | apis/group/version>. */
  v3: Map<string, Served & { document: Schema }>
  stats: { definitions: number; v2Bytes: number; v3Bytes: number; buildMs: number }
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'
/** The metav1 definitions every group version's operations name. */
const META_FILES = ['apis/meta/v1/Status', 'apis/meta/v1/DeleteOptions', 'apis/meta/v1/WatchEvent', 'apis/meta/v1/Patch']
const SCALE: KindRef = { group: 'autoscaling', version: 'v1', kind: 'Scale' }
const INFO = { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }
const BEARER = { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' }

/** Builds the documents of any resource table (tests pass a few rows); a kind served in several versions is in each. */
export async function buildOpenApiSpecs(table: readonly ResourceInfo[]): Promise<OpenApiSpecs> {
  const resources = table.flatMap((r) => versionsOf(r).map((version) => ({ ...r, version })))
  const started = performance.now()
  const ts = (await import('typescript')).default as unknown as TypeScriptApi
  const decls = new Declarations(ts)
  const definitionOf: DefinitionOf = (ref) => {
    const f = decls.kindFile(ref)
    return f && decls.nameOf(f)
  }
  const gvks = groupVersionKinds(resources, definitionOf)
  const finish = (defs: Map<string, Schema>): Record<string, Schema> =>
    Object.fromEntries(
      [...defs].map(([name, s]) => {
        const out = withExtensions(name, s)
        if (gvks.has(name)) out['x-kubernetes-group-version-kind'] = gvks.get(name)
        return [name, out]
      }),
    )
  const gvs = [...new Map(resources.map((r) => [`${r.group}/${r.version}`, { group: r.group, version: r.version }])).values()]
  const all = new Map<string, Schema>()
  const allPaths: Record<string, unknown> = {}
  const v3 = new Map<string, Served & { document: Schema }>()
  for (const { group, version } of gvs) {
    const infos = resources.filter((r) => r.group === group && r.version === version)
    const files = infos.flatMap((r) => [decls.kindFile(r), decls.kindFile({ ...r, kind: `${r.kind}List` })])
    if (infos.some((r) => r.subresources.includes('scale'))) files.push(decls.kindFile(SCALE))
    files.push(...META_FILES.map((f) => decls.machineryFile(f)))
    const defs = await decls.closure(files.filter((f): f is string => !!f))
    for (const [k, s] of defs) all.set(k, s)
    const paths: Record<string, unknown> = {}
    for (const info of infos) Object.assign(paths, resourcePaths(info, definitionOf))
    Object.assign(allPaths, paths)
    const document = sortKeys({
      components: { schemas: toV3Definitions(finish(defs)), securitySchemes: { BearerToken: BEARER } },
      info: INFO,
      openapi: '3.0.0',
      paths: Object.fromEntries(Object.entries(paths).map(([p, item]) => [p, toV3PathItem(item as Schema)])),
    }) as Schema
    v3.set(gvPath(group, version), served(document))
  }
  const v2doc = sortKeys({
    definitions: finish(all),
    info: INFO,
    paths: allPaths,
    security: [{ BearerToken: [] }],
    securityDefinitions: { BearerToken: BEARER },
    swagger: '2.0',
  }) as Schema
  const v2 = served(v2doc)
  const rootPaths = Object.fromEntries([...v3].map(([p, d]) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=${d.etag}` }]))
  const rootJson = goJson(JSON.stringify({ paths: rootPaths }))
  return {
    v2,
    v3Root: { json: rootJson, etag: etagOf(rootJson) },
    v3,
    stats: {
      definitions: all.size,
      v2Bytes: v2.json.length,
      v3Bytes: [...v3.values()].reduce((n, d) => n + d.json.length, 0),
      buildMs: Math.round(performance.now() - started),
    },
  }
}

function served(document: Schema): Served & { document: Schema } {
  const json = goJson(JSON.stringify(document))
  return { json, etag: etagOf(json), document }
}

export function etagOf(bytes: string | Buffer): string {
  return createHash('sha512').update(bytes).digest('hex').toUpperCase()
}

/** x-kubernetes-group-version-kind by definition: each served kind and its list, and the metav1 types every group version uses. */
function groupVersionKinds(resources: readonly ResourceInfo[], definitionOf: DefinitionOf): Map<string, { group: string; kind: string; version: string }[]> {
  const out = new Map<string, { group: string; kind: string; version: string }[]>()
  const add = (name: string | undefined, group: string, version: string, kind: string): void => {
    if (!name) return
    const list = out.get(name) ?? []
    if (!list.some((g) => g.group === group && g.version === version && g.kind === kind)) list.push({ group, kind, version })
    out.set(name, list)
  }
  for (const r of resources) {
    add(definitionOf(r), r.group, r.version, r.kind)
    add(definitionOf({ ...r, kind: `${r.kind}List` }), r.group, r.version, `${r.kind}List`)
  }
  add(definitionOf(SCALE), SCALE.group, SCALE.version, SCALE.kind)
  add(`${META}.Status`, '', 'v1', 'Status')
  for (const { group, version } of new Map(resources.map((r) => [`${r.group}/${r.version}`, r])).values()) {
    add(`${META}.DeleteOptions`, group, version, 'DeleteOptions')
    add(`${META}.WatchEvent`, group, version, 'WatchEvent')
  }
  return out
}

const V3_REF = '#/components/schemas/'

/** A v2 schema as OpenAPI 3.0 writes it: `$ref`s into components, `allOf` around one with siblings. */
export function toV3Schema(s: Schema): Schema {
  const out: Schema = {}
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, toV3Schema(ps)]))
    else if ((k === 'items' || k === 'additionalProperties') && typeof v === 'object') out[k] = toV3Schema(v as Schema)
    else if (k !== '$ref') out[k] = v
  }
  if (typeof s.$ref !== 'string') return out
  const ref = { $ref: s.$ref.replace(V2_REF, V3_REF) }
  return Object.keys(out).length ? { ...out, allOf: [ref] } : ref
}

/**
 * Types whose OpenAPI v3 schema is a oneOf instead of v2's `type: string` (their
 * OpenAPIV3OneOfTypes in apimachinery): with no `type`, kubectl explain names them by their
 * definition (`targetPort <IntOrString>`, `limits <map[string]Quantity>`).
 */
const V3_ONE_OF: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
}

/** A v2 definition as the v3 documents write it. */
export function toV3Definition(name: string, s: Schema): Schema {
  const oneOf = V3_ONE_OF[name]
  return oneOf ? { description: s.description, ...oneOf } : toV3Schema(s)
}

function toV3Definitions(defs: Record<string, Schema>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(defs).map(([k, s]) => [k, toV3Definition(k, s)]))
}

/** Object keys in the order Go's encoding/json writes a map (sorted); arrays keep their order. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v === null || typeof v !== 'object') return v
  const o = v as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  )
}
