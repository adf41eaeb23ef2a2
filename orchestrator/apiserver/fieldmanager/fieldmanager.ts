// Field ownership: metadata.managedFields, kept by every write as kube-apiserver's field manager
// keeps it. An Update (create, update, non-apply patch, a status or scale write) gives its
// manager the fields it added or changed and takes them from everyone else; an Apply
// (application/apply-patch+yaml) makes its manager own exactly the fields of its configuration,
// removes what it applied before and nobody owns any more, and answers 409 Conflict when it
// would change a field another manager owns, unless force=true moves the field to it.
// Mirrors k8s.io/apimachinery/pkg/util/managedfields/internal (fieldmanager.go, managedfields.go,
// structuredmerge.go, stripmeta.go, skipnonapplied.go, managedfieldsupdater.go, conflict.go) and
// sigs.k8s.io/structured-merge-diff merge/update.go: the manager identity (manager, operation,
// apiVersion for updates, subresource), the metadata fields nobody owns, the reset of status on
// the main resource, "before-first-apply", no tracking for objects that were never tracked,
// the entries' order and the conflict messages word for word.
// Beyond 10 update managers the oldest are merged into "ancient-changes" (capmanagers.go).
// Simplifies: no upgrade of client-side apply's last-applied annotation; an apply to the scale
// subresource is recorded as an update (an apply to status is an apply).

import { ApiError, badRequest } from '../../api/errors.js'
import { nowTimestamp, type KObject } from '../../api/meta.js'
import { FieldSet, fromFieldsV1, pathString, toFieldsV1, type FieldsV1 } from './fieldset.js'
import { compare, isSame, merge, prune, toFieldSet, type Skip } from './typed.js'

import type { FieldManagerRequest, Operation } from './request.js'

export type { FieldManagerRequest, Operation } from './request.js'

/** metav1.ManagedFieldsEntry, in its JSON field order. */
export interface ManagedFieldsEntry {
  manager?: string
  operation?: Operation
  apiVersion?: string
  time?: string
  fieldsType?: 'FieldsV1'
  fieldsV1?: FieldsV1
  subresource?: string
}

/** What the field manager needs to know of a resource. */
export interface ManagedResource {
  group: string
  version: string
  /** 'status' when only the status subresource writes status (then the main resource never owns it). */
  statusOwnedBy?: 'status'
}

interface Owner {
  manager: string
  operation: Operation
  apiVersion: string
  subresource?: string
  time?: string
  set: FieldSet
}

type Managers = Map<string, Owner>

const BEFORE_FIRST_APPLY = 'before-first-apply'
/** upstream's DefaultMaxUpdateManagers, and the manager the oldest updates are merged into */
const MAX_UPDATE_MANAGERS = 10
const ANCIENT_CHANGES = 'ancient-changes'

// ---------------------------------------------------------------------------------------------
// encoding

function identity(o: Pick<Owner, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  // BuildManagerIdentifier: the entry without time and fields; an applier's apiVersion is not part of it
  return JSON.stringify({
    manager: o.manager || undefined,
    operation: o.operation,
    apiVersion: o.operation === 'Update' ? o.apiVersion : undefined,
    subresource: o.subresource || undefined,
  })
}

function isReset(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false
  return mf.length === 0 || (mf.length === 1 && mf[0] !== null && typeof mf[0] === 'object' && Object.keys(mf[0] as object).length === 0)
}

/** DecodeManagedFields; throws on an entry that is not one. */
function decode(mf: unknown): Managers {
  const out: Managers = new Map()
  if (mf === undefined || mf === null) return out
  if (!Array.isArray(mf)) throw new Error('managedFields must be a list')
  for (const e of mf as ManagedFieldsEntry[]) {
    if (e === null || typeof e !== 'object') throw new Error('a managedFields entry must be an object')
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error(`unknown operation ${String(e.operation)}`)
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') throw new Error(`unknown fieldsType ${String(e.fieldsType)}`)
    const owner: Owner = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time,
      set: fromFieldsV1(e.fieldsV1 ?? {}),
    }
    const id = identity(owner)
    if (out.has(id)) throw new Error(`duplicate managedFields entry for ${id}`)
    out.set(id, owner)
  }
  return out
}

