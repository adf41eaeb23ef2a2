// Rollout history for DaemonSets and StatefulSets: one ControllerRevision (apps/v1) per pod
// template the controller has run, named `<owner>-<hash>`, labelled with the template's labels
// (so `kubectl rollout history` finds them by the owner's selector) and owned by the controller.
// Its `data` is the patch that puts that template back (`{"spec":{"template":{...,"$patch":
// "replace"}}}`), which is exactly what `kubectl rollout undo` applies as a strategic merge
// patch. The newest template always carries the highest `revision`: rolling back to an older
// template renumbers its revision instead of making a new one. Old revisions no pod uses are
// pruned down to spec.revisionHistoryLimit.
// Mirrors pkg/controller/history (NewControllerRevision, HashControllerRevision,
// ControllerRevisionName, FindEqualRevisions) and the daemon set / stateful set controllers'
// use of it (dsc.constructHistory / cleanupHistory, ssc.getStatefulSetRevisions / truncateHistory).
// Simplifies: the hash is FNV-1a over canonical JSON (upstream hashes the serialized bytes), so
// names match upstream's shape, not its exact letters; no adoption of orphaned revisions.
// (The hash helpers repeat deployment/rollout.ts's: controllers do not import one another.)

import { ApiError } from '../api/errors.js'
import type { KObject } from '../api/meta.js'
import { newControllerRef } from '../api/pods.js'
import { lookupResource } from '../api/resources.js'
import type { ControllerRevision, PodTemplateSpec } from '../api/types.js'
import { refFor, type ReadWriter } from '../client/client.js'

export const CONTROLLER_REVISIONS = lookupResource('apps', 'controllerrevisions')!

/** The pod label naming the revision a pod was made from (apps.ControllerRevisionHashLabelKey). */
export const REVISION_HASH_LABEL = 'controller-revision-hash'
/** The label a ControllerRevision carries with its hash (history.ControllerRevisionHashLabel). */
export const REVISION_OWN_HASH_LABEL = 'controller.kubernetes.io/hash'

/** Canonical JSON (sorted keys) so equal values hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`
  }
  return JSON.stringify(v)
}

/** 32-bit FNV-1a, as Go's hash/fnv New32a. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** k8s.io/apimachinery/pkg/util/rand.SafeEncodeString: no vowels, no look-alike characters. */
export function safeEncodeString(s: string): string {
  let out = ''
  for (const ch of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[ch % SAFE_ALPHABET.length]
  return out
}

/** A value's hash as upstream spells hashes (controller.ComputeHash: SafeEncodeString of the 32-bit FNV-1a). */
export function hashOf(value: unknown, collisionCount?: number): string {
  let text = canonicalJson(value ?? {})
  if (collisionCount !== undefined && collisionCount !== null) text += `#${collisionCount}`
  return safeEncodeString(String(fnv32a(text)))
}

/** The revision data of a template: the strategic merge patch that restores it. */
export function templatePatch(template: PodTemplateSpec | undefined): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(template ?? {}), $patch: 'replace' } } }
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters (history.ControllerRevisionName). */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`
}

/** The revisions `owner` controls, oldest revision number first. */
export function ownedRevisions(owner: KObject, all: readonly ControllerRevision[]): ControllerRevision[] {
  const uid = owner.metadata?.uid
  return all
    .filter((r) => (r.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === uid))
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
}

export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0)
}

export interface RevisionOwner {
  owner: KObject
  apiVersion: string
  kind: string
  /** Labels the revision carries besides its own hash label (the template's). */
  labels: Record<string, string>
  data: unknown
  hash: string
}

/**
 * The revision for `want.data`: the existing one with that hash (renumbered to be the newest
 * when it is not), else a new one numbered max + 1. Returns it as stored.
 */
export async function ensureRevision(client: ReadWriter, want: RevisionOwner, revisions: readonly ControllerRevision[]): Promise<ControllerRevision> {
  const ns = want.owner.metadata?.namespace
  const name = revisionName(want.owner.metadata?.name ?? '', want.hash)
  const top = maxRevision(revisions)
  const existing = revisions.find((r) => r.metadata?.name === name)
  if (existing) {
    if ((existing.revision ?? 0) >= top) return existing
    return client.update<ControllerRevision>(refFor(CONTROLLER_REVISIONS, ns, name), { ...existing, revision: top + 1 })
  }
  const body: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: ns,
      labels: { ...want.labels, [REVISION_OWN_HASH_LABEL]: want.hash },
      ownerReferences: [newControllerRef(want.owner, want.apiVersion, want.kind)],
    },
    data: want.data as ControllerRevision['data'],
    revision: top + 1,
  }
  const annotations = want.owner.metadata?.annotations
  if (annotations && Object.keys(annotations).length) body.metadata!.annotations = { ...annotations }
  try {
    return await client.create<ControllerRevision>(refFor(CONTROLLER_REVISIONS, ns), body)
  } catch (e) {
    // created by an earlier sync whose event the cache has not seen yet: use the stored one
    if (e instanceof ApiError && e.code === 409) return client.get<ControllerRevision>(refFor(CONTROLLER_REVISIONS, ns, name))
    throw e
  }
}

/**
 * Deletes the oldest revisions beyond `limit` that are neither `live` (used by a pod or named in
 * the owner's status) nor the newest (upstream cleanupHistory / truncateHistory).
 */
export async function truncateHistory(client: ReadWriter, revisions: readonly ControllerRevision[], live: ReadonlySet<string>, limit: number): Promise<void> {
  const top = maxRevision(revisions)
  const old = revisions.filter((r) => !live.has(r.metadata?.name ?? '') && (r.revision ?? 0) !== top)
  const excess = old.length - Math.max(0, limit)
  for (const r of old.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(refFor(CONTROLLER_REVISIONS, r.metadata?.namespace, r.metadata?.name))
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e
    }
  }
}
