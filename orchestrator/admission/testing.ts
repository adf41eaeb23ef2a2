// Helpers for admission plugin tests: attributes for a request and an in-memory reader.

import type { KObject } from '../api/meta.js'
import { lookupResource } from '../api/resources.js'
import type { AdmissionAttributes, AdmissionReader, Operation } from './admission.js'

export function attrs(
  resource: string,
  op: Operation,
  object?: KObject,
  opts: { group?: string; namespace?: string; user?: string; groups?: string[]; oldObject?: KObject; subresource?: string } = {},
): AdmissionAttributes {
  const info = lookupResource(opts.group ?? '', resource)
  if (!info) throw new Error(`unknown resource ${resource}`)
  return {
    operation: op,
    resource: info,
    subresource: opts.subresource ?? '',
    namespace: opts.namespace ?? 'team-a',
    name: object?.metadata?.name ?? opts.oldObject?.metadata?.name ?? '',
    object,
    oldObject: opts.oldObject,
    user: { name: opts.user ?? 'alice', groups: opts.groups ?? ['system:authenticated'] },
    dryRun: false,
  }
}

/** A reader over fixed objects, keyed `<group>/<resource>/<namespace>`. */
export function reader(objects: Record<string, KObject[]> = {}): AdmissionReader {
  return {
    async get(group, resource, namespace, name) {
      return (objects[`${group}/${resource}/${namespace}`] ?? []).find((o) => o.metadata?.name === name)
    },
    async list(group, resource, namespace) {
      return structuredClone(objects[`${group}/${resource}/${namespace}`] ?? [])
    },
    // no cache: every namespace is read live, every quota list is live
    cachedNamespace() {
      return undefined
    },
    async resourceQuotas(namespace) {
      return this.list('', 'resourcequotas', namespace)
    },
  }
}

export async function refusal(p: Promise<unknown> | (() => unknown)): Promise<{ code: number; message: string } | undefined> {
  try {
    await (typeof p === 'function' ? p() : p)
    return undefined
  } catch (e) {
    const err = e as { code?: number; message: string }
    return { code: err.code ?? 0, message: err.message }
  }
}