function tryDecode(mf: unknown): Managers | undefined {
  try {
    return decode(mf)
  } catch {
    return undefined
  }
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) : 0)
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** capUpdateManagers: past 10 update managers, the oldest go into one "ancient-changes" entry per apiVersion. */
function capUpdateManagers(managers: Managers): void {
  const updaters = [...managers].filter(([, o]) => o.operation === 'Update')
  if (updaters.length <= MAX_UPDATE_MANAGERS) return
  updaters.sort(([ai, a], [bi, b]) => seconds(a.time) - seconds(b.time) || cmp(ai, bi))
  const firstOfVersion = new Map<string, string>()
  let length = updaters.length
  for (const [id, o] of updaters) {
    if (length <= MAX_UPDATE_MANAGERS) break
    const bucket = identity({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: o.apiVersion })
    const first = firstOfVersion.get(o.apiVersion)
    if (first === undefined || id === bucket) {
      firstOfVersion.set(o.apiVersion, first ?? id)
      continue
    }
    if (!managers.has(bucket)) {
      const moved = managers.get(first)!
      managers.delete(first)
      managers.set(bucket, { ...moved, manager: ANCIENT_CHANGES, subresource: undefined })
    }
    const b = managers.get(bucket)!
    managers.set(bucket, { ...b, set: o.set.union(b.set), time: o.time })
    managers.delete(id)
    length--
  }
}

/** EncodeObjectManagedFields: Apply entries first, then by time, manager, apiVersion, subresource. */
function encode(managers: Managers): ManagedFieldsEntry[] | undefined {
  const owners = [...managers.values()].filter((o) => !o.set.empty())
  if (!owners.length) return undefined
  owners.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  )
  return owners.map((o) => ({
    ...(o.manager ? { manager: o.manager } : {}),
    operation: o.operation,
    apiVersion: o.apiVersion,
    ...(o.time ? { time: o.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: toFieldsV1(o.set),
    ...(o.subresource ? { subresource: o.subresource } : {}),
  }))
}

function setManaged(o: KObject, managers: Managers): void {
  const meta = (o.metadata ??= {})
  const entries = encode(managers)
  if (entries) meta.managedFields = entries as never
  else delete meta.managedFields
}

// ---------------------------------------------------------------------------------------------
// what nobody owns

/** stripmeta.go's fields, and status where the status subresource owns it (the strategies' reset fields). */
function skipFor(info: ManagedResource, subresource: string): Skip {
  const metadata: Skip = {
    name: true,
    namespace: true,
    creationTimestamp: true,
    selfLink: true,
    uid: true,
    clusterName: true,
    generation: true,
    managedFields: true,
    resourceVersion: true,
  }
  // the status strategies reset spec; the main resource's, status where the status subresource owns it
  if (subresource === 'status') return { apiVersion: true, kind: true, metadata, spec: true }
  return info.statusOwnedBy === 'status' && !subresource ? { apiVersion: true, kind: true, metadata, status: true } : { apiVersion: true, kind: true, metadata }
}

type Zero = { [field: string]: Zero | null }
const POD_SPEC: Zero = { containers: null }
const POD_TEMPLATE: Zero = { metadata: {}, spec: POD_SPEC }

/**
 * What Go's zero object of a kind holds (value structs, and nulls for lists without omitempty),
 * which a create compares the new object with: those nodes were "there" and own no `.`.
 */
const ZERO: Zero = {
  metadata: {},
  spec: {
    ...POD_SPEC,
    selector: null,
    template: POD_TEMPLATE,
    strategy: {},
    updateStrategy: {},
    jobTemplate: { metadata: {}, spec: { template: POD_TEMPLATE } },
  },
  status: {},
}

function zeroOf(o: Record<string, unknown>, shape: Zero = ZERO): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, inner] of Object.entries(shape)) {
    const v = o[k]
    if (inner === null) {
      if (v !== undefined) out[k] = null
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = zeroOf(v as Record<string, unknown>, inner)
  }
  return out
}

function groupVersion(info: ManagedResource): string {
  return info.group ? `${info.group}/${info.version}` : info.version
}

// ---------------------------------------------------------------------------------------------
// Update

/**
 * Sets `next.metadata.managedFields` for an Update by `req.manager` from `live` (undefined for
 * a create). `next` is the object about to be written; its own managedFields count when the
 * client sent them (a reset with [] or [{}] clears them), except on subresources.
 */
export function trackUpdate(req: FieldManagerRequest, info: ManagedResource, subresource: string, next: KObject, live: KObject | undefined): void {
  const meta = (next.metadata ??= {})
  const sent = subresource ? undefined : meta.managedFields
  const liveManaged = live?.metadata?.managedFields
  let managers: Managers
  let fromLive = false
  if (isReset(sent)) managers = new Map()
  else {
    const own = sent === undefined ? undefined : tryDecode(sent)
    if (own?.size) managers = own
    else {
      managers = tryDecode(liveManaged) ?? new Map()
      fromLive = true
    }
  }
  // skipNonAppliedManager: an object nobody tracked stays untracked on update
  if (live && !managers.size) {
    delete meta.managedFields
    return
  }
  const cmp = compare(live ?? zeroOf(next), next, skipFor(info, subresource))
  if (isSame(cmp) && fromLive) {
    if (liveManaged === undefined) delete meta.managedFields
    else meta.managedFields = structuredClone(liveManaged)
    return
  }
  const changed = cmp.modified.empty() ? cmp.added : cmp.added.union(cmp.modified)
  for (const [id, o] of managers) {
    o.set = o.set.difference(changed).difference(cmp.removed)
    if (o.set.empty()) managers.delete(id)
  }
  if (!changed.empty()) {
    const owner: Owner = { manager: req.manager, operation: 'Update', apiVersion: groupVersion(info), subresource: subresource || undefined, set: changed }
    const id = identity(owner)
    const prev = managers.get(id)
    managers.set(id, { ...owner, set: prev ? prev.set.union(changed) : changed, time: nowTimestamp() })
  }
  capUpdateManagers(managers)
  setManaged(next, managers)
}

