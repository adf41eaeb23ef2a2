// The store door: the cluster's store read beside the API server, never through it. A memory
// store is read in process through the Store interface (its revision, its history replayed by a
// watch from a revision, its content); an etcd store is read straight from etcd with a client of
// its own (etcd3), as `etcdctl get --prefix` and `etcdctl watch --rev` would: the built-in
// target's etcd, or the cluster target's from its target configuration's `etcd` key (endpoints,
// TLS files, the API server's key prefix). The built-in target adds when each write reached the
// store and when its acknowledgement left for the API server (orchestrator/store/faults.ts); a
// real cluster cannot tell, and those times stay absent.
// Read-only: nothing here writes to the store.

import { OBSERVER_FAULT_HANDLING } from './etcdmembers.js'
import { Etcd3, type IKeyValue } from 'etcd3'
import type { WriteAcknowledgement } from '../../orchestrator/store/faults.js'
import type { KeyValue, Store } from '../../orchestrator/store/store.js'
import type { StoreDoor, StoredObjectValue, StoredValue, StoreWrite } from './target.js'

/** How long reading the history may take before the door gives up. */
const HISTORY_TIMEOUT_MS = 10_000

/**
 * A stored value as an object, when it is JSON (the reference API server stores JSON). A real
 * kube-apiserver stores most built-in kinds as protobuf (`k8s\0` and an Unknown envelope; JSON
 * only for custom resources): such a value is not decoded, and the write's `object` is absent,
 * as StoreWrite allows; steps then find the write by its key alone (support/store.ts isWriteOf).
 */
function decode(value: string | undefined): StoredObjectValue | undefined {
  if (value === undefined) return undefined
  try {
    const o = JSON.parse(value) as unknown
    return o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as StoredObjectValue) : undefined
  } catch {
    return undefined
  }
}

function withTimes(writes: StoreWrite[], acks: WriteAcknowledgement[]): StoreWrite[] {
  const byRevision = new Map(acks.map((a) => [a.revision, a]))
  for (const w of writes) {
    const a = byRevision.get(w.revision)
    if (a && a.key === w.key) {
      w.receivedAt = a.receivedAt
      w.acknowledgedAt = a.acknowledgedAt
    }
  }
  return writes
}

/** Collects events until the one at `until` arrived (history replay of a watch from a revision). */
function untilRevision(
  until: number,
  describe: string,
  start: (push: (w: StoreWrite[]) => void, fail: (e: Error) => void) => Promise<() => void> | (() => void),
): Promise<StoreWrite[]> {
  return new Promise<StoreWrite[]>((resolve, reject) => {
    const out: StoreWrite[] = []
    let stop: (() => void) | undefined
    let done = false
    const finish = (e?: Error): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      stop?.()
      if (e) reject(e)
      else resolve(out.filter((w) => w.revision <= until))
    }
    const overdue = (): void =>
      finish(new Error(`reading the store's history of ${describe} up to revision ${until} took over ${HISTORY_TIMEOUT_MS} ms (got ${out.length} writes)`))
    const timer = setTimeout(overdue, HISTORY_TIMEOUT_MS) // not a test wait: a bound on the read
    const push = (ws: StoreWrite[]): void => {
      out.push(...ws)
      if (out.length && out[out.length - 1]!.revision >= until) finish()
    }
    Promise.resolve(start(push, finish)).then(
      (s) => {
        stop = s
        if (done) s()
      },
      (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
    )
  })
}

/** What `read` answers within a second; undefined if it fails or takes longer. */
async function withinASecond(read: Promise<number>): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), 1000) // a bound on the read, not a test wait
  })
  try {
    return await Promise.race([read.catch(() => undefined), late])
  } finally {
    clearTimeout(timer)
  }
}

