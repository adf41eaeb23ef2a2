// Unknown fields: which fields of an incoming object the upstream API does not define, found by
// walking the object along the field tree of the Kubernetes OpenAPI as generated into
// @kubernetes/client-node's models (each model's attributeTypeMap). The decoder drops them, as
// upstream's does; with `fieldValidation=Strict` (kubectl's default) they are a 400 BadRequest
// `strict decoding error: unknown field "spec.foo"`, with `Warn` (the server default) a
// `Warning` header each, with `Ignore` nothing. Mirrors k8s.io/apimachinery's strict JSON
// decoding and the fieldValidation query parameter.
// Simplifies: duplicate fields cannot be detected (JSON.parse keeps the last one); free-form
// fields (RawExtension, `any`) are not looked into.

interface Attribute {
  baseName: string
  type: string
}

type ModelClass = { getAttributeTypeMap?: () => Attribute[]; attributeTypeMap?: Attribute[] }
type Models = Record<string, ModelClass | undefined>

let models: Promise<Models> | undefined

/** The generated models, loaded on first use (the package is large). */
function loadModels(): Promise<Models> {
  // the generated models alone (the same classes as the package root exports): the root also
  // loads the HTTP client stack (undici, openid-client, socks), about 1 s in a fresh process
  models ??= import('@kubernetes/client-node/dist/gen/models/all.js') as unknown as Promise<Models>
  return models
}

const SPECIAL_CLASS: Record<string, string> = {
  'core/Event': 'CoreV1Event',
  'authentication.k8s.io/TokenRequest': 'AuthenticationV1TokenRequest',
}

function className(group: string, version: string, kind: string): string {
  return SPECIAL_CLASS[`${group || 'core'}/${kind}`] ?? `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`
}

function attributes(m: Models, cls: string): Map<string, string> | undefined {
  const c = m[cls]
  const list = c?.getAttributeTypeMap?.() ?? c?.attributeTypeMap
  if (!list) return undefined
  return new Map(list.map((a) => [a.baseName, a.type]))
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * Returns the paths of fields the schema does not know (`spec.template.spec.containers[0].foo`)
 * and, when `prune` is set, deletes them from `obj`. Unknown kinds report nothing.
 */
export async function unknownFields(group: string, version: string, kind: string, obj: unknown, prune: boolean): Promise<string[]> {
  const m = await loadModels()
  const root = className(group, version, kind)
  if (!attributes(m, root)) return []
  const found: string[] = []

  const visit = (value: unknown, type: string, path: string): void => {
    if (value === null || value === undefined) return
    const array = /^Array<(.+)>$/.exec(type)
    if (array) {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, array[1]!, `${path}[${i}]`))
      return
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
    if (map) {
      if (isObject(value)) for (const [k, v] of Object.entries(value)) visit(v, map[1]!, `${path}[${k}]`)
      return
    }
    const attrs = attributes(m, type)
    if (!attrs || !isObject(value)) return // scalars, IntOrString, any, or a type error the schema reports
    for (const key of Object.keys(value)) {
      const childPath = path ? `${path}.${key}` : key
      const childType = attrs.get(key)
      if (childType === undefined) {
        found.push(childPath)
        if (prune) delete value[key]
      } else visit(value[key], childType, childPath)
    }
  }
  visit(obj, root, '')
  return found
}
