// pods/eviction: a policy-controlled DELETE. POSTing a policy/v1 Eviction deletes the pod
// unless a PodDisruptionBudget covering it allows no disruption now: then the answer is 429
// TooManyRequests ("Cannot evict pod as it would violate the pod's disruption budget.", with a
// DisruptionBudget cause naming the budget). A pod covered by several budgets is a 500; a pod
// covered by none, or one that is Pending, finished or already being deleted, is deleted at
// once. An allowed eviction takes one disruption off the budget's status (disruptionsAllowed,
// disruptedPods) before the pod is deleted, so parallel evictions cannot overspend it; the
// disruption controller gives it back once it sees the pod go. Success is 201 with a Status,
// as upstream's create handler answers.
// Mirrors pkg/registry/core/pod/storage/eviction.go (EvictionREST: canIgnorePDB,
// checkAndDecrement, unhealthyPodEvictionPolicy, messages and causes).
// Simplifies: the budget is read from and written to the registry directly (upstream uses a
// loopback client); conflict retries are bounded by count, not by a 10 s back-off.

import { ApiError, badRequest, methodNotAllowed, notFound, forbidden, tooManyRequests, timeout } from '../../api/errors.js'
import { clone, nowTimestamp, type KObject, type StoredObject } from '../../api/meta.js'
import { DISRUPTION_BUDGET_CAUSE, EVICTION_REFUSED, pdbSelects, withDisruptionAllowedCondition, type PodDisruptionBudget } from '../../api/pdb.js'
import { isPodReady } from '../../api/pods.js'
import { lookupResource } from '../../api/resources.js'
import type { Pod } from '../../api/types.js'
import type { Registry } from '../registry/store.js'
import type { DeleteOptions, RequestContext } from '../registry/strategy.js'
import type { SubresourceHandler } from './subresource.js'
import { validateSchema } from '../registry/validation.js'

const PDBS = lookupResource('policy', 'poddisruptionbudgets')!
/** Upstream MaxDisruptedPodSize. */
export const MAX_DISRUPTED_PODS = 2000
const RETRIES = 20

interface Eviction extends KObject {
  deleteOptions?: DeleteOptions & { dryRun?: string[]; kind?: string; apiVersion?: string }
}

function refused(cause: string, retryAfterSeconds = 0): ApiError {
  const e = tooManyRequests(EVICTION_REFUSED, retryAfterSeconds)
  return new ApiError(e.code, e.reason, e.message, { ...(e.details ?? {}), causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }] })
}

/** The budget is being updated by someone else (upstream createTooManyRequestsError). */
function stillProcessing(pdbName: string): ApiError {
  return refused(`The disruption budget ${pdbName} is still being processed by the server.`, 10)
}

/** Upstream canIgnorePDB: evicting these pods disrupts nothing that is not disrupted already. */
function canIgnorePdb(pod: Pod): boolean {
  const phase = pod.status?.phase
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata?.deletionTimestamp)
}

