// Subresources served beside the main REST verbs, in one table (at the end): pods/binding (the
// scheduler's only write), <workload>/scale (autoscaling/v1 Scale, what `kubectl scale` and the
// HPA use) and namespaces/finalize (the namespace controller's last step) are here; eviction,
// log, exec and token have files of their own (eviction.ts, podconnect.ts, tokenrequest.ts).
// status is the REST handler's. The handler contract is subresource.ts.
// Mirrors pkg/registry/core/pod/storage (BindingREST), pkg/registry/apps/deployment/storage
// (ScaleREST) and pkg/registry/core/namespace/storage (FinalizeREST).

import { badRequest, conflict, methodNotAllowed, ApiError } from '../../api/errors.js'
import { clone, nowTimestamp, type KObject, type StoredObject } from '../../api/meta.js'
import type { ResourceInfo } from '../../api/resources.js'
import { validateSchema } from '../registry/validation.js'
import { podEviction } from './eviction.js'
import { podExec, podLog } from './podconnect.js'
import type { SubresourceHandler } from './subresource.js'
import { serviceAccountToken } from './tokenrequest.js'

// ---------------------------------------------------------------------------------------------
// pods/binding

interface Binding extends KObject {
  target?: { kind?: string; name?: string; apiVersion?: string }
}

export const podBinding: SubresourceHandler = async (r) => {
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
        throw conflict(
          { group: '', resource: 'pods' },
          r.name,
          `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${p.metadata.uid}`,
        )
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
}

// ---------------------------------------------------------------------------------------------
// <deployments|replicasets|replicationcontrollers>/scale

function scaleOf(o: StoredObject): KObject {
  const spec = (o as { spec?: { replicas?: number; selector?: Record<string, unknown> & { matchLabels?: Record<string, string> } } }).spec
  const status = (o as { status?: { replicas?: number } }).status
  // a LabelSelector's matchLabels, or a ReplicationController's equality-based selector (a plain map)
  const sel = spec?.selector
  const set = sel && !('matchLabels' in sel) && !('matchExpressions' in sel) ? (sel as Record<string, string>) : sel?.matchLabels
  const selector = Object.entries(set ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
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
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${r.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be an integer`,
      )
    }
    if (replicas < 0) {
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${r.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`,
        {
          name: r.name,
          group: 'autoscaling',
          kind: 'Scale',
          causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }],
        },
      )
    }
    const pinned = scale.metadata?.resourceVersion
    const next = clone(current) as StoredObject & { spec: { replicas?: number } }
    next.spec.replicas = replicas
    if (pinned) next.metadata.resourceVersion = pinned
    return next
  })
  return { code: 200, body: scaleOf(result.obj) }
}

// ---------------------------------------------------------------------------------------------
// namespaces/finalize

export const namespaceFinalize: SubresourceHandler = async (r) => {
  if (r.method !== 'PUT') throw methodNotAllowed()
  const body = (await r.body()) as { spec?: { finalizers?: string[] } }
  const result = await r.registry.guaranteedUpdate(r.ctx, r.info, '', r.name, 'finalize', (current) => {
    const next = clone(current) as StoredObject & { spec?: { finalizers?: string[] } }
    next.spec = { ...(next.spec ?? {}), finalizers: body.spec?.finalizers ?? [] }
    return next
  })
  return { code: 200, body: result.obj }
}

// ---------------------------------------------------------------------------------------------
// the table: every subresource served besides status (served by the REST handler), one row each

/** Handlers by `<resource>/<subresource>` (group-qualified resources as `resource.group`). */
const SUBRESOURCES: ReadonlyMap<string, SubresourceHandler> = new Map([
  ['pods/binding', podBinding],
  ['pods/eviction', podEviction],
  ['pods/log', podLog],
  ['pods/exec', podExec],
  ['deployments.apps/scale', scaleHandler],
  ['replicasets.apps/scale', scaleHandler],
  ['replicationcontrollers/scale', scaleHandler],
  ['statefulsets.apps/scale', scaleHandler],
  ['namespaces/finalize', namespaceFinalize],
  ['serviceaccounts/token', serviceAccountToken],
])

export function subresourceHandler(info: ResourceInfo, subresource: string): SubresourceHandler | undefined {
  const res = info.group ? `${info.resource}.${info.group}` : info.resource
  return SUBRESOURCES.get(`${res}/${subresource}`)
}
