// What the store holds and what was written to it, read through the target's store door
// (capability @store), independently of what the API server says about itself: which writes
// were of an object, whether a rejected request left anything behind, whether an accepted one
// was stored once and as the API serves it, and when the store acknowledged a write.
// Objects are found by their content (kind, namespace, name), never by the API server's key
// layout, so a check works whatever keys a store implementation uses.

import type { KubernetesObject } from '@kubernetes/client-node'
import { objectPath, requestAs } from './identities.js'
import type { Session, StoreDoor, StoreWrite } from './targets/target.js'

/** The object a write is about, as far as a scenario can name it. */
export interface ObjectRef {
  kind: string
  namespace?: string
  /** Undefined: any object of the kind in the namespace. */
  name?: string
}

export function storeDoor(s: Session): StoreDoor {
  if (!s.store) throw new Error('this target has no store door (the scenario needs the @store tag and the built-in target)')
  return s.store
}

/**
 * Whether a write is of the object. A value the door could not decode (a real kube-apiserver's
 * protobuf) counts as "maybe", since it cannot be ruled out, when its key could name the object:
 * the namespace among its segments and, when the object is named, the name as its last segment.
 */
export function isWriteOf(w: StoreWrite, ref: ObjectRef): boolean {
  const o = w.object
  if (!o) {
    const segments = w.key.split('/')
    return (ref.namespace === undefined || segments.includes(ref.namespace)) && (ref.name === undefined || segments.at(-1) === ref.name)
  }
  if (o.kind !== undefined && o.kind !== ref.kind) return false
  if (ref.namespace !== undefined && (o.metadata?.namespace ?? ref.namespace) !== ref.namespace) return false
  if (ref.name !== undefined && o.metadata?.name !== ref.name) return false
  return true
}

export function describeWrite(w: StoreWrite): string {
  const o = w.object
  const what = o ? `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}` : '(not JSON)'
  return `revision ${w.revision}: ${w.type} ${w.key} (${what})`
}

/** Every write of the object after `revision`, oldest first. */
export async function writesOf(s: Session, ref: ObjectRef, revision: number): Promise<StoreWrite[]> {
  return (await storeDoor(s).writesSince(revision)).filter((w) => isWriteOf(w, ref))
}

/** The write that created the object after `revision` (its first put), or undefined. */
export async function creatingWrite(s: Session, ref: ObjectRef, revision: number): Promise<StoreWrite | undefined> {
  return (await writesOf(s, ref, revision)).find((w) => w.type === 'put')
}

/** The object exactly as the API serves it (raw JSON, no client-side typing), or undefined when absent. */
export async function servedObject(s: Session, o: KubernetesObject): Promise<Record<string, unknown> | undefined> {
  const actor = { label: 'admin', kc: s.kubeconfig, file: s.kubeconfigFile, headers: {} }
  const answer = await requestAs(actor, 'GET', objectPath(o, s.namespace, true))
  if (answer.code === 404) return undefined
  if (answer.status) throw new Error(`reading ${o.kind} ${o.metadata?.name}: ${answer.status.code} ${answer.status.reason}: ${answer.status.message}`)
  return answer.body as Record<string, unknown>
}

/** The object without metadata.resourceVersion (the store keeps it as the key's revision, not in the value). */
export function withoutResourceVersion(o: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(o) as { metadata?: Record<string, unknown> }
  if (copy.metadata) delete copy.metadata.resourceVersion
  return copy as Record<string, unknown>
}
