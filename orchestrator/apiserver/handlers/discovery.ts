// Discovery documents: /api, /apis, /api/v1, /apis/<group>/<version>, /version, and a minimal
// /openapi/v3 that tells kubectl the server validates fields itself (the `fieldValidation`
// query parameter), so `kubectl apply` sends objects for server-side validation instead of
// downloading schemas. Shapes mirror k8s.io/apimachinery/pkg/apis/meta/v1 discovery types.
// Simplifies: legacy (unaggregated) discovery only; no OpenAPI schemas in the v3 documents.

import { createHash } from 'node:crypto'
import { resourcesIn, servedGroups, type ResourceInfo } from '../../api/resources.js'
import { KUBERNETES_VERSION } from '../../api/version.js'

/** The Kubernetes version the reference API server speaks. */
export const SERVER_VERSION = KUBERNETES_VERSION

export function versionInfo(): Record<string, string> {
  return {
    ...SERVER_VERSION,
    gitCommit: 'ock',
    gitTreeState: 'clean',
    buildDate: '2026-11-26T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsx',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  }
}

const SUBRESOURCE_VERBS: Record<string, { kind: string; group?: string; version?: string; verbs: string[] }> = {
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  finalize: { kind: 'Namespace', verbs: ['update'] },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
}

function storageVersionHash(info: ResourceInfo): string {
  return createHash('sha256').update(`${info.group}/${info.version}/${info.kind}`).digest('base64').slice(0, 11)
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  }
}

/** Groups another server serves (APIServices of the aggregation layer), each with its versions, preferred first. */
export interface RemoteGroup {
  group: string
  versions: string[]
}

/** /apis: the groups served here, then the aggregated ones. */
export function apiGroupList(remote: readonly RemoteGroup[] = []): Record<string, unknown> {
  const local = servedGroups().filter((g) => g.group !== '')
  const names = new Set(local.map((g) => g.group))
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      ...local.map(({ group, versions }) => groupDoc(group, versions)),
      ...remote.filter((r) => !names.has(r.group)).map((r) => groupDoc(r.group, r.versions)),
    ],
  }
}

function groupDoc(group: string, versions: readonly string[]): Record<string, unknown> {
  const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }))
  return { name: group, versions: gvs, preferredVersion: gvs[0] }
}

/** /apis/<group>, for a group served here or (given the aggregated groups) by another server. */
export function apiGroup(group: string, remote?: readonly RemoteGroup[]): Record<string, unknown> | undefined {
  const g = servedGroups().find((x) => x.group === group)
  if (g) return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.group, g.versions) }
  const r = remote?.find((x) => x.group === group)
  return r ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(r.group, r.versions) } : undefined
}

/** /api/<version> or /apis/<group>/<version>: the resources served in that version (stored there or converted). */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const infos = resourcesIn(group, version)
  if (!infos.length) return undefined
  const resources: Record<string, unknown>[] = []
  for (const info of infos) {
    const main: Record<string, unknown> = {
      name: info.resource,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: info.verbs,
      storageVersionHash: storageVersionHash(info),
    }
    if (info.shortNames) main.shortNames = info.shortNames
    if (info.categories) main.categories = info.categories
    resources.push(main)
    for (const sub of info.subresources) {
      const s = SUBRESOURCE_VERBS[sub]
      if (!s) continue
      const entry: Record<string, unknown> = {
        name: `${info.resource}/${sub}`,
        singularName: '',
        namespaced: info.namespaced,
        kind: s.kind || info.kind,
        verbs: s.verbs,
      }
      if (s.group) {
        entry.group = s.group
        entry.version = s.version
      }
      resources.push(entry)
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources }
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3: just enough for kubectl's query-parameter verifier (fieldValidation support).

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`
}

export function openApiV3Root(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {}
  for (const { group, versions } of servedGroups())
    for (const version of versions) {
      const p = gvPath(group, version)
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${createHash('sha256').update(p).digest('hex').slice(0, 16).toUpperCase()}` }
    }
  return { paths }
}

const FIELD_VALIDATION = {
  name: 'fieldValidation',
  in: 'query',
  description: 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
  schema: { type: 'string', uniqueItems: true },
}

export function openApiV3Document(group: string, version: string): Record<string, unknown> | undefined {
  const infos = resourcesIn(group, version)
  if (!infos.length) return undefined
  const paths: Record<string, unknown> = {}
  for (const info of infos) {
    const gvk = { group: info.group, version, kind: info.kind }
    const base = `/${gvPath(group, version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`
    const op = (action: string): Record<string, unknown> => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [FIELD_VALIDATION],
      responses: { '200': { description: 'OK' } },
    })
    paths[base] = { post: op('post') }
    paths[`${base}/{name}`] = { put: op('put'), patch: op('patch') }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  }
}
