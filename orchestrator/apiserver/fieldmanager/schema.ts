// How server-side apply sees the shape of the built-in kinds: which lists are associative (and by
// which keys), which are sets, which maps and structs are atomic. Upstream reads this from the
// OpenAPI extensions of each type (x-kubernetes-list-type / -list-map-keys / -map-type, from the
// Go markers +listType, +listMapKey, +mapType, +structType) through structured-merge-diff's
// schema; every other list is atomic, every other object granular.
// Simplifies: looked up by field name (and, for `ports`, by the items' shape), not by the full
// Go type: the installed schemas (kubernetes-models) do not carry those extensions. A field name
// that means different things in different kinds takes the meaning of the common case.

type Json = unknown

export type Shape = { kind: 'leaf' } | { kind: 'map' } | { kind: 'set' } | { kind: 'assoc'; keys: readonly string[]; defaults?: Readonly<Record<string, Json>> }

const LEAF: Shape = { kind: 'leaf' }
const MAP: Shape = { kind: 'map' }
const SET: Shape = { kind: 'set' }

/** +listType=map: the item keys (and the defaults structured-merge-diff fills in for a missing key). */
const ASSOCIATIVE: Record<string, Shape> = {
  containers: { kind: 'assoc', keys: ['name'] },
  initContainers: { kind: 'assoc', keys: ['name'] },
  ephemeralContainers: { kind: 'assoc', keys: ['name'] },
  env: { kind: 'assoc', keys: ['name'] },
  volumes: { kind: 'assoc', keys: ['name'] },
  volumeMounts: { kind: 'assoc', keys: ['mountPath'] },
  volumeDevices: { kind: 'assoc', keys: ['devicePath'] },
  imagePullSecrets: { kind: 'assoc', keys: ['name'] },
  resourceClaims: { kind: 'assoc', keys: ['name'] },
  schedulingGates: { kind: 'assoc', keys: ['name'] },
  ownerReferences: { kind: 'assoc', keys: ['uid'] },
  conditions: { kind: 'assoc', keys: ['type'] },
  hostAliases: { kind: 'assoc', keys: ['ip'] },
  podIPs: { kind: 'assoc', keys: ['ip'] },
  hostIPs: { kind: 'assoc', keys: ['ip'] },
  topologySpreadConstraints: { kind: 'assoc', keys: ['topologyKey', 'whenUnsatisfiable'] },
}

/** Container ports (containerPort, protocol) and Service ports (port, protocol); protocol defaults to TCP. */
const CONTAINER_PORTS: Shape = { kind: 'assoc', keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } }
const SERVICE_PORTS: Shape = { kind: 'assoc', keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } }

/** +listType=set */
const SETS = new Set(['finalizers'])

/** +mapType=atomic / +structType=atomic: owned and replaced as one value (LabelSelector, NodeSelector, references). */
const ATOMIC_OBJECTS = new Set([
  'selector',
  'nodeSelector',
  'labelSelector',
  'namespaceSelector',
  'podSelector',
  'fieldRef',
  'resourceFieldRef',
  'configMapKeyRef',
  'secretKeyRef',
  'involvedObject',
  'nodeSelectorTerms',
])

/** The shape of the value `v` of field `name` (a leaf for scalars, atomic objects and atomic lists). */
export function shapeOf(name: string, v: Json): Shape {
  if (v === null || typeof v !== 'object') return LEAF
  if (!Array.isArray(v)) return ATOMIC_OBJECTS.has(name) ? LEAF : MAP
  if (SETS.has(name)) return SET
  if (name === 'ports') {
    const sample = v.find((i) => i !== null && typeof i === 'object') as Record<string, Json> | undefined
    if (sample && 'containerPort' in sample) return CONTAINER_PORTS
    if (sample && 'port' in sample) return SERVICE_PORTS
    return LEAF
  }
  return ASSOCIATIVE[name] ?? LEAF
}

/** The shape for two sides of a comparison or a merge, judged by whichever side is there. */
export function shapeOfEither(name: string, a: Json, b: Json): Shape {
  if (Array.isArray(a) && Array.isArray(b)) return shapeOf(name, [...b, ...a])
  return shapeOf(name, b === undefined || b === null ? a : b)
}
