import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../api/meta.js'
import type { ApiClient, ResourceRef } from './client.js'
import { ApiEventRecorder } from './events.js'

class FakeClient {
  created: KObject[] = []
  patches: { name?: string; body: unknown }[] = []
  async createQuietly(_ref: ResourceRef, body: KObject): Promise<void> {
    this.created.push(body)
  }
  async patchQuietly(ref: ResourceRef, body: unknown): Promise<void> {
    this.patches.push({ name: ref.name, body })
  }
}

const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', uid: 'u1', resourceVersion: '7' } }

describe('ApiEventRecorder', () => {
  it('writes a core/v1 Event about the object, with source and timestamps', async () => {
    const c = new FakeClient()
    const r = new ApiEventRecorder(c as unknown as ApiClient, { component: 'kubelet', host: 'node-1' })
    r.event(pod, 'Normal', 'Started', 'Started container app')
    await r.flush()
    const e = c.created[0] as Record<string, unknown> & KObject
    assert.match(e.metadata!.name!, /^web-1\.[0-9a-f]+$/)
    assert.equal(e.metadata!.namespace, 'shop')
    assert.deepEqual(e.involvedObject, { kind: 'Pod', name: 'web-1', apiVersion: 'v1', namespace: 'shop', uid: 'u1', resourceVersion: '7' })
    assert.deepEqual(e.source, { component: 'kubelet', host: 'node-1' })
    assert.equal(e.count, 1)
    assert.equal(e.type, 'Normal')
    assert.ok(e.firstTimestamp && e.firstTimestamp === e.lastTimestamp)
  })

  it('counts a repeated event on the existing Event instead of creating another', async () => {
    const c = new FakeClient()
    const r = new ApiEventRecorder(c as unknown as ApiClient, { component: 'default-scheduler' }, { concurrency: 1 })
    for (let i = 0; i < 3; i++) r.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')
    await r.flush()
    assert.equal(c.created.length, 1)
    assert.deepEqual(
      c.patches.map((p) => (p.body as { count: number }).count),
      [2, 3],
    )
    assert.equal(c.patches[0]!.name, c.created[0]!.metadata!.name)
  })

  it('puts events about cluster-scoped objects in the default namespace', async () => {
    const c = new FakeClient()
    const r = new ApiEventRecorder(c as unknown as ApiClient, { component: 'kubelet', host: 'node-1' })
    r.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n' } }, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady')
    await r.flush()
    assert.equal(c.created[0]!.metadata!.namespace, 'default')
  })

  it('stops an event storm about one object after the burst, and drops when the queue is full', async () => {
    const c = new FakeClient()
    const r = new ApiEventRecorder(c as unknown as ApiClient, { component: 'x' }, { burst: 3, maxQueued: 100 })
    for (let i = 0; i < 10; i++) r.event(pod, 'Normal', 'R', `message ${i}`)
    await r.flush()
    assert.equal(c.created.length, 3)
    const full = new ApiEventRecorder(c as unknown as ApiClient, { component: 'x' }, { maxQueued: 2, concurrency: 1 })
    for (let i = 0; i < 5; i++) full.event({ ...pod, metadata: { ...pod.metadata, name: `p${i}` } }, 'Normal', 'R', 'm')
    assert.equal(full.dropped, 2)
    await full.flush()
  })
})
