// What makes one kind different from another in storage: the strategy the generic store
// (store.ts) asks at each step of a write, and the request context every step sees.
// Mirrors k8s.io/apiserver/pkg/registry/rest (RESTCreateStrategy, RESTUpdateStrategy,
// RESTDeleteStrategy, TableConvertor) and the BeginCreate / BeginUpdate / AfterDelete hooks of
// pkg/registry/generic/registry.Store, which upstream's per-kind REST storages
// (pkg/registry/<group>/<kind>/) fill in. One strategy per kind lives in strategies/; the store
// knows no kind by name.
// Simplifies: one strategy serves the main resource and its status subresource (the
// `status` argument tells them apart where upstream has a second strategy).

import type { FieldError } from '../../api/errors.js'
import type { KObject, StoredObject } from '../../api/meta.js'
import type { ResourceInfo } from '../../api/resources.js'
import type { UserInfo } from '../auth.js'
import type { FieldManagerRequest } from '../fieldmanager/fieldmanager.js'
import type { Printer } from './printers.js'

/** How unknown fields of a body are treated (the fieldValidation query parameter). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

/** Who is asking, for traces and admission. */
export interface RequestContext {
  requestId: string
  user: UserInfo
  dryRun?: boolean
  /** How unknown fields are treated (the fieldValidation query parameter); default Warn. */
  fieldValidation?: FieldValidation
  /** Sends a `Warning` header to the client. */
  warn?(message: string): void
  /** Adds an annotation to the request's audit event. */
  annotate?(key: string, value: string): void
  /** Tells the audit record which object a create is about (its name is in the body). */
  onObject?(namespace: string | undefined, name: string): void
  /** Who owns the fields this write sets (metadata.managedFields); writes without one are not tracked. */
  fieldManager?: FieldManagerRequest
}

export interface DeleteOptions {
  gracePeriodSeconds?: number
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground'
  preconditions?: { uid?: string; resourceVersion?: string }
  orphanDependents?: boolean
}

/** How the names of a kind are validated (upstream's ValidateNameFunc of the kind). */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment'

/**
 * Per-kind storage hooks, for kinds whose storage does more than store the object (upstream's
 * REST stores: BeginCreate / BeginUpdate / AfterDelete, and the policy-based storages), such
 * as Services taking a ClusterIP. Hooks run for the main resource only, never for
 * subresources. An error a `begin` hook throws fails the request (nothing is written); an
 * `after` hook's error is logged, the write stands.
 */
export interface StorageHooks {
  /**
   * Between mutating admission and validation of a create or update of the main resource, as
   * upstream's policy-based REST storages wrap Create and Update (RBAC escalation checks):
   * throw an ApiError to refuse. `urlName` is the name in the request's URL ('' for a POST).
   */
  authorizeWrite?(
    ctx: RequestContext,
    operation: 'CREATE' | 'UPDATE',
    namespace: string,
    urlName: string,
    obj: KObject,
    old: KObject | undefined,
  ): Promise<void>
  /** After admission, before the write; may set fields; returns an undo for a write that then fails. */
  beginCreate?(ctx: RequestContext, obj: KObject): Promise<(() => Promise<void>) | undefined>
  /** After admission, before the write of an update; returns an undo for a write that then fails. */
  beginUpdate?(ctx: RequestContext, next: KObject, current: StoredObject): Promise<(() => Promise<void>) | undefined>
  /** After an update was written. */
  afterUpdate?(next: KObject, current: StoredObject): Promise<void>
  /** After the object was removed from the store. */
  afterDelete?(obj: KObject): Promise<void>
}

/**
 * How the generic store treats one kind. Every member is optional: the empty strategy stores
 * the object as sent (after schema validation and name rules), keeps no generation and
 * leaves status to whoever writes it. Members are called in the order they are listed.
 */
export interface Strategy extends StorageHooks {
  /** The kind's name rule; default dns1123-subdomain (path-segment for groups that say so). */
  nameRule?: NameRule
  /** Field defaults (upstream SetDefaults_<Kind>), on create and on every update of the main resource. */
  defaults?(obj: KObject): void
  /**
   * The status a new object starts with, whatever the client sent (PrepareForCreate resets
   * status for kinds with a status subresource); undefined keeps the client's status.
   */
  initialStatus?(): Record<string, unknown>
  /**
   * On create, after the server set the system fields (uid, creationTimestamp) and before
   * admission and validation: fields derived from them (upstream PrepareForCreate, e.g. a
   * Job's selector on its own uid).
   */
  prepareForCreate?(obj: KObject): void
  /** metadata.generation is kept: 1 on create, +1 on every spec change. */
  hasGeneration?: boolean
  /** A PUT to a missing object creates it (upstream AllowCreateOnUpdate). */
  allowCreateOnUpdate?: boolean
  /** After admission of a create: fields the server derives from the admitted object. */
  afterAdmit?(obj: KObject): void
  /** Before admission of an update of the main resource: carry server-assigned fields over. */
  prepareForUpdate?(next: KObject, current: StoredObject): void
  /** On every update, subresources included: server-owned fields no writer may change. */
  preserve?(next: KObject, current: StoredObject): void
  /** Rules beyond the schema for the main resource (`old` is undefined on create). */
  validate?(obj: KObject, old: KObject | undefined): FieldError[]
  /**
   * A delete's kind-specific part (upstream BeforeDelete, graceful deletion): `next` is a
   * mutable copy of `current` with the propagation finalizers in `finalizers`. Return 'now'
   * to delete at once, an object to write instead (marked for deletion), or undefined to go
   * on with the generic finalizer rules (which read `next` and `finalizers`).
   */
  beginDelete?(current: StoredObject, next: StoredObject, options: DeleteOptions, finalizers: Set<string>): 'now' | KObject | undefined
  /**
   * Whether an update that leaves the object marked for deletion with no finalizers removes
   * it (default: yes). A kind whose deletion someone else completes says no.
   */
  deleteOnUpdate?(obj: KObject): boolean
  /** The columns `kubectl get` shows (upstream's printers); default NAME and AGE. */
  printer?: Printer
  /**
   * For each version the kind is served in besides its stored one (ResourceInfo.servedVersions),
   * the conversion to and from the stored object (conversion.ts applies it to requests).
   */
  conversions?: Readonly<Record<string, VersionConversion>>
}

/**
 * How one served version of a kind maps to its stored version (conversion.ts applies it to
 * requests). Both functions get a copy they may change and return the converted object; the
 * caller sets apiVersion and kind. toStored(fromStored(o)) must give back the stored object.
 */
export interface VersionConversion {
  /** A stored object as the served version shows it. */
  fromStored(o: KObject): KObject
  /** An object of the served version as it is stored. */
  toStored(o: KObject): KObject
}

/** The strategies of the served kinds, by `<group>/<Kind>` (`/Pod` for the core group). */
export type Strategies = ReadonlyMap<string, Strategy>

const NONE: Strategy = {}

/** The strategy of a resource's kind, or the empty one. */
export function strategyOf(strategies: Strategies, info: Pick<ResourceInfo, 'group' | 'kind'>): Strategy {
  return strategies.get(`${info.group}/${info.kind}`) ?? NONE
}
