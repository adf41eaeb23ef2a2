import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ApiClient } from '../client/client.js'
import type { ApiServer } from './server.js'
import { startTestApiServer, type TestApiServer } from './testserver.testing.js'
import { objectAttrs, Trace } from './trace.js'

describe('objectAttrs: what the trace keeps of a written object', () => {
  const cases: [string, string, Record<string, unknown>, Record<string, string> | undefined][] = [
    [
      'a core/v1 Event from a kubelet',
      'events',
      { reason: 'Started', message: 'Started container app', involvedObject: { kind: 'Pod', name: 'web-1' }, source: { component: 'kubelet', host: 'node-1' } },
      { reason: 'Started', involvedObject: 'Pod/web-1', note: 'Started container app', reportingComponent: 'kubelet' },
    ],
    [
      'an events.k8s.io Event',
      'events.events.k8s.io',
      {
        reason: 'Scheduled',
        note: 'Successfully assigned ns/web-1 to node-1',
        regarding: { kind: 'Pod', name: 'web-1' },
        reportingController: 'default-scheduler',
      },
      { reason: 'Scheduled', involvedObject: 'Pod/web-1', note: 'Successfully assigned ns/web-1 to node-1', reportingComponent: 'default-scheduler' },
    ],
    ['a long note is cut', 'events', { reason: 'Failed', message: 'x'.repeat(300) }, { reason: 'Failed', note: `${'x'.repeat(159)}…` }],
    ['an Event without facts', 'events', { metadata: { name: 'e' } }, undefined],
    ['anything else', 'configmaps', { reason: 'not an event', data: { a: 'b' } }, undefined],
    [
      'a Node: Ready, taints, cordoned',
      'nodes',
      {
        spec: {
          unschedulable: true,
          taints: [
            { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
            { key: 'k', value: 'v', effect: 'NoSchedule' },
          ],
        },
        status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
      },
      { ready: 'Unknown', taints: 'node.kubernetes.io/unreachable:NoExecute,k=v:NoSchedule', unschedulable: 'true' },
    ],
    [
      'a Pod: phase, node, deletion',
      'pods',
      { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, spec: { nodeName: 'node-2' }, status: { phase: 'Running' } },
      { phase: 'Running', node: 'node-2', deleting: 'true' },
    ],
    ['a new Pod', 'pods', { spec: {} }, undefined],
  ]
  for (const [what, resource, object, expected] of cases) {
    it(what, () => assert.deepEqual(objectAttrs(resource, object), expected))
  }
})

describe('the trace of an Event written through the API', () => {
  let api: TestApiServer
  let server: ApiServer
  let client: ApiClient

  before(async () => {
    api = await startTestApiServer()
    server = api.server
    client = api.admin
  })

  after(() => api.stop())

  it("records the Event's reason and object on the store acknowledgement", async () => {
    const from = server.trace.lastSeq
    await client.create(
      { group: '', version: 'v1', resource: 'events', namespace: 'default' },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web-1.1' },
        reason: 'Pulling',
        message: 'Pulling image "app:1"',
        involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
        source: { component: 'kubelet' },
      },
    )
    const acks = server.trace.since(from).entries.filter((e) => e.kind === 'store' && e.outcome === 'ok')
    assert.deepEqual(
      acks.map((e) => e.attrs),
      [{ reason: 'Pulling', involvedObject: 'Pod/web-1', note: 'Pulling image "app:1"', reportingComponent: 'kubelet' }],
    )
  })
})

describe('Trace', () => {
  it('pages entries after a cursor and drops the oldest beyond its capacity', () => {
    const t = new Trace('apiserver-0', { capacity: 3 })
    for (let i = 0; i < 5; i++) t.record({ kind: 'note', message: `n${i}` })
    const page = t.since(0)
    assert.deepEqual(
      page.entries.map((e) => e.message),
      ['n2', 'n3', 'n4'],
    )
    assert.equal(page.firstSeq, 3)
    assert.deepEqual(
      t.since(4).entries.map((e) => e.seq),
      [5],
    )
  })
})