/** The door of a store in this process (the memory store). */
export function inProcessStoreDoor(store: Store, acks: (revision: number) => WriteAcknowledgement[]): StoreDoor {
  const kvWrite = (type: 'put' | 'delete', kv: KeyValue, prev?: KeyValue): StoreWrite => ({
    revision: kv.modRevision,
    type,
    key: kv.key,
    object: decode(type === 'put' ? kv.value : prev?.value),
  })
  return {
    describe: () => store.describe(),
    revision: () => store.currentRevision(),
    mark: () => withinASecond(store.currentRevision()),
    writesSince: async (revision) => {
      const current = await store.currentRevision()
      if (current <= revision) return []
      const writes = await untilRevision(current, store.describe(), (push, fail) => {
        const w = store.watch('', revision + 1, {
          onEvents: (events) => push(events.map((e) => (e.type === 'put' ? kvWrite('put', e.kv) : kvWrite('delete', e.kv, e.prevKv)))),
          onError: (e) => fail(new Error(`the store's history from revision ${revision + 1}: ${e.message}`)),
        })
        return () => w.cancel()
      })
      return withTimes(writes, acks(revision))
    },
    read: async (prefix = '') => {
      const out: StoredValue[] = []
      let startAfter: string | undefined
      for (;;) {
        const page = await store.range(prefix, { startAfter, limit: 5000 })
        out.push(
          ...page.kvs.map((kv) => ({
            key: kv.key,
            object: decode(kv.value),
            createRevision: kv.createRevision,
            modRevision: kv.modRevision,
            version: kv.version,
          })),
        )
        if (!page.more || !page.kvs.length) return out
        startAfter = page.kvs[page.kvs.length - 1]!.key
      }
    },
  }
}

/** How the door reaches etcd besides its endpoints. */
export interface EtcdDoorOptions {
  /**
   * PEM: the CA etcd's serving certificate must chain to (the system's roots when absent), and a
   * client certificate with its key for an etcd that asks for one (--client-cert-auth).
   */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer }
  /**
   * The keys the door reads: those under this prefix (kube-apiserver's --etcd-prefix and a "/",
   * `/registry/`), so keys of others sharing the etcd stay out of the history; every key when empty.
   */
  prefix?: string
}

/** The door of an etcd store: etcd itself, through a client of the door's own. */
export function etcdStoreDoor(
  endpoints: string[],
  acks: (revision: number) => WriteAcknowledgement[] = () => [],
  opts: EtcdDoorOptions = {},
): StoreDoor & { close(): void } {
  const tls = opts.tls
  const client = new Etcd3({
    hosts: endpoints,
    faultHandling: OBSERVER_FAULT_HANDLING,
    // no CA: grpc's createSsl(null, ...) checks the server against the system's roots
    ...(tls ? { credentials: { rootCertificate: tls.ca as Buffer, privateKey: tls.key, certChain: tls.cert } } : {}),
  })
  const base = opts.prefix ?? ''
  const what = `etcd ${endpoints.join(',')}${base ? ` (keys under ${base})` : ''}`
  const stored = (kv: IKeyValue): StoredValue => ({
    key: kv.key.toString(),
    object: decode(kv.value.toString()),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  })
  const revision = async (): Promise<number> => Number((await client.get('/').exec()).header.revision)
  return {
    describe: () => what,
    revision,
    mark: () =>
      withinASecond(
        client
          .get('/')
          .serializable(true)
          .exec()
          .then((r) => Number(r.header.revision)),
      ),
    writesSince: async (from) => {
      const current = await revision()
      if (current <= from) return []
      // every key is watched, so the write at `current` ends the replay whatever its key; those
      // outside the door's prefix are dropped after
      const writes = await untilRevision(current, what, async (push, fail) => {
        const watcher = await client
          .watch()
          .prefix('')
          .withPreviousKV()
          .startRevision(String(from + 1))
          .create()
        watcher.on('put', (kv) => push([{ revision: Number(kv.mod_revision), type: 'put', key: kv.key.toString(), object: decode(kv.value.toString()) }]))
        watcher.on('delete', (kv, prev) =>
          push([{ revision: Number(kv.mod_revision), type: 'delete', key: kv.key.toString(), object: decode(prev?.value.toString()) }]),
        )
        watcher.on('error', (e) => fail(new Error(`etcd's history from revision ${from + 1}: ${e.message}`)))
        return () => void watcher.cancel().catch(() => undefined)
      })
      return withTimes(
        writes.filter((w) => w.key.startsWith(base)),
        acks(from),
      )
    },
    read: async (prefix = '') => {
      // keys under both the asked prefix and the door's own: the longer of the two, if one contains the other
      const under = prefix.startsWith(base) ? prefix : base.startsWith(prefix) ? base : undefined
      return under === undefined ? [] : (await client.getAll().prefix(under).exec()).kvs.map(stored)
    },
    close: () => client.close(),
  }
}
