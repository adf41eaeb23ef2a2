// Shared object shapes of the Kubernetes API (apimachinery's TypeMeta, ObjectMeta, ListMeta, Status).
// Mirrors k8s.io/apimachinery/pkg/apis/meta/v1. Objects travel as plain JSON; typed views of the
// built-in kinds come from `kubernetes-models` (generated from the upstream OpenAPI), re-exported here.
// managedFields are kept by the API server's field manager (apiserver/fieldmanager/).
// Simplifies: no protobuf.

import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta'
import type { IOwnerReference } from '@kubernetes-models/apimachinery/apis/meta/v1/OwnerReference'
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector'

export type ObjectMeta = IObjectMeta
export type OwnerReference = IOwnerReference
export type LabelSelector = ILabelSelector

/** Any API object, as JSON. `metadata` is always present once the API server has stored it. */
export interface KObject {
  apiVersion?: string
  kind?: string
  metadata?: ObjectMeta
  [field: string]: unknown
}

/** An object that has been through the API server: identity and versioning are set. */
export interface StoredObject extends KObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string; creationTimestamp: string }
}

export interface ListMeta {
  resourceVersion?: string
  continue?: string
  remainingItemCount?: number
}

export interface KList<T extends KObject = KObject> {
  apiVersion: string
  kind: string
  metadata: ListMeta
  items: T[]
}

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

/** meta/v1 Status: the body of every non-2xx answer (and of some successful deletes). */
export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: ListMeta
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface WatchEvent<T extends KObject = KObject> {
  type: WatchEventType
  object: T
}

let lastSecond = -1
let lastStamp = ''

/** RFC 3339 timestamp with second precision, as the API server writes creationTimestamp. */
export function nowTimestamp(clock: () => number = Date.now): string {
  const second = Math.floor(clock() / 1000)
  if (second !== lastSecond) {
    // formatted once per second: servers stamp thousands of objects per second
    lastStamp = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
    lastSecond = second
  }
  return lastStamp
}

/** Deep copy of a JSON value. Objects handed across a component boundary are always copies. */
export function clone<T>(value: T): T {
  return structuredClone(value)
}

/** "namespace/name" or "name" for cluster-scoped objects: the key work queues and caches use. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '')
}
