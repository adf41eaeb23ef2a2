// LimitRanger admission: the LimitRanges of a namespace give new pods their default requests
// and limits (mutating: written into containers that lack them, with the
// `kubernetes.io/limit-ranger` annotation saying what was set), and then bound them (validating:
// min, max and maxLimitRequestRatio per Container and per Pod), refusing a pod outside the
// bounds with 403 Forbidden. Mirrors plugin/pkg/admission/limitranger (the messages
// "maximum cpu usage per Container is 1, but limit is 2" and friends).
// Differs: the refusal names the LimitRange that refused (` (LimitRange "limits")` after
// upstream's message), so a reader can find the rule; upstream leaves it to the reader.
// Simplifies: pods only (no PersistentVolumeClaim limits); runs on create, as upstream (pod
// resources are immutable afterwards).

import { forbidden } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { parseQuantity, podRequests, type ResourceList } from '../../api/quantity.js'
import type { AdmissionAttributes, AdmissionReader, MutatingAdmissionPlugin, ValidatingAdmissionPlugin } from '../admission.js'

export const NAME = 'LimitRanger'
export const ANNOTATION = 'kubernetes.io/limit-ranger'

interface LimitRangeItem {
  type?: string
  min?: ResourceList
  max?: ResourceList
  default?: ResourceList
  defaultRequest?: ResourceList
  maxLimitRequestRatio?: ResourceList
}

interface Container {
  name?: string
  resources?: { requests?: ResourceList; limits?: ResourceList }
}

interface PodLike extends KObject {
  spec?: { containers?: Container[]; initContainers?: Container[] }
}

function items(lr: KObject): LimitRangeItem[] {
  const limits = (lr as { spec?: { limits?: unknown } }).spec?.limits
  return Array.isArray(limits) ? (limits as LimitRangeItem[]) : []
}

const q = (v: string | number | undefined): number => parseQuantity(v) ?? 0
const show = (v: string | number | undefined): string => String(v)

export function minConstraint(limitType: string, resource: string, enforced: string | number, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[resource]
  const lim = limit[resource]
  if (req === undefined) return `minimum ${resource} usage per ${limitType} is ${show(enforced)}.  No request is specified`
  if (q(req) < q(enforced)) return `minimum ${resource} usage per ${limitType} is ${show(enforced)}, but request is ${show(req)}`
  if (lim !== undefined && q(lim) < q(enforced)) return `minimum ${resource} usage per ${limitType} is ${show(enforced)}, but limit is ${show(lim)}`
  return undefined
}

export function maxConstraint(limitType: string, resource: string, enforced: string | number, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[resource]
  const lim = limit[resource]
  if (lim === undefined) return `maximum ${resource} usage per ${limitType} is ${show(enforced)}.  No limit is specified`
  if (q(lim) > q(enforced)) return `maximum ${resource} usage per ${limitType} is ${show(enforced)}, but limit is ${show(lim)}`
  if (req !== undefined && q(req) > q(enforced)) return `maximum ${resource} usage per ${limitType} is ${show(enforced)}, but request is ${show(req)}`
  return undefined
}

export function ratioConstraint(
  limitType: string,
  resource: string,
  enforced: string | number,
  request: ResourceList,
  limit: ResourceList,
): string | undefined {
  const req = q(request[resource])
  const lim = q(limit[resource])
  if (!req) return `${resource} max limit to request ratio per ${limitType} is ${show(enforced)}, but no request is specified or request is 0`
  if (!lim) return `${resource} max limit to request ratio per ${limitType} is ${show(enforced)}, but no limit is specified or limit is 0`
  const ratio = lim / req
  if (ratio > q(enforced) + 1e-9)
    return `${resource} max limit to request ratio per ${limitType} is ${show(enforced)}, but provided ratio is ${ratio.toFixed(6)}`
  return undefined
}

function checkItem(item: LimitRangeItem, limitType: string, request: ResourceList, limit: ResourceList): string[] {
  const errs: string[] = []
  for (const [k, v] of Object.entries(item.min ?? {})) {
    const e = minConstraint(limitType, k, v, request, limit)
    if (e) errs.push(e)
  }
  for (const [k, v] of Object.entries(item.max ?? {})) {
    const e = maxConstraint(limitType, k, v, request, limit)
    if (e) errs.push(e)
  }
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const e = ratioConstraint(limitType, k, v, request, limit)
    if (e) errs.push(e)
  }
  return errs
}

function podLimits(pod: PodLike): ResourceList {
  const sum: Record<string, number> = {}
  for (const c of pod.spec?.containers ?? []) for (const [k, v] of Object.entries(c.resources?.limits ?? {})) sum[k] = (sum[k] ?? 0) + q(v)
  for (const c of pod.spec?.initContainers ?? []) for (const [k, v] of Object.entries(c.resources?.limits ?? {})) sum[k] = Math.max(sum[k] ?? 0, q(v))
  return sum
}

/** The violations of one LimitRange by a pod (upstream PodValidateLimitFunc). */
export function podViolations(lr: KObject, pod: PodLike): string[] {
  const errs: string[] = []
  for (const item of items(lr)) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        errs.push(...checkItem(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}))
      }
    } else if (item.type === 'Pod') {
      errs.push(...checkItem(item, 'Pod', podRequests(pod.spec), podLimits(pod)))
    }
  }
  return errs
}

/** Writes a LimitRange's defaults into containers that lack them; returns what was set, upstream-worded. */
export function applyLimitRangeDefaults(lr: KObject, pod: PodLike): string[] {
  const requests: ResourceList = {}
  const limits: ResourceList = {}
  for (const item of items(lr)) {
    if (item.type !== 'Container') continue
    Object.assign(requests, item.defaultRequest ?? {})
    Object.assign(limits, item.default ?? {})
  }
  const notes: string[] = []
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const setReq: string[] = []
    const setLim: string[] = []
    const res = (c.resources ??= {})
    for (const [k, v] of Object.entries(limits)) {
      if (res.limits?.[k] === undefined) {
        ;(res.limits ??= {})[k] = v
        setLim.push(k)
      }
    }
    for (const [k, v] of Object.entries(requests)) {
      if (res.requests?.[k] === undefined) {
        ;(res.requests ??= {})[k] = v
        setReq.push(k)
      }
    }
    if (setReq.length) notes.push(`${setReq.sort().join(', ')} request for container ${c.name ?? ''}`)
    if (setLim.length) notes.push(`${setLim.sort().join(', ')} limit for container ${c.name ?? ''}`)
  }
  return notes
}

export class LimitRanger implements MutatingAdmissionPlugin, ValidatingAdmissionPlugin {
  readonly name = NAME

  handles(a: AdmissionAttributes): boolean {
    return a.operation === 'CREATE' && !a.subresource && a.resource.group === '' && a.resource.resource === 'pods'
  }

  async admit(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    const pod = a.object as PodLike | undefined
    if (!pod?.spec) return
    const notes: string[] = []
    for (const lr of await reader.list('', 'limitranges', a.namespace)) notes.push(...applyLimitRangeDefaults(lr, pod))
    if (notes.length) {
      const meta = (pod.metadata ??= {})
      meta.annotations = { ...meta.annotations, [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` }
    }
  }

  async validate(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    const pod = a.object as PodLike | undefined
    if (!pod?.spec) return
    for (const lr of await reader.list('', 'limitranges', a.namespace)) {
      const errs = podViolations(lr, pod)
      if (!errs.length) continue
      const why = errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`
      throw forbidden({ group: '', resource: 'pods' }, a.name || undefined, `${why} (LimitRange "${lr.metadata?.name ?? ''}")`)
    }
  }
}
