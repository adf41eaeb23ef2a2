// PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902, through fast-json-patch),
// and strategic merge patch, as kube-apiserver accepts them. Strategic merge follows
// k8s.io/apimachinery/pkg/util/strategicpatch for the built-in kinds: lists with a patch merge
// key (containers by name, env by name, ports by containerPort/port, conditions by type, ...)
// merge element-wise, other lists are replaced, and the directives $patch (replace/delete),
// $setElementOrder, $deleteFromPrimitiveList and $retainKeys are honoured.
// Simplifies: merge keys are looked up by field name, not by the full Go type.

import fastJsonPatch from 'fast-json-patch'
import { badRequest, unsupportedMediaType, ApiError } from '../../api/errors.js'
import { merge } from '../fieldmanager/typed.js'

type Json = unknown
type JsonObject = Record<string, Json>

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const

export type PatchType = (typeof PATCH_TYPES)[number]

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch)
  const out: JsonObject = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

/** RFC 6902 through fast-json-patch; a failed `test` or a bad path is a 422/400 as upstream. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  let err: ReturnType<typeof fastJsonPatch.validate>
  try {
    err = fastJsonPatch.validate(ops as fastJsonPatch.Operation[], structuredClone(target))
  } catch (e) {
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    )
  }
  if (err) {
    if (err.name === 'TEST_OPERATION_FAILED')
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value failed`)
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${err.message.split('\n')[0]}`)
  }
  try {
    return fastJsonPatch.applyPatch(structuredClone(target), ops as fastJsonPatch.Operation[], false, false).newDocument
  } catch (e) {
    // an operation that validated alone can still fail on the document an earlier one left
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    )
  }
}

/** Patch merge keys of the built-in types, by field name. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  volumes: 'name',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  addresses: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
}

/** Lists of primitives that merge (set union) instead of being replaced. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers'])

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === 'ports') {
    // container ports merge on containerPort, service ports on port
    const sample = items.find(isObject)
    if (sample && 'containerPort' in sample) return 'containerPort'
    if (sample && 'port' in sample) return 'port'
    return undefined
  }
  return MERGE_KEYS[field]
}

/** Strategic merge patch of `original` with `patch`. */
export function strategicMergePatch(original: Json, patch: Json): Json {
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object')
  return smpObject(isObject(original) ? original : {}, patch)
}

function smpObject(original: JsonObject, patch: JsonObject): JsonObject {
  const directive = patch.$patch
  if (directive === 'replace') {
    const { $patch: _drop, ...rest } = patch
    return structuredClone(rest)
  }
  const out: JsonObject = { ...original }
  const retain = patch.$retainKeys
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue
    if (v === null) {
      delete out[k]
      continue
    }
    if (isObject(v) && v.$patch === 'delete') {
      delete out[k]
      continue
    }
    if (Array.isArray(v)) {
      out[k] = smpList(k, Array.isArray(out[k]) ? (out[k] as Json[]) : [], v)
    } else if (isObject(v)) {
      out[k] = smpObject(isObject(out[k]) ? (out[k] as JsonObject) : {}, v)
    } else {
      out[k] = v
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const field = k.slice('$deleteFromPrimitiveList/'.length)
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((x) => !v.includes(x))
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
      const field = k.slice('$setElementOrder/'.length)
      if (Array.isArray(out[field])) out[field] = applyOrder(field, out[field] as Json[], v)
    }
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  }
  return out
}

function smpList(field: string, original: Json[], patch: Json[]): Json[] {
  if (MERGED_PRIMITIVE_LISTS.has(field)) {
    const out = [...original]
    for (const v of patch) if (!out.includes(v)) out.push(v)
    return out
  }
  const key = mergeKeyFor(field, [...patch, ...original])
  if (!key) {
    // atomic list: replaced, without directive markers
    return patch.filter((p) => !(isObject(p) && p.$patch)).map((p) => structuredClone(p))
  }
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map((p) => structuredClone(p))
  }
  const out: Json[] = original.map((o) => structuredClone(o))
  for (const p of patch) {
    if (!isObject(p)) continue
    const id = p[key]
    const idx = out.findIndex((o) => isObject(o) && o[key] === id)
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1)
      continue
    }
    if (idx >= 0) out[idx] = smpObject(out[idx] as JsonObject, p)
    else out.push(smpObject({}, p))
  }
  return out
}

function applyOrder(field: string, items: Json[], order: Json[]): Json[] {
  const key = mergeKeyFor(field, [...order, ...items])
  const ident = (x: Json): Json => (key && isObject(x) ? x[key] : x)
  const wanted = order.map(ident)
  const ordered: Json[] = []
  for (const w of wanted) {
    const found = items.find((i) => ident(i) === w)
    if (found !== undefined) ordered.push(found)
  }
  for (const i of items) if (!ordered.includes(i)) ordered.push(i)
  return ordered
}

/** Applies a PATCH body of the given content type to the current object. */
export function applyPatch(contentType: string, current: Json, body: Json): Json {
  const type = contentType.split(';')[0]!.trim()
  switch (type) {
    case 'application/merge-patch+json':
      return mergePatch(current, body)
    case 'application/json-patch+json':
      return jsonPatch(current, body)
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(current, body)
    case 'application/apply-patch+yaml':
      // the merge of server-side apply; its field ownership is the field manager's
      // (fieldmanager/fieldmanager.ts applyConfiguration), which the main resource's patch uses
      if (!isObject(body)) throw badRequest('error decoding YAML: the applied configuration must be an object')
      return merge(isObject(current) ? current : {}, body)
    default:
      throw unsupportedMediaType(type, [...PATCH_TYPES])
  }
}
