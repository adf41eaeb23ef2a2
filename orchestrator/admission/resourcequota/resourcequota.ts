// ResourceQuota admission, the last plugin of the chain: a new object is refused with 403 when
// it would take a quota of its namespace over a hard limit ("exceeded quota: compute,
// requested: limits.cpu=2, used: limits.cpu=1, limited: limits.cpu=2"), or when the quota
// limits cpu / memory and a container does not say how much it needs ("failed quota: compute:
// must specify limits.cpu for: app"). Usage is counted from the objects that exist at admission
// time, plus what requests admitted a moment ago are about to store, so two concurrent creates
// cannot both slip under the limit. Mirrors plugin/pkg/admission/resourcequota (messages,
// ordering last) and pkg/quota/v1/evaluator/core.
// The quotas come from the API server's quota cache (AdmissionReader.resourceQuotas, upstream's
// quotaAccessor); usage is still counted from live lists of the objects.
// Simplifies: creates only (updates do not change what OCK counts); quotas with scopes are not
// enforced; upstream charges status.used in the same step, here the resource quota controller
// recomputes status from the objects.

import { forbidden } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { addUsage, COMPUTE_KEYS, parseQuantityOrZero, prettyPrint, resourcesFor, usageOf } from '../../api/quota.js'
import type { AdmissionAttributes, AdmissionReader, ValidatingAdmissionPlugin } from '../admission.js'

export const NAME = 'ResourceQuota'

interface Reservation {
  group: string
  resource: string
  name: string
  usage: Record<string, number>
  expires: number
}

interface Quota extends KObject {
  spec?: { hard?: Record<string, string | number>; scopes?: string[]; scopeSelector?: unknown }
}

const REQUIRED_BY: Record<string, 'requests.cpu' | 'requests.memory' | 'limits.cpu' | 'limits.memory'> = {
  cpu: 'requests.cpu',
  'requests.cpu': 'requests.cpu',
  memory: 'requests.memory',
  'requests.memory': 'requests.memory',
  'limits.cpu': 'limits.cpu',
  'limits.memory': 'limits.memory',
}

/** "must specify ..." for containers without an explicit request/limit a quota needs (upstream pod Constraints). */
export function missingComputeResources(pod: KObject, keys: string[]): string | undefined {
  const required = keys.filter((k) => COMPUTE_KEYS.includes(k))
  if (!required.length) return undefined
  const spec = (pod as { spec?: { containers?: { name?: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }[] } })
    .spec
  const missing = new Map<string, Set<string>>()
  for (const c of spec?.containers ?? []) {
    for (const k of required) {
      const [part, res] = REQUIRED_BY[k]!.split('.') as ['requests' | 'limits', string]
      if (c.resources?.[part]?.[res] === undefined) {
        if (!missing.has(k)) missing.set(k, new Set())
        missing.get(k)!.add(c.name ?? '')
      }
    }
  }
  if (!missing.size) return undefined
  return `must specify ${[...missing.keys()]
    .sort()
    .map((k) => `${k} for: ${[...missing.get(k)!].sort().join(',')}`)
    .join('; ')}`
}

export class ResourceQuotaAdmission implements ValidatingAdmissionPlugin {
  readonly name = NAME
  private readonly pending = new Map<string, Reservation[]>()
  private readonly locks = new Map<string, Promise<void>>()

  constructor(private readonly reservationTtlMs = 10_000) {}

  handles(a: AdmissionAttributes): boolean {
    return a.operation === 'CREATE' && !a.subresource && a.resource.namespaced && Boolean(a.namespace)
  }

  async validate(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    // from the API server's quota cache (a namespace without quota costs no store round trip)
    const quotas = ((await reader.resourceQuotas(a.namespace)) as Quota[]).filter((q) => !q.spec?.scopes?.length && !q.spec?.scopeSelector)
    if (!quotas.length || !a.object) return
    // one evaluation at a time per namespace, so reservations are seen by the next request
    const previous = this.locks.get(a.namespace) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((r) => (release = r))
    const chained = previous.then(() => mine)
    this.locks.set(a.namespace, chained)
    await previous
    try {
      await this.evaluate(a, reader, quotas)
    } finally {
      release()
      if (this.locks.get(a.namespace) === chained) this.locks.delete(a.namespace)
    }
  }

  private async evaluate(a: AdmissionAttributes, reader: AdmissionReader, quotas: Quota[]): Promise<void> {
    const { group, resource } = a.resource
    const o = a.object as Record<string, unknown>
    const allKeys = [...new Set(quotas.flatMap((q) => Object.keys(q.spec?.hard ?? {})))]
    const requested = usageOf(group, resource, o, allKeys)
    const touched = Object.keys(requested)
    if (!touched.length) return
    const gr = { group, resource }
    if (group === '' && resource === 'pods') {
      for (const q of quotas) {
        const missing = missingComputeResources(a.object!, Object.keys(q.spec?.hard ?? {}))
        if (missing) throw forbidden(gr, a.name || undefined, `failed quota: ${q.metadata?.name ?? ''}: ${missing}`)
      }
    }
    const used = await this.usage(a.namespace, reader, touched)
    for (const q of quotas) {
      const hard = q.spec?.hard ?? {}
      const exceeded = touched.filter((k) => k in hard && (used[k] ?? 0) + (requested[k] ?? 0) > parseQuantityOrZero(hard[k]) + 1e-9)
      if (!exceeded.length) continue
      const pick = (m: Record<string, number>): Record<string, number> => Object.fromEntries(exceeded.map((k) => [k, m[k] ?? 0]))
      const limited = Object.fromEntries(exceeded.map((k) => [k, parseQuantityOrZero(hard[k])]))
      throw forbidden(
        gr,
        a.name || undefined,
        `exceeded quota: ${q.metadata?.name ?? ''}, requested: ${prettyPrint(pick(requested))}, used: ${prettyPrint(pick(used))}, limited: ${prettyPrint(limited)}`,
      )
    }
    if (!a.dryRun) {
      const list = this.pending.get(a.namespace) ?? []
      list.push({ group, resource, name: a.name, usage: requested, expires: Date.now() + this.reservationTtlMs })
      this.pending.set(a.namespace, list)
    }
  }

  /** Usage in the namespace of `keys`: stored objects plus admitted ones not stored yet. */
  private async usage(namespace: string, reader: AdmissionReader, keys: string[]): Promise<Record<string, number>> {
    const used: Record<string, number> = {}
    const present = new Set<string>()
    for (const r of resourcesFor(keys)) {
      for (const item of await reader.list(r.group, r.resource, namespace)) {
        present.add(`${r.group}/${r.resource}/${item.metadata?.name ?? ''}`)
        addUsage(used, usageOf(r.group, r.resource, item as Record<string, unknown>, keys))
      }
    }
    const now = Date.now()
    const live = (this.pending.get(namespace) ?? []).filter((p) => p.expires > now && !present.has(`${p.group}/${p.resource}/${p.name}`))
    if (live.length) this.pending.set(namespace, live)
    else this.pending.delete(namespace)
    for (const p of live) addUsage(used, Object.fromEntries(keys.filter((k) => k in p.usage).map((k) => [k, p.usage[k]!])))
    return used
  }
}
