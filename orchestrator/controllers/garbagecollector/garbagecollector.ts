// The garbage collector: watches every kind that can own or be owned (all but Events), keeps a
// graph of ownerReferences, and deletes dependents whose owners are gone. It implements the
// three cascading modes of a delete: Background (the owner goes at once, its dependents after
// it), Foreground (the API server marks the owner with the foregroundDeletion finalizer; the
// collector deletes the dependents that block it, then removes the finalizer so the owner
// goes last) and Orphan (the orphan finalizer: the collector removes the owner's references
// from its dependents, then the finalizer, leaving the dependents alone). Owners it has not
// seen are checked against the API server before anything is deleted because of them.
// Mirrors pkg/controller/garbagecollector (graph_builder.go, garbagecollector.go:
// attemptToDeleteItem, processDeletingDependentsItem, orphanDependents).
// Simplifies: no metadata-only informers; owner lookups by name are verified by uid.

import { ApiError } from '../../api/errors.js'
import type { KObject, OwnerReference } from '../../api/meta.js'
import { lookupKind, parseApiVersion, RESOURCES, type ResourceInfo } from '../../api/resources.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { Informer } from '../../client/informer.js'
import { Controller, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'

interface GraphNode {
  uid: string
  info: ResourceInfo
  namespace?: string
  name: string
  owners: OwnerReference[]
  dependents: Set<string>
  /** Not observed yet: only known as someone's owner. */
  virtual: boolean
  deletingDependents: boolean
}

const FOREGROUND = 'foregroundDeletion'
const ORPHAN = 'orphan'

/** Kinds the collector ignores, as upstream (events are never owners nor worth tracking). */
const IGNORED = new Set(['events'])

export class GarbageCollector {
  readonly name = 'garbage-collector-controller'
  private readonly client: ReadWriter
  private readonly graph = new Map<string, GraphNode>()
  private readonly informers: Informer[] = []
  private readonly deleter: Controller
  private readonly orphaner: Controller

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.deleter = new Controller(
      { name: 'garbage-collector attemptToDelete', reconcile: (uid) => this.attemptToDelete(uid) },
      { workers: ctx.config.concurrentGCSyncs ?? 20 },
    )
    this.orphaner = new Controller({ name: 'garbage-collector attemptToOrphan', reconcile: (uid) => this.attemptToOrphan(uid) } satisfies Reconciler, {
      workers: 1,
    })
    for (const info of RESOURCES) {
      if (IGNORED.has(info.resource) || !info.verbs.includes('watch') || !info.verbs.includes('list')) continue
      const inf = ctx.informers.informer(info)
      inf.on({ add: (o) => this.observe(info, o), update: (_old, o) => this.observe(info, o), delete: (o) => this.forgetObject(o) })
      this.informers.push(inf)
    }
  }

  async start(): Promise<void> {
    this.deleter.start()
    this.orphaner.start()
  }

  async stop(): Promise<void> {
    await Promise.all([this.deleter.stop(), this.orphaner.stop()])
  }

  // -------------------------------------------------------------------------------------------
  // the graph

  private observe(info: ResourceInfo, o: KObject): void {
    const m = o.metadata ?? {}
    const uid = m.uid ?? ''
    let node = this.graph.get(uid)
    const owners = [...(m.ownerReferences ?? [])]
    if (!node) {
      node = { uid, info, namespace: m.namespace, name: m.name ?? '', owners: [], dependents: new Set(), virtual: false, deletingDependents: false }
      this.graph.set(uid, node)
    } else if (node.virtual) {
      node.virtual = false
      node.info = info
      node.namespace = m.namespace
      node.name = m.name ?? ''
    }
    const before = new Set(node.owners.map((r) => r.uid))
    const after = new Set(owners.map((r) => r.uid))
    for (const r of node.owners) if (!after.has(r.uid)) this.graph.get(r.uid)?.dependents.delete(uid)
    for (const r of owners) {
      let owner = this.graph.get(r.uid)
      if (!owner) {
        const ownerInfo = lookupKind(parseApiVersion(r.apiVersion).group, r.kind)
        if (!ownerInfo) continue
        owner = {
          uid: r.uid,
          info: ownerInfo,
          namespace: ownerInfo.namespaced ? m.namespace : undefined,
          name: r.name,
          owners: [],
          dependents: new Set(),
          virtual: true,
          deletingDependents: false,
        }
        this.graph.set(r.uid, owner)
        this.deleter.enqueue(r.uid) // is this owner really there?
      }
      owner.dependents.add(uid)
    }
    node.owners = owners
    const ownersChanged = before.size !== after.size || [...after].some((u) => !before.has(u))
    if (ownersChanged && owners.length) this.deleter.enqueue(uid)

    const finalizers = m.finalizers ?? []
    if (m.deletionTimestamp && finalizers.includes(ORPHAN)) this.orphaner.enqueue(uid)
    if (m.deletionTimestamp && finalizers.includes(FOREGROUND)) {
      node.deletingDependents = true
      for (const d of node.dependents) this.deleter.enqueue(d)
      this.deleter.enqueue(uid)
    } else node.deletingDependents = false
  }

  private forgetObject(o: KObject): void {
    const uid = o.metadata?.uid ?? ''
    const node = this.graph.get(uid)
    if (!node) return
    this.graph.delete(uid)
    // dependents of something that is gone: their owner references may now dangle
    for (const d of node.dependents) this.deleter.enqueue(d)
    for (const r of node.owners) {
      const owner = this.graph.get(r.uid)
      if (!owner) continue
      owner.dependents.delete(uid)
      // an owner waiting in foreground deletion may be free to go now
      if (owner.deletingDependents) this.deleter.enqueue(r.uid)
    }
  }

  // -------------------------------------------------------------------------------------------
  // attemptToDelete

  private async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid)
    if (!node) return
    if (node.virtual) return this.verifyVirtual(node)
    const latest = await this.getLive(node.info, node.namespace, node.name)
    if (!latest || latest.metadata?.uid !== uid) return // gone; the informer will tell
    const finalizers = latest.metadata?.finalizers ?? []
    if (latest.metadata?.deletionTimestamp && !finalizers.includes(FOREGROUND)) return // being deleted already
    if (finalizers.includes(FOREGROUND) && latest.metadata?.deletionTimestamp) return this.processDeletingDependents(node, latest)
    const refs = latest.metadata?.ownerReferences ?? []
    if (!refs.length) return
    const solid: OwnerReference[] = []
    const dangling: OwnerReference[] = []
    const waiting: OwnerReference[] = []
    for (const r of refs) {
      const info = lookupKind(parseApiVersion(r.apiVersion).group, r.kind)
      if (!info) {
        solid.push(r) // a kind this cluster does not serve: never delete because of it
        continue
      }
      const owner = await this.getLive(info, info.namespaced ? node.namespace : undefined, r.name)
      if (!owner || owner.metadata?.uid !== r.uid) dangling.push(r)
      else if (owner.metadata?.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) waiting.push(r)
      else solid.push(r)
    }
    if (solid.length) {
      // keep the object; drop references to owners that are gone, stop blocking owners going away
      if (!dangling.length && !waiting.some((r) => r.blockOwnerDeletion)) return
      const patch = [
        ...dangling.map((r) => ({ $patch: 'delete', uid: r.uid })),
        ...waiting.filter((r) => r.blockOwnerDeletion).map((r) => ({ ...r, blockOwnerDeletion: false })),
      ]
      await this.patchOwners(node, patch)
      return
    }
    // every owner is gone or going: delete it, in foreground if an owner waits on its dependents
    const policy = waiting.length && node.dependents.size ? 'Foreground' : finalizers.includes(ORPHAN) ? 'Orphan' : 'Background'
    try {
      await this.client.delete(refFor(node.info, node.namespace, node.name), { propagationPolicy: policy, preconditions: { uid } })
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e
    }
  }

  /** An owner only known from references: if it does not exist, its dependents lose it. */
  private async verifyVirtual(node: GraphNode): Promise<void> {
    const live = await this.getLive(node.info, node.namespace, node.name)
    if (live && live.metadata?.uid === node.uid) return // it exists; its informer will report it
    this.graph.delete(node.uid)
    for (const d of node.dependents) this.deleter.enqueue(d)
  }

  /** Foreground deletion: delete blocking dependents; when none is left, release the owner. */
  private async processDeletingDependents(node: GraphNode, latest: KObject): Promise<void> {
    const blocking: string[] = []
    for (const d of node.dependents) {
      const dep = this.graph.get(d)
      if (!dep || dep.virtual) continue
      const ref = dep.owners.find((r) => r.uid === node.uid)
      if (ref?.blockOwnerDeletion) blocking.push(d)
      this.deleter.enqueue(d)
    }
    if (blocking.length) return
    await this.removeFinalizer(node, latest, FOREGROUND)
  }

  // -------------------------------------------------------------------------------------------
  // attemptToOrphan

  private async attemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid)
    if (!node || node.virtual) return
    for (const d of [...node.dependents]) {
      const dep = this.graph.get(d)
      if (!dep || dep.virtual) continue
      await this.patchOwners(dep, [{ $patch: 'delete', uid }])
    }
    const latest = await this.getLive(node.info, node.namespace, node.name)
    if (latest && latest.metadata?.uid === uid) await this.removeFinalizer(node, latest, ORPHAN)
  }

  // -------------------------------------------------------------------------------------------

  private async getLive(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    try {
      return await this.client.get(refFor(info, namespace, name))
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined
      throw e
    }
  }

  private async patchOwners(node: GraphNode, ownerReferences: unknown[]): Promise<void> {
    try {
      await this.client.patch(refFor(node.info, node.namespace, node.name), { metadata: { ownerReferences } }, 'application/strategic-merge-patch+json')
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e
    }
  }

  private async removeFinalizer(node: GraphNode, latest: KObject, finalizer: string): Promise<void> {
    const finalizers = latest.metadata?.finalizers ?? []
    if (!finalizers.includes(finalizer)) return
    try {
      await this.client.patch(refFor(node.info, node.namespace, node.name), {
        metadata: { finalizers: finalizers.filter((f) => f !== finalizer), resourceVersion: latest.metadata?.resourceVersion },
      })
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return
      throw e // a conflict: try again with the newer object
    }
  }
}
