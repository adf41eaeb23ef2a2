// The checks upstream's decoder and rest.BeforeCreate make of a body against its request: a
// JSON object, apiVersion and kind (strings; missing ones default from the URL, different ones
// are a 400), metadata an object, the namespace and name the URL's, worded as upstream.

import { badRequest } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js'

/** Checks type meta and namespace of a body against the request (upstream's decoder and rest.BeforeCreate checks). */
export function checkBody(info: ResourceInfo, namespace: string, body: unknown, expectName?: string): KObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`the body of the request is not a ${info.kind} object`)
  }
  const o = body as KObject
  const want = apiVersionOf(info)
  // the decoder reads apiVersion and kind first, into strings (a null or "" is as good as missing: both default from the URL)
  for (const field of ['apiVersion', 'kind'] as const) {
    const v: unknown = o[field]
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${info.kind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonValue(v)} into Go struct field .${field} of type string (${summarize(body)})`,
      )
    }
  }
  if (o.apiVersion && o.apiVersion !== want) {
    throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${want})`)
  }
  if (o.kind && o.kind !== info.kind) {
    throw badRequest(`the kind in the data (${o.kind}) does not match the expected kind (${info.kind})`)
  }
  if (o.metadata === null) delete o.metadata
  if (o.metadata !== undefined && (typeof o.metadata !== 'object' || Array.isArray(o.metadata))) {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: json: cannot unmarshal ${goJsonValue(o.metadata)} into Go struct field ${info.kind}.metadata of type v1.ObjectMeta`,
    )
  }
  o.apiVersion = want
  o.kind = info.kind
  o.metadata ??= {}
  if (info.namespaced) {
    if (o.metadata.namespace && namespace && o.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
    }
    o.metadata.namespace = namespace || o.metadata.namespace
  } else if (o.metadata.namespace) {
    delete o.metadata.namespace
  }
  if (expectName !== undefined && o.metadata.name !== undefined && o.metadata.name !== expectName) {
    throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${expectName})`)
  }
  return o
}

/** How Go's JSON decoder names a value it cannot store. */
function goJsonValue(v: unknown): string {
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'boolean') return 'bool'
  return typeof v === 'object' ? 'object' : typeof v
}

/** Upstream summarizeData(body, 30): the start of an object body, as its JSON. */
function summarize(body: unknown): string {
  const text = JSON.stringify(body)
  return text.length > 30 ? `${text.slice(0, 30)} ...` : text
}
