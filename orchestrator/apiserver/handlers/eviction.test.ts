import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { PodDisruptionBudget } from '../../api/pdb.js'
import type { ApiClient } from '../../client/client.js'
import { rejects, startTestApiServer, type TestApiServer } from '../testserver.testing.js'

// pods/eviction against an API server alone: no disruption controller runs, so each test sets
// the budget's status itself, as the controller would have.

const NS = 'default'
const pods = (name?: string, subresource?: string) => ({ group: '', version: 'v1', resource: 'pods', namespace: NS, name, subresource })
const pdbs = (name?: string, subresource?: string) => ({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: NS, name, subresource })
const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } })

describe('pods/eviction', () => {
  let api: TestApiServer
  let client: ApiClient

  before(async () => {
    api = await startTestApiServer()
    client = api.admin
    await client.create(
      { group: '', version: 'v1', resource: 'serviceaccounts', namespace: NS },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
    )
  })

  after(() => api.stop())

  /** A Running, Ready pod labelled app=<app>. */
  async function runningPod(name: string, app: string): Promise<void> {
    const created = await client.create<KObject>(pods(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i:1' }] },
    })
    await client.update(pods(name, 'status'), { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } })
  }

  /** A budget over app=<app> whose status says `allowed` disruptions (as the disruption controller would write it). */
  async function budget(name: string, app: string, allowed: number, observed = true): Promise<void> {
    const created = await client.create<PodDisruptionBudget>(pdbs(), {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name },
      spec: { minAvailable: 2, selector: { matchLabels: { app } } },
    })
    const generation = created.metadata?.generation ?? 1
    await client.update(pdbs(name, 'status'), {
      ...created,
      status: {
        observedGeneration: observed ? generation : generation - 1,
        disruptionsAllowed: allowed,
        currentHealthy: 2 + allowed,
        desiredHealthy: 2,
        expectedPods: 2 + allowed,
      },
    })
  }

  /** Deleted, or (bound to a node, so deleted gracefully) marked for deletion. */
  const gone = async (name: string): Promise<boolean> =>
    client.get<KObject>(pods(name)).then(
      (p) => Boolean(p.metadata?.deletionTimestamp),
      (e: unknown) => e instanceof ApiError && e.code === 404,
    )

  it('deletes a pod no budget covers', async () => {
    await runningPod('free', 'free')
    await client.create(pods('free', 'eviction'), eviction('free'))
    assert.ok(await gone('free'))
  })

  it('refuses with 429 and upstream message while the budget allows no disruption, and deletes nothing', async () => {
    await runningPod('tight-1', 'tight')
    await budget('tight', 'tight', 0)
    const e = await rejects(client.create(pods('tight-1', 'eviction'), eviction('tight-1')), 429, 'TooManyRequests')
    assert.equal(e.message, "Cannot evict pod as it would violate the pod's disruption budget.")
    assert.deepEqual(e.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget tight needs 2 healthy pods and has 2 currently' }])
    assert.equal(await gone('tight-1'), false)
  })

  it('spends one disruption per eviction, recording it in disruptedPods', async () => {
    await runningPod('room-1', 'room')
    await runningPod('room-2', 'room')
    await budget('room', 'room', 1)
    await client.create(pods('room-1', 'eviction'), eviction('room-1'))
    assert.ok(await gone('room-1'))
    const after = await client.get<PodDisruptionBudget>(pdbs('room'))
    assert.equal(after.status?.disruptionsAllowed, 0)
    assert.deepEqual(Object.keys(after.status?.disruptedPods ?? {}), ['room-1'])
    assert.equal(after.status?.conditions?.find((c) => c.type === 'DisruptionAllowed')?.reason, 'InsufficientPods')
    await rejects(client.create(pods('room-2', 'eviction'), eviction('room-2')), 429, 'TooManyRequests')
  })

  it('asks to retry while the budget has not been processed since its last change', async () => {
    await runningPod('fresh-1', 'fresh')
    await budget('fresh', 'fresh', 1, false)
    const e = await rejects(client.create(pods('fresh-1', 'eviction'), eviction('fresh-1')), 429, 'TooManyRequests')
    assert.deepEqual(
      e.details?.causes?.map((c) => c.message),
      ['The disruption budget fresh is still being processed by the server.'],
    )
  })

  it('deletes a Pending pod whatever the budget says', async () => {
    await client.create(pods(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'waiting', labels: { app: 'tight' } },
      spec: { containers: [{ name: 'c', image: 'i:1' }] },
    })
    await client.create(pods('waiting', 'eviction'), eviction('waiting'))
    assert.ok(await gone('waiting'))
  })

  it('rejects an Eviction whose name is not the pod in the URL', async () => {
    await runningPod('named', 'named')
    const e = await rejects(client.create(pods('named', 'eviction'), eviction('other')), 400, 'BadRequest')
    assert.equal(e.message, 'name in URL does not match name in Eviction object')
  })
})
