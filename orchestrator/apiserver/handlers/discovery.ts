// Discovery documents: /api, /apis, /api/v1, /apis/<group>/<version>, /version. Shapes mirror
// k8s.io/apimachinery/pkg/apis/meta/v1 discovery types. The OpenAPI documents are
// orchestrator/apiserver/openapi/.
// Simplifies: legacy (unaggregated) discovery only.

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
