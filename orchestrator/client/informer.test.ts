import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../api/errors.js'
import type { KList, KObject, WatchEvent } from '../api/meta.js'
import type { RequestOptions, ResourceRef, WatchHandle } from './client.js'
import { Informer, type ListerWatcher } from './informer.js'
import { eventually } from '../testing/eventually.js'

/** A scripted API: a list answer (or failure) per call, and watches the test drives by hand. */
class FakeApi implements ListerWatcher {
  lists: RequestOptions['query'][] = []
  watches: { query: RequestOptions['query']; emit: (e: WatchEvent) => void; close: (err?: Error) => void; stopped: boolean }[] = []
  listAnswers: (KList | Error)[] = []

  async list<T extends KObject>(_ref: ResourceRef, query?: RequestOptions['query']): Promise<KList<T>> {
    this.lists.push(query)
    const a = this.listAnswers.shift()
    if (!a) throw new Error('no list answer scripted')
    if (a instanceof Error) throw a
    return a as KList<T>
  }

  watch(_ref: ResourceRef, query: RequestOptions['query'], onEvent: (e: WatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    let closed = false
    const w = {
      query,
      stopped: false,
      emit: (e: WatchEvent) => !closed && onEvent(e),
      close: (err?: Error) => {
        if (closed) return
        closed = true
        onClose(err)
      },
    }
    this.watches.push(w)
    return { stop: () => ((w.stopped = true), w.close()), done: Promise.resolve() }
  }
}

const cm = (name: string, rv: string, labels: Record<string, string> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv, labels },
})
const list = (rv: string, ...items: KObject[]): KList => ({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: rv }, items })
const ref = { group: '', version: 'v1', resource: 'configmaps' }

const until = (check: () => boolean, what: string): Promise<true> => eventually(what, () => check(), 1_000, 5)

describe('Informer', () => {
  it('lists, then watches from the list resourceVersion, keeping the cache and handlers in step', async () => {
    const api = new FakeApi()
    api.listAnswers.push(list('10', cm('a', '5')))
    const seen: string[] = []
    const inf = new Informer(api, ref).on({
      add: (o) => seen.push(`add ${o.metadata!.name}`),
      update: (_o, n) => seen.push(`update ${n.metadata!.name}`),
      delete: (o) => seen.push(`delete ${o.metadata!.name}`),
    })
    await inf.start()
    assert.equal(api.watches[0]!.query!.resourceVersion, '10')
    api.watches[0]!.emit({ type: 'ADDED', object: cm('b', '11') })
    api.watches[0]!.emit({ type: 'MODIFIED', object: cm('a', '12') })
    api.watches[0]!.emit({ type: 'DELETED', object: cm('b', '13') })
    assert.deepEqual(seen, ['add a', 'add b', 'update a', 'delete b'])
    assert.deepEqual(
      inf.list().map((o) => o.metadata!.name),
      ['a'],
    )
    assert.ok(Object.isFrozen(inf.get('ns/a')), 'cached objects are frozen')
    inf.stop()
  })

  it('resumes from the last resourceVersion (bookmarks included) when the server ends the stream', async () => {
    const api = new FakeApi()
    api.listAnswers.push(list('10'))
    const inf = new Informer(api, ref)
    await inf.start()
    api.watches[0]!.emit({ type: 'ADDED', object: cm('a', '11') })
    api.watches[0]!.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } })
    api.watches[0]!.close()
    await until(() => api.watches.length === 2, 'a second watch')
    assert.equal(api.watches[1]!.query!.resourceVersion, '15')
    assert.equal(api.lists.length, 1, 'no relist')
    inf.stop()
  })

  it('relists when the watch says the resourceVersion is gone (410), and reports what vanished meanwhile', async () => {
    const api = new FakeApi()
    api.listAnswers.push(list('10', cm('a', '5'), cm('b', '6')), list('40', cm('b', '6'), cm('c', '39')))
    const seen: string[] = []
    const inf = new Informer(api, ref).on({ add: (o) => seen.push(`add ${o.metadata!.name}`), delete: (o) => seen.push(`delete ${o.metadata!.name}`) })
    await inf.start()
    seen.length = 0
    api.watches[0]!.emit({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } as unknown as KObject })
    api.watches[0]!.close()
    await until(() => api.watches.length === 2, 'a watch after the relist')
    assert.equal(api.lists.length, 2)
    assert.equal(api.watches[1]!.query!.resourceVersion, '40')
    assert.deepEqual(seen.sort(), ['add c', 'delete a'])
  })

  it('relists when reopening the watch is answered with 410', async () => {
    const api = new FakeApi()
    api.listAnswers.push(list('10'), list('50'))
    const inf = new Informer(api, ref)
    await inf.start()
    api.watches[0]!.close(new ApiError(410, 'Expired', 'too old resource version: 10 (20)'))
    await until(() => api.watches.length === 2, 'a watch after the relist')
    assert.equal(api.watches[1]!.query!.resourceVersion, '50')
    inf.stop()
  })

  it('backs off while the API server cannot be reached, then syncs', async () => {
    const api = new FakeApi()
    api.listAnswers.push(new Error('ECONNREFUSED'), new Error('ECONNREFUSED'), list('7', cm('a', '7')))
    const inf = new Informer(api, ref, { backoffMs: { initial: 5, max: 20 } })
    await inf.start()
    assert.equal(api.lists.length, 3)
    assert.equal(inf.size, 1)
    inf.stop()
  })

  it('re-watches after a broken stream without relisting', async () => {
    const api = new FakeApi()
    api.listAnswers.push(list('10'))
    const inf = new Informer(api, ref, { backoffMs: { initial: 5, max: 20 } })
    await inf.start()
    api.watches[0]!.emit({ type: 'ADDED', object: cm('a', '12') })
    api.watches[0]!.close(new Error('socket hang up'))
    await until(() => api.watches.length === 2, 'a second watch')
    assert.equal(api.watches[1]!.query!.resourceVersion, '12')
    assert.equal(api.lists.length, 1)
    inf.stop()
  })

  it('keeps indexes in step with adds, label changes and deletes', async () => {
    const api = new FakeApi()
    api.listAnswers.push(list('10', cm('a', '5', { app: 'web' })))
    const inf = new Informer(api, ref).addIndexer('app', (o) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []))
    await inf.start()
    api.watches[0]!.emit({ type: 'ADDED', object: cm('b', '11', { app: 'web' }) })
    assert.deepEqual(
      inf
        .byIndex('app', 'web')
        .map((o) => o.metadata!.name)
        .sort(),
      ['a', 'b'],
    )
    api.watches[0]!.emit({ type: 'MODIFIED', object: cm('a', '12', { app: 'db' }) })
    assert.deepEqual(
      inf.byIndex('app', 'web').map((o) => o.metadata!.name),
      ['b'],
    )
    assert.deepEqual(
      inf.byIndex('app', 'db').map((o) => o.metadata!.name),
      ['a'],
    )
    api.watches[0]!.emit({ type: 'DELETED', object: cm('b', '13', { app: 'web' }) })
    assert.deepEqual(inf.byIndex('app', 'web'), [])
    inf.stop()
  })

  it('stops cleanly: no watch stays open and start() callers are released', async () => {
    const api = new FakeApi()
    api.listAnswers.push(new Error('down'))
    const inf = new Informer(api, ref, { backoffMs: { initial: 1000, max: 1000 } })
    const started = inf.start()
    inf.stop()
    await started
    assert.equal(api.watches.length, 0)
  })
})
