import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from '../../api/types.js'
import { pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { podsToDelete, slowStartBatch } from './replicaset.js'

const pod = (name: string, o: PodOptions = {}): Pod => build({ name, created: T0, phase: 'Running', ready: false, restarts: 0, ...o })

describe('ReplicaSet controller', () => {
  it('deletes the least valuable pods first: unscheduled, pending, not ready, restarting, newest', () => {
    const pods = [
      pod('ready-old', { node: 'n', ready: true, created: '2026-01-01T00:00:00Z' }),
      pod('ready-new', { node: 'n', ready: true, created: '2026-01-02T00:00:00Z' }),
      pod('unscheduled', { phase: 'Pending' }),
      pod('pending', { node: 'n', phase: 'Pending' }),
      pod('not-ready', { node: 'n' }),
      pod('crashy', { node: 'n', restarts: 5 }),
    ]
    assert.deepEqual(podsToDelete(pods, 6).map((p) => p.metadata!.name), ['unscheduled', 'pending', 'crashy', 'not-ready', 'ready-new', 'ready-old'])
    assert.deepEqual(podsToDelete(pods, 2).map((p) => p.metadata!.name), ['unscheduled', 'pending'])
  })

  it('creates in slow-start batches and stops after a failing batch', async () => {
    let calls = 0
    const ok = await slowStartBatch(10, 1, async () => {
      calls++
    })
    assert.deepEqual({ created: ok.created, calls }, { created: 10, calls: 10 })
    let n = 0
    const failing = await slowStartBatch(10, 1, async () => {
      if (++n === 2) throw new Error('quota exceeded')
    })
    // batches 1 then 2 (one of which fails): the rest is skipped
    assert.equal(failing.created, 2)
    assert.match(failing.error!.message, /quota/)
  })
})
