// The Service strategy (pkg/registry/core/service/strategy.go and its REST storage): defaults
// (type ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port), a DNS-1035 name,
// status reset to an empty load balancer on create, validation of type and ports
// (ValidateService), and, when the API server allocates addresses, the ClusterIP hooks: an
// address on create (or the one asked for), kept on update, released on delete.
// Simplifies: IPv4 single-stack; no NodePorts, no load balancers.

import { ApiError, internalError, invalid, type FieldError } from '../../../api/errors.js'
import type { KObject, StoredObject } from '../../../api/meta.js'
import { setDefault } from '../defaults.js'
import { AllocationError, parseIPv4, type Owner, type ServiceIPAllocator } from '../ipallocator.js'
import { AGE, age, col, NAME, selectorText, type Any } from '../printers.js'
import { dns1123LabelErrors } from '../validation.js'
import { arr, obj, portNameErrors, portNumberErrors, PROTOCOLS, str, validateLabels } from '../semantic.js'
import type { RequestContext, Strategy } from '../strategy.js'

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']

/** Upstream ValidateService, for the spec fields besides the addresses. */
function validateServiceSpec(specValue: unknown): FieldError[] {
  const spec = obj(specValue)
  if (!spec) return [{ type: 'FieldValueRequired', field: 'spec' }]
  const errors: FieldError[] = []
  const type = spec.type ?? 'ClusterIP'
  if (!SERVICE_TYPES.includes(String(type))) errors.push({ type: 'FieldValueNotSupported', field: 'spec.type', value: type, supported: SERVICE_TYPES })
  const ports = arr(spec.ports)
  if (type !== 'ExternalName' && spec.clusterIP !== 'None' && ports.length === 0) errors.push({ type: 'FieldValueRequired', field: 'spec.ports' })
  const names = new Set<string>()
  ports.forEach((port, i) => {
    const p = `spec.ports[${i}]`
    const po = obj(port) ?? {}
    const name = str(po.name)
    if (ports.length > 1 && !name) errors.push({ type: 'FieldValueRequired', field: `${p}.name` })
    if (name) {
      for (const detail of dns1123LabelErrors(name)) errors.push({ type: 'FieldValueInvalid', field: `${p}.name`, value: name, detail })
      if (names.has(name)) errors.push({ type: 'FieldValueDuplicate', field: `${p}.name`, value: name })
      names.add(name)
    }
    errors.push(...portNumberErrors(po.port, `${p}.port`, true))
    if (typeof po.targetPort === 'number') errors.push(...portNumberErrors(po.targetPort, `${p}.targetPort`, false))
    else if (typeof po.targetPort === 'string')
      for (const detail of portNameErrors(po.targetPort)) errors.push({ type: 'FieldValueInvalid', field: `${p}.targetPort`, value: po.targetPort, detail })
    if (po.protocol !== undefined && !PROTOCOLS.includes(String(po.protocol)))
      errors.push({ type: 'FieldValueNotSupported', field: `${p}.protocol`, value: po.protocol, supported: PROTOCOLS })
  })
  errors.push(...validateLabels(spec.selector, 'spec.selector'))
  return errors
}

interface ServiceSpec {
  type?: string
  clusterIP?: string
  clusterIPs?: string[]
  ipFamilies?: string[]
  ipFamilyPolicy?: string
}

function specOf(o: KObject): ServiceSpec {
  return (o.spec ??= {}) as ServiceSpec
}

function clusterIPOf(o: KObject): string | undefined {
  const s = (o.spec ?? {}) as ServiceSpec
  return s.clusterIPs?.[0] || s.clusterIP || undefined
}

/** ExternalName Services have no virtual IP; headless ones ask for none. */
export function needsClusterIP(o: KObject): boolean {
  const s = (o.spec ?? {}) as ServiceSpec
  return s.type !== 'ExternalName' && clusterIPOf(o) !== 'None'
}

/** Upstream ValidateService / ValidateServiceUpdate, for the clusterIP fields. */
export function validateServiceIPs(obj: KObject, old: KObject | undefined): FieldError[] {
  const s = (obj.spec ?? {}) as ServiceSpec
  const errors: FieldError[] = []
  const ips = s.clusterIPs ?? []
  if (s.type === 'ExternalName') {
    if (s.clusterIP || ips.length) errors.push({ type: 'FieldValueForbidden', field: 'spec.clusterIPs', detail: 'may not be set for ExternalName services' })
    return errors
  }
  if (s.clusterIP && ips.length && ips[0] !== s.clusterIP) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: ips, detail: 'must match `clusterIP` when both are specified' })
  }
  ;(s.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4') errors.push({ type: 'FieldValueInvalid', field: `spec.ipFamilies[${i}]`, value: f, detail: 'not configured on this cluster' })
  })
  if (ips.length > 1)
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: ips, detail: 'this cluster is not configured for dual-stack services' })
  const first = ips[0] ?? s.clusterIP
  if (first && first !== 'None' && parseIPv4(first) === undefined) {
    const v6 = first.includes(':')
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.clusterIPs[0]',
      value: first,
      detail: v6 ? 'IPv6 is not configured on this cluster' : 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    })
  }
  if (old) {
    const o = (old.spec ?? {}) as ServiceSpec
    const before = o.clusterIPs?.[0] ?? o.clusterIP
    if (o.type !== 'ExternalName' && before && first !== before) {
      errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: ips.length ? ips : first ? [first] : [], detail: 'may not change once set' })
    }
  }
  return errors
}

function setAddress(o: KObject, ip: string): void {
  const s = specOf(o)
  s.clusterIP = ip
  s.clusterIPs = [ip]
  s.ipFamilies ??= ['IPv4']
  s.ipFamilyPolicy ??= 'SingleStack'
}

