// Adoption and orphaning: a controller owns the objects whose controller reference names it;
// it adopts orphans its selector matches (adding a controller reference) and releases owned
// objects its selector no longer matches (removing the reference), so ownership follows labels.
// Mirrors pkg/controller.ControllerRefManager (ClaimPods, ClaimReplicaSets) including the
// "can adopt" re-check of the owner against the API server before adopting.

import { ApiError } from '../api/errors.js'
import type { KObject, OwnerReference } from '../api/meta.js'
import { controllerOf } from '../api/pods.js'
import type { Selector } from '../api/selectors.js'
import type { ResourceRef, Writer } from '../client/client.js'

export interface ClaimTarget {
  /** The owner, as cached. */
  owner: KObject
  /** Its controller reference (apiVersion, kind, name, uid, controller, blockOwnerDeletion). */
  ownerRef: OwnerReference
  selector: Selector
  /** Where a candidate lives in the API, for the adopt / release patches. */
  refOf: (o: KObject) => ResourceRef
  /** Re-reads the owner from the API server (not the cache) before the first adoption. */
  fresh: () => Promise<KObject | undefined>
}

/**
 * Returns the candidates the owner controls after adopting matching orphans and releasing
 * non-matching owned ones. Objects owned by another controller are never touched.
 */
export async function claim<T extends KObject>(client: Writer, t: ClaimTarget, candidates: readonly T[]): Promise<T[]> {
  const uid = t.owner.metadata?.uid
  const ownerDeleting = Boolean(t.owner.metadata?.deletionTimestamp)
  const claimed: T[] = []
  let adoptable: boolean | undefined
  const canAdopt = async (): Promise<boolean> => {
    if (adoptable === undefined) {
      const fresh = await t.fresh()
      adoptable = Boolean(fresh && fresh.metadata?.uid === uid && !fresh.metadata?.deletionTimestamp)
    }
    return adoptable
  }
  for (const o of candidates) {
    const ref = controllerOf(o)
    const matches = t.selector.matches(o.metadata?.labels)
    if (ref) {
      if (ref.uid !== uid) continue
      if (matches || ownerDeleting) {
        claimed.push(o)
        continue
      }
      // owned but no longer selected: release it
      try {
        await client.patch(
          t.refOf(o),
          { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: o.metadata?.uid } },
          'application/strategic-merge-patch+json',
        )
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 422))) throw e
      }
      continue
    }
    if (!matches || ownerDeleting || o.metadata?.deletionTimestamp) continue
    if (!(await canAdopt())) continue
    try {
      const adopted = await client.patch<T>(
        t.refOf(o),
        { metadata: { ownerReferences: [t.ownerRef], uid: o.metadata?.uid } },
        'application/strategic-merge-patch+json',
      )
      claimed.push(adopted)
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e
    }
  }
  return claimed
}
