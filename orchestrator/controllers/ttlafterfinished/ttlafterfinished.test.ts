import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job } from '../../api/types.js'
import { fakeBed } from '../fake.testing.js'
import { timeLeft, TTLAfterFinishedController } from './ttlafterfinished.js'

const FINISHED = '2026-01-01T00:00:00Z'
const NOW = Date.parse('2026-01-01T00:00:30Z')
const job = (ttl: number | undefined, condition?: string, deleting = false): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'shop', uid: 'job-uid', ...(deleting ? { deletionTimestamp: FINISHED } : {}) },
  spec: { template: {}, ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }) },
  status: condition
    ? { conditions: [{ type: condition, status: 'True', lastProbeTime: FINISHED, lastTransitionTime: FINISHED, reason: '', message: '' }] }
    : {},
})

describe('TTL after finished', () => {
  const cases: { name: string; job: Job; want: number | undefined }[] = [
    { name: 'no TTL: never', job: job(undefined, 'Complete'), want: undefined },
    { name: 'not finished: not yet', job: job(10), want: undefined },
    { name: 'Complete 30 s ago, TTL 60 s: 30 s left', job: job(60, 'Complete'), want: 30_000 },
    { name: 'Failed 30 s ago, TTL 10 s: now', job: job(10, 'Failed'), want: 0 },
    { name: 'TTL 0: at once', job: job(0, 'Complete'), want: 0 },
    { name: 'already being deleted: nothing', job: job(0, 'Complete', true), want: undefined },
  ]
  for (const c of cases) it(c.name, () => assert.equal(timeLeft(c.job, NOW), c.want))

  it('deletes an expired Job in the foreground, pinned to its uid', async () => {
    const bed = fakeBed([job(10, 'Complete')])
    try {
      await bed.sync(new TTLAfterFinishedController(bed.ctx, () => NOW), 'shop/pi')
      assert.deepEqual(bed.writes(), ['delete jobs pi'])
      const del = bed.client.actions().find((a) => a.verb === 'delete')!
      assert.deepEqual(del.options, { propagationPolicy: 'Foreground', preconditions: { uid: 'job-uid' } })
    } finally {
      bed.stop()
    }
  })
})
