// Streaming watch: `GET ...?watch=1` answers 200 with one JSON event per line (ADDED,
// MODIFIED, DELETED, BOOKMARK, ERROR), as upstream's watch encoder over HTTP/1.1 chunks.
// Without a resourceVersion (or "0") the current state is sent first as synthetic ADDED events;
// with one, events after it are replayed from the store's history. A resourceVersion that was
// compacted ends the stream with an ERROR event carrying a 410 Expired Status, as upstream.
// Selectors are applied to old and new object, so an object leaving the selection is DELETED
// and one entering it is ADDED (upstream cacher semantics).
// Watches of all pods pinned to one node (fieldSelector spec.nodeName=<node>, as kubelets
// watch) share one node-indexed store watch (watchhub.ts); every other watch is a store watch
// on the narrowest key prefix. Simplifies: no general watch cache.

import type { ServerResponse } from 'node:http'
import { encodeStatus, expired, internalError, serverTimeout, timeout, type ApiError } from '../../api/errors.js'
import { goJsonLine } from '../../api/json.js'
import type { KObject, Status, StoredObject, WatchEventType } from '../../api/meta.js'
import { storagePrefix, type ResourceInfo } from '../../api/resources.js'
import type { FieldSelector, Selector } from '../../api/selectors.js'
import { recordIncident } from '../../host/guard.js'
import { StoreError, type StoreEvent } from '../../store/store.js'
import type { Registry } from '../registry/store.js'
import type { RequestContext } from '../registry/strategy.js'
import { TABLE_CONTENT_TYPE, toTable } from '../registry/printers.js'
import type { Trace } from '../trace.js'

export interface WatchOptions {
  resourceVersion?: string
  labelSelector: Selector
  fieldSelector: FieldSelector
  allowBookmarks: boolean
  timeoutSeconds?: number
  /** Render events as single-row Tables (kubectl get --watch). */
  table: boolean
  includeObject: string
  bookmarkIntervalMs: number
  /** Bytes the server may hold for a client that does not read before it ends the watch (default DEFAULT_WATCH_BUFFER_BYTES). */
  maxBufferedBytes?: number
  /** For a watch in a version other than the stored one: each event's object as that version shows it (registry/conversion.ts). */
  convert?: (o: KObject) => KObject
  /** That version's apiVersion (bookmarks carry it). */
  apiVersion?: string
}

/**
 * How much of a watch's output the server keeps for a client that does not read it (beyond what
 * the socket's kernel buffers hold). Upstream's cacheWatcher has a bounded input channel and
 * closes a watcher that cannot keep up ("Forcing ... watcher close due to unresponsiveness");
 * the client sees its stream end and re-lists, as after any watch that ends.
 */
export const DEFAULT_WATCH_BUFFER_BYTES = 4 * 1024 * 1024

/** Bytes written to a response that the client has not taken yet (HTTP/1.1 socket or HTTP/2 stream). */
function buffered(res: ServerResponse): number {
  const r = res as ServerResponse & { stream?: { writableLength?: number } }
  return r.stream?.writableLength ?? r.writableLength ?? 0
}