export const podEviction: SubresourceHandler = async (r) => {
  if (r.method !== 'POST') throw methodNotAllowed()
  const eviction = (await r.body()) as Eviction
  if (!eviction || typeof eviction !== 'object' || Array.isArray(eviction)) throw badRequest('not a Eviction object')
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') throw badRequest(`not a Eviction object: ${String(eviction.kind)}`)
  const apiVersion = eviction.apiVersion ?? 'policy/v1'
  if (apiVersion !== 'policy/v1' && apiVersion !== 'policy/v1beta1') throw badRequest(`eviction must be policy/v1 or policy/v1beta1, not ${apiVersion}`)
  const { deleteOptions: rawOptions, ...rest } = eviction
  await validateSchema('policy', 'v1', 'Eviction', { ...rest, apiVersion: 'policy/v1', kind: 'Eviction' }, r.name)
  if (eviction.metadata?.name !== r.name) throw badRequest('name in URL does not match name in Eviction object')
  const options: DeleteOptions = {}
  if (rawOptions?.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = rawOptions.gracePeriodSeconds
  if (rawOptions?.preconditions) options.preconditions = { ...rawOptions.preconditions }
  if (rawOptions?.propagationPolicy) options.propagationPolicy = rawOptions.propagationPolicy
  const dryRunInBody = rawOptions?.dryRun ?? []
  if (r.ctx.dryRun && dryRunInBody.length && !dryRunInBody.includes('All'))
    throw badRequest(`Non-matching dry-run options in request and content: [All] and [${dryRunInBody.join(' ')}]`)
  const ctx = dryRunInBody.includes('All') ? { ...r.ctx, dryRun: true } : r.ctx
  // admission sees the Eviction (NodeRestriction: a kubelet evicts only its own pods)
  await r.registry.admit(ctx, r.info, 'CREATE', 'eviction', r.namespace, r.name, { ...rest, apiVersion: 'policy/v1', kind: 'Eviction' }, undefined)

  const pod = (await r.registry.read(r.info, r.namespace, r.name)) as StoredObject & Pod
  const done = { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } }
  if (canIgnorePdb(pod)) {
    const pinned = !pod.metadata.deletionTimestamp && !options.preconditions?.resourceVersion && pod.status?.phase === 'Pending'
    await r.registry.delete(
      ctx,
      r.info,
      r.namespace,
      r.name,
      pinned ? { ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion } } : options,
    )
    return done
  }

  const pdbs = (await r.registry.list('policy', 'poddisruptionbudgets', r.namespace)).filter((p) =>
    pdbSelects(p as PodDisruptionBudget, pod.metadata.labels),
  ) as PodDisruptionBudget[]
  if (pdbs.length > 1) {
    return {
      code: 500,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
        code: 500,
      },
    }
  }
  let deleteOptions = options
  const pdb = pdbs[0]
  if (pdb) {
    const name = pdb.metadata?.name ?? ''
    const status = pdb.status ?? {}
    const unhealthyMayGo =
      pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
      ((status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0)
    if (!isPodReady(pod) && unhealthyMayGo) {
      // an unready pod counts towards no budget: it may go, if it does not turn ready meanwhile
      if (!options.preconditions?.resourceVersion)
        deleteOptions = { ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion } }
      try {
        await r.registry.delete(ctx, r.info, r.namespace, r.name, deleteOptions)
      } catch (e) {
        if (e instanceof ApiError && e.code === 409 && deleteOptions !== options) throw stillProcessing(name)
        throw e
      }
      return done
    }
    await takeDisruption(r.registry, ctx, r.namespace, name, r.name, Boolean(ctx.dryRun))
  }
  await r.registry.delete(ctx, r.info, r.namespace, r.name, deleteOptions)
  return done
}

/** Upstream checkAndDecrement, retried on conflicting budget updates. */
async function takeDisruption(registry: Registry, ctx: RequestContext, namespace: string, pdbName: string, podName: string, dryRun: boolean): Promise<void> {
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const current = (await registry.read(PDBS, namespace, pdbName)) as StoredObject & PodDisruptionBudget
    const status = current.status ?? {}
    if ((status.observedGeneration ?? 0) < (current.metadata.generation ?? 1)) throw stillProcessing(pdbName)
    const allowed = status.disruptionsAllowed ?? 0
    if (allowed < 0) throw forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, pdbName, 'pdb disruptions allowed is negative')
    if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
      throw forbidden(
        { group: 'policy', resource: 'poddisruptionbudget' },
        pdbName,
        'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
      )
    }
    if (allowed === 0)
      throw refused(`The disruption budget ${pdbName} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`)
    if (dryRun) return
    let next: PodDisruptionBudget['status'] = {
      ...status,
      disruptionsAllowed: allowed - 1,
      disruptedPods: { ...(status.disruptedPods ?? {}), [podName]: nowTimestamp() },
    }
    if (next.disruptionsAllowed === 0) next = withDisruptionAllowedCondition(next)
    try {
      await registry.guaranteedUpdate(ctx, PDBS, namespace, pdbName, 'status', (base) => {
        const o = clone(base) as StoredObject & PodDisruptionBudget
        o.status = next
        o.metadata.resourceVersion = current.metadata.resourceVersion
        return o
      })
      return
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) continue
      if (e instanceof ApiError && e.code === 404) throw notFound({ group: 'policy', resource: 'poddisruptionbudgets' }, pdbName)
      throw e
    }
  }
  throw timeout(`couldn't update PodDisruptionBudget "${pdbName}" due to conflicts`, 10)
}