// ---------------------------------------------------------------------------------------------
// Apply

/** The managedFields of an object an apply creates: its applier owns its configuration. */
export function appliedOnCreate(req: FieldManagerRequest, info: ManagedResource, config: KObject): ManagedFieldsEntry[] | undefined {
  if (config.metadata?.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil')
  const set = toFieldSet(config, skipFor(info, ''))
  const owner: Owner = { manager: req.manager, operation: 'Apply', apiVersion: groupVersion(info), time: nowTimestamp(), set }
  return encode(new Map([[identity(owner), owner]]))
}

/**
 * Applies `config` to `live` for `req.manager` (to the object, or to its status with
 * `subresource` 'status'): the merged object, with its managedFields.
 * Throws 409 Conflict (unless req.force) when the apply changes a field another manager owns.
 */
export function applyConfiguration(req: FieldManagerRequest, info: ManagedResource, live: KObject, config: KObject, subresource = ''): KObject {
  if (config.metadata?.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil')
  const skip = skipFor(info, subresource)
  const managers = tryDecode(live.metadata?.managedFields) ?? new Map<string, Owner>()
  if (!managers.size) {
    // skipNonAppliedManager: what was there before the first apply belongs to "before-first-apply"
    const cmp = compare(zeroOf(live), live, skip)
    const owner: Owner = {
      manager: BEFORE_FIRST_APPLY,
      operation: 'Update',
      apiVersion: groupVersion(info),
      time: nowTimestamp(),
      set: cmp.added.union(cmp.modified),
    }
    if (!owner.set.empty()) managers.set(identity(owner), owner)
  }
  const applier: Owner = {
    manager: req.manager,
    operation: 'Apply',
    apiVersion: groupVersion(info),
    subresource: subresource || undefined,
    set: toFieldSet(config, skip),
  }
  const id = identity(applier)
  const last = managers.get(id)
  applier.time = last?.time
  managers.set(id, applier)
  const merged = merge(live, config)
  if (last) {
    let owned = new FieldSet()
    for (const o of managers.values()) owned = owned.union(o.set)
    prune(merged, last.set, owned, skip)
  }
  const cmp = compare(live, merged, skip)
  const changed = cmp.added.union(cmp.modified)
  const conflicts: Array<[string, Owner, FieldSet]> = []
  for (const [k, o] of managers) {
    if (k === id) continue
    const c = o.set.intersection(changed)
    if (!c.empty()) conflicts.push([k, o, c])
  }
  if (conflicts.length && !req.force) throw conflictError(conflicts)
  for (const [k, o] of managers) {
    if (k === id) continue
    o.set = o.set.difference(changed).difference(cmp.removed)
    if (o.set.empty()) managers.delete(k)
  }
  // the applier's time moves only when the object changed (managedFieldsUpdater.Apply)
  if (!isSame(cmp)) applier.time = nowTimestamp()
  capUpdateManagers(managers)
  setManaged(merged, managers)
  return merged
}

// ---------------------------------------------------------------------------------------------
// conflicts

/** printManager */
function printManager(o: Owner): string {
  let s = JSON.stringify(o.manager)
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`
  return o.operation === 'Update' ? `${s} using ${o.apiVersion}` : s
}

/** NewConflictError: 409 Conflict, one cause per conflicting field, managers in the order of their identifiers. */
function conflictError(conflicts: Array<[string, Owner, FieldSet]>): ApiError {
  conflicts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const all = conflicts.flatMap(([, o, set]) => set.paths().map((p) => ({ o, field: pathString(p) })))
  const causes = all.map(({ o, field }) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(o)}`, field }))
  let message: string
  if (all.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(all[0]!.o)}: ${all[0]!.field}`
  else {
    const lines: string[] = []
    for (const [, o, set] of conflicts) {
      lines.push(`conflicts with ${printManager(o)}:`)
      for (const p of set.paths()) lines.push(`- ${pathString(p)}`)
    }
    message = `Apply failed with ${all.length} conflicts: ${lines.join('\n')}`
  }
  return new ApiError(409, 'Conflict', message, { causes })
}
