// Subresources served beside the main REST verbs: pods/binding (the scheduler's only write),
// <workload>/scale (autoscaling/v1 Scale, what `kubectl scale` and the HPA use) and
// namespaces/finalize (the namespace controller's last step). Other subresources (eviction,
// log, exec, token) register here too, each in a file of its own (token: tokenrequest.ts; log
// and exec: podconnect.ts).
// Mirrors pkg/registry/core/pod/storage (BindingREST), pkg/registry/apps/deployment/storage
// (ScaleREST) and pkg/registry/core/namespace/storage (FinalizeREST).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { badRequest, conflict, methodNotAllowed, ApiError } from '../../api/errors.js'
import { clone, nowTimestamp, type KObject, type StoredObject } from '../../api/meta.js'
import type { ResourceInfo } from '../../api/resources.js'
import type { ServiceAccountTokens } from '../authn/serviceaccount.js'
import type { KubeletClient } from './kubeletclient.js'
import type { Registry } from '../registry/store.js'
import type { RequestContext } from '../registry/strategy.js'
import { validateSchema } from '../registry/validation.js'

/** Everything a subresource handler may use; it writes only through the registry. */
export interface SubresourceRequest {
  req: IncomingMessage
  res: ServerResponse
  ctx: RequestContext
  registry: Registry
  info: ResourceInfo
  namespace: string
  name: string
  method: string
  query: URLSearchParams
  /** The decoded request body (JSON or YAML), read on first call. */
  body(): Promise<unknown>
  /** The service account token issuer, for serviceaccounts/token. */
  tokens?: ServiceAccountTokens
  /** How this API server reaches kubelets (pods/log, pods/exec), when it was given credentials. */
  kubelet?: KubeletClient
}

/**
 * Contract: resolve with { code, body } to answer with JSON, or with undefined after writing
 * the response itself (streams such as logs). Reject with ApiError for a Status answer.
 */
export type SubresourceHandler = (r: SubresourceRequest) => Promise<{ code: number; body: unknown } | undefined>

const registryOfHandlers = new Map<string, SubresourceHandler>()

/** Registers a handler for `<resource>/<subresource>` (group-qualified resources use `resource.group`). */
export function registerSubresource(key: string, handler: SubresourceHandler): void {
  registryOfHandlers.set(key, handler)
}

export function subresourceHandler(info: ResourceInfo, subresource: string): SubresourceHandler | undefined {
  const res = info.group ? `${info.resource}.${info.group}` : info.resource
  return registryOfHandlers.get(`${res}/${subresource}`) ?? registryOfHandlers.get(`*/${subresource}`)
}

// ---------------------------------------------------------------------------------------------
// pods/binding

interface Binding extends KObject {
  target?: { kind?: string; name?: string; apiVersion?: string }
}

registerSubresource('pods/binding', async (r) => {
  if (r.method !== 'POST') throw methodNotAllowed()
  const binding = (await r.body()) as Binding
  await validateSchema('', 'v1', 'Binding', { apiVersion: 'v1', kind: 'Binding', ...binding }, r.name)
  const node = binding.target?.name
  if (!node) throw badRequest('a binding must name its target node (target.name)')
  if (binding.target?.kind && binding.target.kind !== 'Node') throw badRequest(`binding target must be a Node, not ${binding.target.kind}`)
  await r.registry.guaranteedUpdate(
    r.ctx,
    r.info,
    r.namespace,
    r.name,
    'binding',
    (pod) => {
      const p = pod as StoredObject & { spec: { nodeName?: string }; status?: { conditions?: Record<string, unknown>[] } }
      if (p.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods' }, r.name, `pod ${r.name} is being deleted, cannot be assigned to a host`)
      if (p.spec.nodeName) throw conflict({ group: '', resource: 'pods' }, r.name, `pod ${r.name} is already assigned to node "${p.spec.nodeName}"`)
      if (binding.metadata?.uid && binding.metadata.uid !== p.metadata.uid) {
        throw conflict({ group: '', resource: 'pods' }, r.name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${p.metadata.uid}`)
      }
      p.spec.nodeName = node
      const status = (p.status ??= {})
      const conditions = (status.conditions ??= []).filter((c) => c.type !== 'PodScheduled')
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() })
      status.conditions = conditions
      return p
    },
    // upstream's BindingREST writes the pod without running pod validation again
    { operation: 'CREATE', skipValidation: true },
  )
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } }
})

// ---------------------------------------------------------------------------------------------
// <deployments|replicasets>/scale

function scaleOf(o: StoredObject): KObject {
  const spec = (o as { spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } } }).spec
  const status = (o as { status?: { replicas?: number } }).status
  const selector = Object.entries(spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: spec?.replicas ?? 0 },
    status: { replicas: status?.replicas ?? 0, selector },
  }
}

const scaleHandler: SubresourceHandler = async (r) => {
  if (r.method === 'GET') return { code: 200, body: scaleOf(await r.registry.read(r.info, r.namespace, r.name)) }
  if (r.method !== 'PUT' && r.method !== 'PATCH') throw methodNotAllowed()
  const body = await r.body()
  const { applyPatch } = await import('./patch.js')
  const result = await r.registry.guaranteedUpdate(r.ctx, r.info, r.namespace, r.name, 'scale', (current) => {
    const scale = r.method === 'PUT' ? (body as KObject) : (applyPatch(String(r.req.headers['content-type'] ?? ''), scaleOf(current), body) as KObject)
    const replicas = (scale as { spec?: { replicas?: unknown } }).spec?.replicas
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${r.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be an integer`)
    }
    if (replicas < 0) {
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${r.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`, {
        name: r.name,
        group: 'autoscaling',
        kind: 'Scale',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }],
      })
    }
    const pinned = scale.metadata?.resourceVersion
    const next = clone(current) as StoredObject & { spec: { replicas?: number } }
    next.spec.replicas = replicas
    if (pinned) next.metadata.resourceVersion = pinned
    return next
  })
  return { code: 200, body: scaleOf(result.obj) }
}
registerSubresource('deployments.apps/scale', scaleHandler)
registerSubresource('replicasets.apps/scale', scaleHandler)

// ---------------------------------------------------------------------------------------------
// namespaces/finalize

registerSubresource('namespaces/finalize', async (r) => {
  if (r.method !== 'PUT') throw methodNotAllowed()
  const body = (await r.body()) as { spec?: { finalizers?: string[] } }
  const result = await r.registry.guaranteedUpdate(r.ctx, r.info, '', r.name, 'finalize', (current) => {
    const next = clone(current) as StoredObject & { spec?: { finalizers?: string[] } }
    next.spec = { ...(next.spec ?? {}), finalizers: body.spec?.finalizers ?? [] }
    return next
  })
  return { code: 200, body: result.obj }
})
