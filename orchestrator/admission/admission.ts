// Admission control: the plugins a write passes after authorization and before the store.
// Mutating plugins run first, in order, and may change the object; then the object is
// validated; then validating plugins run, in order, and may only accept or reject. Mirrors
// k8s.io/apiserver/pkg/admission (Attributes, MutationInterface, ValidationInterface) and the
// ordering of kube-apiserver's AllOrderedPlugins.
// Simplifies: no webhooks; plugins read cluster state through the AdmissionReader the API
// server hands them (never the store directly).

import type { KObject } from '../api/meta.js'
import type { ResourceInfo } from '../api/resources.js'

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'

export interface AdmissionUser {
  name: string
  groups: string[]
}

export interface AdmissionAttributes {
  operation: Operation
  resource: ResourceInfo
  subresource: string
  namespace: string
  name: string
  /** The incoming object (mutable for mutating plugins). Absent for DELETE. */
  object?: KObject
  /** The stored object for UPDATE and DELETE. */
  oldObject?: KObject
  user: AdmissionUser
  dryRun: boolean
}

/**
 * Read-only access to cluster state, served by the API server's own registry. Objects are
 * frozen: copy before changing. `get` and `list` read the store (one round trip each); the
 * other two read the API server's informer caches, fed by its store watch (upstream plugins'
 * listers): they may lag the store by the watch's delay for writes made through another API
 * server, never for writes made through this one (those are in the cache before their
 * response). A cache that is not synced (starting, its watch ended) makes them read live.
 */
export interface AdmissionReader {
  get(group: string, resource: string, namespace: string, name: string): Promise<KObject | undefined>
  list(group: string, resource: string, namespace: string): Promise<KObject[]>
  /**
   * The namespace as the cache holds it, without a store round trip; undefined when the cache
   * does not hold it. That is a miss, not "does not exist": a namespace created a moment ago
   * through another API server is not in it yet, so the caller reads it live with `get`.
   * The object is shared with other requests: read it, never change it.
   */
  cachedNamespace(name: string): KObject | undefined
  /**
   * The ResourceQuotas of a namespace (upstream's quotaAccessor.GetQuotas): the cached ones;
   * when the cache holds none, a live list, made at most once per TTL (30 s) per namespace and
   * remembered until the TTL ends or a quota of the namespace is written or watched here.
   * The objects are shared with other requests: read them, never change them.
   */
  resourceQuotas(namespace: string): Promise<KObject[]>
}

/**
 * Contract for both kinds of plugin: reject by throwing an ApiError (the API server returns
 * its Status as is); return normally to admit. A plugin must be safe to call again for the
 * same request (the server may retry an update after a conflict).
 */
export interface AdmissionPlugin {
  readonly name: string
  /** Whether the plugin cares about this request at all. */
  handles(a: AdmissionAttributes): boolean
}

export interface MutatingAdmissionPlugin extends AdmissionPlugin {
  admit(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> | void
}

export interface ValidatingAdmissionPlugin extends AdmissionPlugin {
  validate(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> | void
}

/** The ordered chains the API server runs. */
export interface AdmissionChain {
  mutating: MutatingAdmissionPlugin[]
  validating: ValidatingAdmissionPlugin[]
}