export function serveWatch(
  res: ServerResponse,
  registry: Registry,
  trace: Trace,
  ctx: RequestContext,
  info: ResourceInfo,
  namespace: string,
  opts: WatchOptions,
  onEnd: () => void,
): void {
  const resource = info.group ? `${info.resource}.${info.group}` : info.resource
  let ended = false
  let lastRevision = 0
  let cancelStore: (() => void) | undefined
  const timers: NodeJS.Timeout[] = []

  res.writeHead(200, {
    'Content-Type': opts.table ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
  })
  res.flushHeaders()

  const end = (): void => {
    if (ended) return
    ended = true
    cancelStore?.()
    for (const t of timers) clearTimeout(t)
    res.end()
    onEnd()
  }
  res.on('close', end)

  // a client that stopped reading: the watch ends and its buffered output is dropped with the
  // connection (HTTP/1.1) or the stream (HTTP/2), so memory stays bounded
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_WATCH_BUFFER_BYTES
  const terminate = (): void => {
    if (ended) return
    ended = true
    cancelStore?.()
    for (const t of timers) clearTimeout(t)
    console.warn(`[${trace.server}] forcing watcher close due to unresponsiveness: watch of ${resource} by ${ctx.user.name} (${buffered(res)} bytes not read)`)
    trace.record({
      kind: 'watch',
      requestId: ctx.requestId,
      user: ctx.user.name,
      event: 'TERMINATED',
      resource,
      message: 'forcing watcher close due to unresponsiveness',
    })
    res.destroy()
    onEnd()
  }

  /** `json` is the object's JSON when already known (shared by every watcher of a store event). */
  const send = (type: WatchEventType, object: KObject, rev?: number, json?: string): void => {
    // a response ended elsewhere (the server shutting down, the connection gone) takes no event
    if (ended || res.writableEnded || res.destroyed) return
    if (opts.table && type !== 'BOOKMARK' && type !== 'ERROR') {
      res.write(
        goJsonLine(
          JSON.stringify({
            type,
            object: toTable(registry.strategy(info).printer, [object as StoredObject], object.metadata?.resourceVersion, opts.includeObject),
          }),
        ),
      )
    } else {
      // one json.Encoder value per event (watch encoder over the JSON framer): newline-framed
      const text =
        type === 'ERROR'
          ? encodeStatus(object as unknown as Status)
          : opts.convert && type !== 'BOOKMARK'
            ? JSON.stringify(opts.convert(object))
            : (json ?? JSON.stringify(object))
      res.write(goJsonLine(`{"type":"${type}","object":${text}}`))
    }
    if (buffered(res) > maxBuffered) {
      terminate()
      return
    }
    if (trace.watchEvents && type !== 'BOOKMARK') {
      trace.record({
        kind: 'watch',
        requestId: ctx.requestId,
        user: ctx.user.name,
        event: type,
        resource,
        namespace: object.metadata?.namespace,
        name: object.metadata?.name,
        revision: rev,
      })
    }
  }

  const fail = (err: ApiError): void => {
    // an error nobody expected is an incident, as a 500 answer is (server.ts errorFor)
    if (err.code === 500 && err.reason === 'InternalError') recordIncident({ kind: 'internalError', source: `watch of ${resource}`, message: err.message })
    send('ERROR', err.toStatus() as unknown as KObject)
    end()
  }

  const matches = (o: StoredObject): boolean => opts.labelSelector.matches(o.metadata.labels) && opts.fieldSelector.matches(o)

  const onEvents = (events: StoreEvent[]): void => {
    for (const e of events) {
      if (ended) return
      lastRevision = e.kv.modRevision
      if (e.type === 'delete') {
        const old = registry.decode(e.prevKv)
        if (!matches(old)) continue
        const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(e.kv.modRevision) } }
        send('DELETED', gone, e.kv.modRevision)
        continue
      }
      const now = registry.decode(e.kv)
      const was = e.prevKv ? registry.decode(e.prevKv) : undefined
      const nowIn = matches(now)
      const wasIn = was ? matches(was) : false
      if (nowIn && wasIn) send('MODIFIED', now, e.kv.modRevision, opts.table ? undefined : registry.wireJson(e.kv))
      else if (nowIn) send('ADDED', now, e.kv.modRevision, opts.table ? undefined : registry.wireJson(e.kv))
      else if (wasIn) send('DELETED', now, e.kv.modRevision, opts.table ? undefined : registry.wireJson(e.kv))
    }
  }

  const onError = (err: StoreError): void => {
    if (err.code === 'Compacted') fail(expired(`too old resource version: ${opts.resourceVersion ?? lastRevision} (${err.compactRevision ?? ''})`))
    // storage that went away is the answer requests get too (registry.ts storeFailure), not a bug
    else if (err.code === 'Unavailable') fail(serverTimeout({ group: info.group, resource: info.resource }, 'watch'))
    else if (err.code === 'Timeout') fail(timeout('Timeout: request did not complete within the allowed duration', 2))
    else fail(internalError(err))
  }

  // a watch of all pods pinned to one node (a kubelet's) shares the node-indexed store watch
  const node = info.resource === 'pods' && !info.group && !namespace ? opts.fieldSelector.exactValue('spec.nodeName') || undefined : undefined
  const start = (fromRevision: number): void => {
    if (ended) return
    const w =
      node !== undefined
        ? registry.podsByNode().watch(node, fromRevision, { onEvents, onError })
        : registry.store.watch(storagePrefix(info, namespace), fromRevision, { onEvents, onError })
    cancelStore = () => w.cancel()
  }

  // upstream: 0 or none is --min-request-timeout (1800 s) times [1, 2); a negative one ends at once.
  // setTimeout holds at most 2^31-1 ms, so longer ones (up to int64 seconds) are capped there.
  const asked = opts.timeoutSeconds ?? 0
  const timeoutMs = asked === 0 ? 1800 * (1 + Math.random()) * 1000 : Math.max(0, Math.min(asked * 1000, 2 ** 31 - 1))
  timers.push(setTimeout(end, timeoutMs))
  if (opts.allowBookmarks) {
    const tick = (): void => {
      if (ended) return
      if (lastRevision > 0)
        send('BOOKMARK', {
          kind: info.kind,
          apiVersion: opts.apiVersion ?? (info.group ? `${info.group}/${info.version}` : info.version),
          metadata: { resourceVersion: String(lastRevision) },
        })
      timers.push(setTimeout(tick, opts.bookmarkIntervalMs))
    }
    timers.push(setTimeout(tick, opts.bookmarkIntervalMs))
  }

  const rv = opts.resourceVersion
  if (rv && rv !== '0') {
    const n = Number(rv)
    if (!Number.isInteger(n) || n < 0) {
      fail(expired(`too old resource version: ${rv}`))
      return
    }
    lastRevision = n
    start(n + 1)
    return
  }
  // "Get state and start at most recent": synthetic ADDED events for what exists now.
  registry
    .readList(info, namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector })
    .then((list) => {
      const at = Number(list.metadata.resourceVersion)
      lastRevision = at
      for (const o of list.items) send('ADDED', o, Number(o.metadata.resourceVersion))
      start(at + 1)
    })
    .catch((e: unknown) => (e instanceof StoreError ? onError(e) : fail((e as ApiError).toStatus ? (e as ApiError) : internalError(e))))
}
