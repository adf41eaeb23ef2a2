// The Store contract: a key-value store shaped like etcd v3, which is what kube-apiserver's
// storage layer (k8s.io/apiserver/pkg/storage/etcd3) is written against. One cluster-wide,
// monotonically increasing revision; every write gets the next revision; objects carry their
// create and mod revisions; watches replay history from a revision, then stream live events.
// Only the API server imports this package (architecture rule), so the rest of the cluster
// sees the store only as resourceVersions.

/** One stored key. Values are opaque strings to the store (the API server stores JSON). */
export interface KeyValue {
  readonly key: string
  readonly value: string
  /** Revision of the write that created the key (etcd create_revision). */
  readonly createRevision: number
  /** Revision of the last write to the key (etcd mod_revision); the object's resourceVersion. */
  readonly modRevision: number
  /** Number of writes since the key was created, starting at 1. */
  readonly version: number
}

export interface RangeOptions {
  /** Read as of this revision (must not be compacted). Default: the current revision. */
  revision?: number
  /** At most this many keys; `more` tells whether keys were left out. */
  limit?: number
  /** Only keys strictly greater than this one (for paging). */
  startAfter?: string
}

export interface RangeResult {
  kvs: KeyValue[]
  /** The store revision the range was served at. */
  revision: number
  more: boolean
}

export type StoreEvent =
  | { type: 'put'; kv: KeyValue; prevKv?: KeyValue }
  /** For a delete, `kv.modRevision` is the revision of the delete and `prevKv` the last value. */
  | { type: 'delete'; kv: KeyValue; prevKv: KeyValue }

export interface StoreWatch {
  /** Stops delivery; idempotent. No listener call happens after cancel() returns. */
  cancel(): void
}

export interface WatchHandlers {
  /** Events in revision order, delivered asynchronously (never inside the write that caused them). */
  onEvents(events: StoreEvent[]): void
  /** The watch ended: `Compacted` when fromRevision is older than history, `Unavailable` when the store went away. */
  onError(err: StoreError): void
}

export type StoreErrorCode = 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'FutureRevision' | 'Unavailable' | 'Timeout'

/** Store failures. The API server maps each code to a Kubernetes Status. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For Conflict: the current value; for Compacted: the compaction revision. */
    readonly current?: KeyValue,
    readonly compactRevision?: number,
  ) {
    super(message)
    this.name = 'StoreError'
  }
}

/**
 * An etcd-v3-shaped store.
 *
 * Contract:
 * - Every successful write (create, update, delete) increments the single store revision by one
 *   and is visible to reads and watches at that revision. Writes are atomic: a failed write
 *   changes nothing and does not move the revision.
 * - `create` fails with KeyExists if the key is present. `update` and `delete` with an expected
 *   mod revision fail with Conflict (carrying the current value) if it differs, and with
 *   NotFound if the key is absent.
 * - `watch(prefix, fromRevision)` delivers every event with revision >= fromRevision for keys
 *   under the prefix, first the retained history, then live events, in revision order, each
 *   exactly once. A fromRevision at or below the compaction revision ends with Compacted.
 * - Implementations may time out (Timeout) or be unreachable (Unavailable); callers map these to
 *   a Status and must assume nothing was written unless the error says so.
 */
export interface Store {
  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>
  create(key: string, value: string): Promise<KeyValue>
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>
  /** Deletes the key; returns its last value and the revision of the delete. */
  delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }>
  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch
  currentRevision(): Promise<number>
  /** Drops history at and below `revision`; later watches from there end with Compacted. */
  compact(revision: number): Promise<void>
  /** A point-in-time copy of every key, as bytes that `restore` accepts. */
  snapshot(): Promise<Uint8Array>
  /**
   * Replaces the whole content with a snapshot. The revision never goes backwards (as
   * `etcdutl snapshot restore --bump-revision --mark-compacted`): history is marked compacted,
   * so open watches end with Compacted and clients relist.
   */
  restore(snapshot: Uint8Array): Promise<void>
  /** A short description for traces and diagnostics (`memory`, `etcd 127.0.0.1:2379,...`). */
  describe(): string
  close(): Promise<void>
}
