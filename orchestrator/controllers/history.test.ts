import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ControllerRevision } from '../api/types.js'
import { FakeClient, WRITE_VERBS } from '../client/fake.js'
import { describeAction } from './fake.testing.js'
import { ensureRevision, hashOf, ownedRevisions, revisionName, templatePatch, truncateHistory } from './history.js'

const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'ops', uid: 'ds-uid', annotations: { note: 'x' } } }
const rev = (name: string, revision: number, uid = 'ds-uid'): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name, namespace: 'ops', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid, controller: true }] },
  data: {},
  revision,
})
const writes = (c: FakeClient): string[] =>
  c
    .actions()
    .filter((a) => WRITE_VERBS.includes(a.verb))
    .map(describeAction)

describe('rollout history (ControllerRevisions)', () => {
  it('a revision is the patch that puts its template back, hashed the same for equal templates', () => {
    const t = { metadata: { labels: { a: 'b' } }, spec: { containers: [] } }
    assert.deepEqual(templatePatch(t), { spec: { template: { ...t, $patch: 'replace' } } })
    assert.equal(hashOf({ b: 1, a: 2 }), hashOf({ a: 2, b: 1 }))
    assert.notEqual(hashOf({ a: 1 }), hashOf({ a: 1 }, 1))
    assert.match(hashOf({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/)
    assert.equal(revisionName('x'.repeat(300), 'h').length, 225)
  })

  it('only the revisions the owner controls, oldest first', () => {
    assert.deepEqual(
      ownedRevisions(owner, [rev('b', 2), rev('other', 1, 'other-uid'), rev('a', 1)]).map((r) => r.metadata?.name),
      ['a', 'b'],
    )
  })

  const cases: { name: string; existing: ControllerRevision[]; writes: string[]; revision: number }[] = [
    {
      name: 'a new template is the next revision, with the owner annotations',
      existing: [rev('agent-old', 3)],
      writes: ['create controllerrevisions agent-h'],
      revision: 4,
    },
    { name: 'the newest template already recorded: nothing to write', existing: [rev('agent-h', 3), rev('agent-old', 2)], writes: [], revision: 3 },
    {
      name: 'an older template again (a rollback): renumbered as the newest',
      existing: [rev('agent-h', 1), rev('agent-old', 2)],
      writes: ['update controllerrevisions agent-h'],
      revision: 3,
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const client = new FakeClient(...tc.existing)
      const got = await ensureRevision(client, { owner, apiVersion: 'apps/v1', kind: 'DaemonSet', labels: { app: 'agent' }, data: {}, hash: 'h' }, tc.existing)
      assert.deepEqual(writes(client), tc.writes)
      assert.equal(got.revision, tc.revision)
      if (tc.writes[0]?.startsWith('create')) {
        assert.deepEqual(got.metadata?.labels, { app: 'agent', 'controller.kubernetes.io/hash': 'h' })
        assert.deepEqual(got.metadata?.annotations, { note: 'x' })
      }
    })
  }

  it('prunes the oldest unused revisions beyond the limit, never a live one or the newest', async () => {
    const all = [rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4), rev('r5', 5)]
    const client = new FakeClient(...all)
    await truncateHistory(client, all, new Set(['r1']), 2)
    assert.deepEqual(writes(client), ['delete controllerrevisions r2'])
  })
})