function owner(o: KObject): Owner {
  return { namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' }
}

/** A requested address that cannot be had is 422 on spec.clusterIPs; a full range is a 500, as upstream. */
function allocationFailure(o: KObject, ip: string | undefined, e: unknown): ApiError {
  if (e instanceof AllocationError && e.kind !== 'full' && ip) {
    const ips = specOf(o).clusterIPs?.length ? specOf(o).clusterIPs! : [ip]
    return invalid({ group: '', kind: 'Service' }, o.metadata?.name ?? '', [
      { type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: ips, detail: `failed to allocate IP ${ip}: ${e.message}` },
    ])
  }
  if (e instanceof AllocationError) return internalError(new Error(`failed to allocate a serviceIP: ${e.message}`))
  return e instanceof ApiError ? e : internalError(e)
}

async function take(alloc: ServiceIPAllocator, ctx: RequestContext, o: KObject): Promise<(() => Promise<void>) | undefined> {
  const requested = clusterIPOf(o)
  try {
    if (requested) {
      await alloc.allocate(requested, owner(o), ctx.dryRun)
      setAddress(o, requested)
    } else {
      setAddress(o, await alloc.allocateNext(owner(o), ctx.dryRun))
    }
  } catch (e) {
    throw allocationFailure(o, requested, e)
  }
  const ip = clusterIPOf(o)!
  return ctx.dryRun ? undefined : () => alloc.release(ip)
}

/** The storage hooks that give Services their ClusterIPs (upstream's service REST storage). */
function serviceIPHooks(alloc: ServiceIPAllocator): Strategy {
  return {
    async beginCreate(ctx: RequestContext, o: KObject) {
      const s = specOf(o)
      if (s.type === 'ExternalName') return undefined
      if (clusterIPOf(o) === 'None') {
        s.clusterIP = 'None'
        s.clusterIPs = ['None']
        s.ipFamilies ??= ['IPv4']
        s.ipFamilyPolicy ??= 'SingleStack'
        return undefined
      }
      return take(alloc, ctx, o)
    },
    // upstream patchAllocatedValues: an update that omits the address keeps it
    prepareForUpdate(next: KObject, current: StoredObject) {
      if (!needsClusterIPOrHeadless(current) || specOf(next).type === 'ExternalName') return
      const n = specOf(next)
      const c = (current.spec ?? {}) as ServiceSpec
      if (!n.clusterIP && c.clusterIP) n.clusterIP = c.clusterIP
      if (!n.clusterIPs?.length && c.clusterIPs?.length) n.clusterIPs = [...c.clusterIPs]
      if (!n.ipFamilies?.length && c.ipFamilies?.length) n.ipFamilies = [...c.ipFamilies]
      if (!n.ipFamilyPolicy && c.ipFamilyPolicy) n.ipFamilyPolicy = c.ipFamilyPolicy
    },
    validate(obj: KObject, old: KObject | undefined) {
      return validateServiceIPs(obj, old)
    },
    async beginUpdate(ctx: RequestContext, next: KObject, current: StoredObject) {
      // ExternalName -> a type with a virtual IP: allocate now
      if (needsClusterIPOrHeadless(current) || !needsClusterIP(next)) return undefined
      return take(alloc, ctx, next)
    },
    async afterUpdate(next: KObject, current: StoredObject) {
      const ip = clusterIPOf(current)
      if (ip && ip !== 'None' && !needsClusterIPOrHeadless(next)) await alloc.release(ip)
    },
    async afterDelete(o: KObject) {
      const ip = clusterIPOf(o)
      if (ip && ip !== 'None') await alloc.release(ip)
    },
  }
}

function needsClusterIPOrHeadless(o: KObject): boolean {
  return ((o.spec ?? {}) as ServiceSpec).type !== 'ExternalName'
}

function servicePorts(s: Any): string {
  const ports: Any[] = s.spec?.ports ?? []
  if (!ports.length) return '<none>'
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',')
}

const base: Strategy = {
  nameRule: 'dns1035-label',
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    setDefault(spec, 'type', 'ClusterIP')
    setDefault(spec, 'sessionAffinity', 'None')
    for (const port of arr(spec.ports)) {
      const p = obj(port)
      if (!p) continue
      setDefault(p, 'protocol', 'TCP')
      setDefault(p, 'targetPort', p.port)
    }
  },
  initialStatus: () => ({ loadBalancer: {} }),
  validate: (o) => validateServiceSpec(o.spec),
  printer: {
    columns: [
      NAME,
      col('Type', 'The type of the service.'),
      col('Cluster-IP', 'The cluster IP address of the service.'),
      col('External-IP', 'The external IP address of the service.'),
      col('Port(s)', 'The ports exposed by the service.'),
      AGE,
      col('Selector', 'The selector of the service.', 1),
    ],
    cells: (s) => [
      s.metadata.name,
      s.spec?.type ?? 'ClusterIP',
      s.spec?.clusterIP ?? '<none>',
      (s.spec?.externalIPs ?? []).join(',') || '<none>',
      servicePorts(s),
      age(s),
      selectorText(s.spec?.selector),
    ],
  },
}

/** The Service strategy; with an allocator, Services get ClusterIPs (the API server always gives one). */
export function serviceStrategy(alloc?: ServiceIPAllocator): Strategy {
  if (!alloc) return base
  const hooks = serviceIPHooks(alloc)
  return { ...base, ...hooks, validate: (o, old) => [...base.validate!(o, old), ...hooks.validate!(o, old)] }
}
