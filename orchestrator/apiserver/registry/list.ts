// Lists: a range read of the kind's key prefix at one revision, filtered by label and field
// selectors after reading, paged with `limit` and an opaque `continue` token that pins the
// revision of the first page (upstream's storage/etcd3 GetList with its continue keys). An
// expired revision is 410 Expired, worded as upstream.
// Simplifies: the token is base64 JSON, not upstream's exact encoding; no resourceVersionMatch.

import { badRequest, expired } from '../../api/errors.js'
import type { KList, StoredObject } from '../../api/meta.js'
import { apiVersionOf, storagePrefix, type ResourceInfo } from '../../api/resources.js'
import type { FieldSelector, Selector } from '../../api/selectors.js'
import { StoreError, type KeyValue, type Store } from '../../store/store.js'

export interface ListOptions {
  labelSelector?: Selector
  fieldSelector?: FieldSelector
  limit?: number
  continue?: string
  resourceVersion?: string
}

/** What a list reads through: the store, the shared decoding, and the bounded store call. */
export interface ListSource {
  readonly store: Store
  decode(kv: KeyValue): StoredObject
  withStore<T>(info: ResourceInfo, operation: string, fn: () => Promise<T>): Promise<T>
}

export async function readList(src: ListSource, info: ResourceInfo, namespace: string, opts: ListOptions): Promise<KList<StoredObject>> {
  let revision: number | undefined
  let startAfter: string | undefined
  if (opts.continue) {
    const token = decodeContinue(opts.continue)
    revision = token.rv
    startAfter = token.start
  } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
    const rv = Number(opts.resourceVersion)
    if (!Number.isInteger(rv) || rv < 0) throw badRequest(`invalid resource version: ${opts.resourceVersion}`)
  }
  const prefix = storagePrefix(info, namespace)
  const filtered = Boolean(opts.labelSelector && !opts.labelSelector.empty()) || Boolean(opts.fieldSelector && !opts.fieldSelector.empty())
  const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined
  const items: StoredObject[] = []
  let more = false
  let lastKey: string | undefined = startAfter
  let atRevision: number | undefined = revision
  try {
    // Page through the store until `limit` matching items are found (selectors filter after reading).
    for (;;) {
      const r = await src.withStore(info, 'list', () =>
        src.store.range(prefix, { revision: atRevision, startAfter: lastKey, limit: limit ? (filtered ? Math.max(limit * 2, 100) : limit + 1) : undefined }),
      )
      atRevision = r.revision
      let stoppedEarly = false
      for (const kv of r.kvs) {
        const o = src.decode(kv)
        if (limit && items.length >= limit) {
          more = true
          stoppedEarly = true
          break
        }
        lastKey = kv.key
        if (opts.labelSelector && !opts.labelSelector.matches(o.metadata.labels)) continue
        if (opts.fieldSelector && !opts.fieldSelector.matches(o)) continue
        items.push(o)
      }
      if (stoppedEarly || !r.more) {
        more = more || (stoppedEarly && true)
        break
      }
      if (limit && items.length >= limit) {
        more = true
        break
      }
    }
  } catch (e) {
    if (e instanceof StoreError && e.code === 'Compacted' && opts.continue) {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      )
    }
    if (e instanceof StoreError && (e.code === 'Compacted' || e.code === 'FutureRevision')) {
      throw expired(`too old resource version: ${revision} (${e.compactRevision ?? ''})`)
    }
    throw e
  }
  const list: KList<StoredObject> = {
    apiVersion: apiVersionOf(info),
    kind: `${info.kind}List`,
    metadata: { resourceVersion: String(atRevision ?? (await src.store.currentRevision())) },
    items,
  }
  if (more && lastKey) list.metadata.continue = encodeContinue({ rv: atRevision!, start: lastKey })
  return list
}

interface ContinueToken {
  rv: number
  start: string
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url')
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown }
    if (typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start }
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: illegal base64 data or not a continue token')
}
