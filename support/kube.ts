// Talking Kubernetes the way any client does: generic object operations through
// @kubernetes/client-node (discovery-driven, so they work on every cluster), and turning its
// ApiException back into the Status the server sent.

import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node'
import { parseAllDocuments } from 'yaml'
import { kindRef } from './kinds.js'
// every KubeConfig keeps its connections (client-node 2.0 would open one per request)
import './connections.js'

/** The parts of a Kubernetes Status a step asserts on. */
export interface StatusError {
  code: number
  reason: string
  message: string
  details?: { name?: string; kind?: string; group?: string; causes?: { field?: string; reason?: string; message?: string }[] }
  /** The API server's id for the request (the Audit-Id response header), when it sent one. */
  auditId?: string
}

export class RejectedError extends Error {
  constructor(readonly status: StatusError) {
    super(`${status.code} ${status.reason}: ${status.message}`)
    this.name = 'RejectedError'
  }
}

/** Converts a client-node failure into the server's Status (or rethrows transport errors). */
export function toStatus(e: unknown): StatusError {
  if (e instanceof ApiException) {
    let body: unknown = e.body
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body)
      } catch {
        // not JSON
      }
    }
    const s = (body ?? {}) as Partial<StatusError> & { kind?: string }
    const auditId = e.headers?.['audit-id']
    if (s.kind === 'Status') {
      return { code: s.code ?? e.code, reason: s.reason ?? '', message: s.message ?? '', details: s.details, auditId }
    }
    const reason = e.code === 401 ? 'Unauthorized' : e.code === 403 ? 'Forbidden' : ''
    return { code: e.code, reason, message: typeof e.body === 'string' ? e.body : e.message, auditId }
  }
  throw e
}

export function objectApi(kc: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(kc)
}

/** Parses one or many YAML documents into objects, skipping empty documents. */
export function parseManifests(text: string): KubernetesObject[] {
  const docs = parseAllDocuments(text)
  const out: KubernetesObject[] = []
  for (const d of docs) {
    if (d.errors.length) throw new Error(`the manifest is not valid YAML: ${d.errors[0]!.message}`)
    const o = d.toJS() as KubernetesObject | null
    if (o) out.push(o)
  }
  return out
}

/** Puts namespaced objects without a namespace into the scenario's namespace. */
export function inNamespace(o: KubernetesObject, namespace: string): KubernetesObject {
  if (!o.kind) return o
  let namespaced = true
  try {
    namespaced = kindRef(o.kind).namespaced
  } catch {
    // unknown kind: let the server decide
  }
  if (!namespaced || o.metadata?.namespace) return o
  return { ...o, metadata: { ...o.metadata, namespace } }
}

/** Server-side apply with force, as `kubectl apply --server-side --force-conflicts`. */
export async function apply(kc: KubeConfig, o: KubernetesObject): Promise<KubernetesObject> {
  return objectApi(kc).patch(o, undefined, undefined, 'ock', true, PatchStrategy.ServerSideApply)
}

export async function create(kc: KubeConfig, o: KubernetesObject): Promise<KubernetesObject> {
  return objectApi(kc).create(o)
}

export interface ObjectId {
  kind: string
  name: string
  namespace?: string
}

function header(id: ObjectId, defaultNamespace: string): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } {
  const k = kindRef(id.kind)
  const metadata: { name: string; namespace?: string } = { name: id.name }
  if (k.namespaced) metadata.namespace = id.namespace ?? defaultNamespace
  return { apiVersion: k.apiVersion, kind: k.kind, metadata }
}

/** Reads an object; undefined when it does not exist. */
export async function read(kc: KubeConfig, id: ObjectId, defaultNamespace: string): Promise<KubernetesObject | undefined> {
  try {
    return await objectApi(kc).read(header(id, defaultNamespace))
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return undefined
    throw e
  }
}

export async function remove(kc: KubeConfig, id: ObjectId, defaultNamespace: string, propagationPolicy?: string): Promise<void> {
  await objectApi(kc).delete(header(id, defaultNamespace), undefined, undefined, undefined, undefined, propagationPolicy)
}

export async function list(kc: KubeConfig, kind: string, namespace: string | undefined, labelSelector?: string): Promise<KubernetesObject[]> {
  const k = kindRef(kind)
  const res = await objectApi(kc).list(k.apiVersion, k.kind, k.namespaced ? namespace : undefined, undefined, undefined, undefined, undefined, labelSelector)
  return res.items
}

export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, labels: { 'ock.dev/scenario-namespace': 'true' } } } })
}

export async function deleteNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).deleteNamespace({ name })
}

/** A store revision as any client can see it: the resourceVersion of a fresh list. */
export async function currentRevision(kc: KubeConfig): Promise<number> {
  const l = await kc.makeApiClient(CoreV1Api).listNamespace({ limit: 1 })
  return Number(l.metadata?.resourceVersion ?? 0)
}
