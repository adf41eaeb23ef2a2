// Steps that read the store beside the API server (capability @store): what a rejected request
// left behind (nothing), how often an accepted object was written and whether the store holds
// it as the API serves it, and when the store acknowledged a write compared with when the user
// got the answer. Objects are found in the store by their content, not by key layout.

import { Then, type DataTable } from './define.js'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { kindRef, type KindRef } from '../support/kinds.js'
import { creatingWrite, describeWrite, isWriteOf, servedObject, storeDoor, withoutResourceVersion, writesOf } from '../support/store.js'
import { describeEntry, tracedRequests, userMatches } from '../support/trace.js'
import type { OckWorld } from '../support/world.js'

Then(['the rejected request wrote nothing to the store', 'الـ request اللي اترفض مكتبش حاجة في الـ store'], async function (this: OckWorld) {
  const e = this.takeError()
  const s = await this.cluster()
  const o = this.lastObject
  expect(o?.kind, 'the kind of object the rejected request was about').to.be.a('string')
  const namespaced = kindRef(o!.kind!).namespaced
  const ref = { kind: o!.kind!, namespace: namespaced ? (o!.metadata?.namespace ?? s.namespace) : undefined, name: o!.metadata?.name }
  const from = this.lastErrorStoreMark ?? this.storeCursor
  const writes = await storeDoor(s).writesSince(from)
  const mine = writes.filter((w) => isWriteOf(w, ref))
  const what = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? '*'}`
  expect(mine.map(describeWrite), `writes of ${what} since revision ${from}, just before the request refused with ${e.code} ${e.reason}`).to.deep.equal([])
  this.log(`store revision ${from} before the request; ${writes.length} writes since, none of ${what}`)
})

Then(
  ['the {kind} {string} was written to the store exactly once', 'الـ {kind} {string} اتكتب في الـ store مرة واحدة بس'],
  async function (this: OckWorld, kind: KindRef, name: string) {
    const s = await this.cluster()
    const ref = { kind: kind.kind, namespace: kind.namespaced ? s.namespace : undefined, name }
    const writes = await writesOf(s, ref, this.storeCursor)
    expect(writes.map(describeWrite), `writes of ${kind.kind} ${name} since the scenario started`).to.have.length(1)
    const served = await servedObject(s, { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace: ref.namespace } })
    expect(served, `${kind.kind} ${name} as the API serves it`).to.not.equal(undefined)
    const stored = writes[0]!
    expect(
      (served!.metadata as { resourceVersion?: string }).resourceVersion,
      'the resourceVersion the API serves is the revision the store wrote it at',
    ).to.equal(String(stored.revision))
    expect(stored.object, 'the stored object is the one the API serves').to.deep.equal(withoutResourceVersion(served!))
  },
)

/** What the API server answered the user for an object of the last manifest. */
function answerFor(world: OckWorld, kind: KindRef, name: string): Record<string, unknown> & { metadata?: { uid?: string; resourceVersion?: string } } {
  const answer = (world.applied ?? []).find((o) => o.kind === kind.kind && o.metadata?.name === name)
  expect(answer, `the API server's answer for ${kind.kind} ${name}`).to.not.equal(undefined)
  // the client's typed object, as JSON (dates as strings)
  return JSON.parse(JSON.stringify(answer)) as Record<string, unknown>
}

Then(
  [
    'the {kind} {string} was returned with the acknowledged revision as its resourceVersion',
    'الـ {kind} {string} رجع للـ user والـ resourceVersion بتاعه هو الـ revision اللي الـ store أكدها',
  ],
  async function (this: OckWorld, kind: KindRef, name: string) {
    const s = await this.cluster()
    const write = await creatingWrite(s, { kind: kind.kind, namespace: kind.namespaced ? s.namespace : undefined, name }, this.storeCursor)
    expect(write, `the store's write that created ${kind.kind} ${name}`).to.not.equal(undefined)
    const answer = answerFor(this, kind, name)
    expect(answer.metadata?.resourceVersion, `resourceVersion returned to the user, against ${describeWrite(write!)}`).to.equal(String(write!.revision))
    // what was stored is what the user was told: the same object (uid) with the same desired state
    expect(write!.object?.metadata?.uid, 'uid of the stored object').to.equal(answer.metadata?.uid)
    expect(write!.object?.spec ?? write!.object?.data, 'the stored desired state').to.deep.equal(answer.spec ?? answer.data)
  },
)

Then(
  [
    'the user was told the {kind} {string} was created only after the store acknowledged it',
    'الـ user اتبلغ إن الـ {kind} {string} اتعمل بس بعد ما الـ store أكده',
  ],
  async function (this: OckWorld, kind: KindRef, name: string) {
    const s = await this.cluster()
    // the store may still be holding its acknowledgement back: that the user already has an answer then is the failure this shows
    const write = await eventually(
      () => creatingWrite(s, { kind: kind.kind, namespace: kind.namespaced ? s.namespace : undefined, name }, this.storeCursor),
      (w) => {
        expect(w, `the store's write that created ${kind.kind} ${name}`).to.not.equal(undefined)
        expect(w!.acknowledgedAt, `when the store acknowledged ${describeWrite(w!)} (the target measures it)`).to.be.a('number')
      },
      10_000,
      { describe: `the store's acknowledgement of the write that created ${kind.kind} ${name}` },
    )
    const answered = this.answeredAt.get(`${kind.kind}/${name}`)
    expect(answered, `when the user's answer for ${kind.kind} ${name} arrived`).to.be.a('number')
    const margin = answered! - write!.acknowledgedAt!
    expect(margin, `the answer arrived ${margin.toFixed(1)} ms after the store acknowledged the write (negative: before)`).to.be.at.least(0)
    this.log(
      `the store got the write and acknowledged it ${(write!.acknowledgedAt! - write!.receivedAt!).toFixed(1)} ms later; the user's answer arrived ${margin.toFixed(1)} ms after that`,
    )
  },
)

Then(
  [
    'every write to the store was made by the API server for an authenticated request from one of:',
    'كل write في الـ store عملها الـ API Server لـ request اتعمله authentication من واحد من دول:',
  ],
  async function (this: OckWorld, table: DataTable) {
    const s = await this.cluster()
    if (!s.trace) throw new Error('this target has no trace (the scenario needs the @trace tag)')
    // the store's own history is the list of writes; the API server's trace only says who asked for each
    const writes = await storeDoor(s).writesSince(this.storeCursor)
    expect(writes, 'writes in the store since the scenario started').to.not.be.empty
    const entries = await s.trace.since(this.traceCursor)
    const acknowledged = new Map(entries.filter((e) => e.kind === 'store' && e.outcome === 'ok').map((e) => [e.revision, e]))
    const requests = new Map(tracedRequests(entries).map((r) => [r.requestId, r]))
    const allowed = table.raw().map(([u]) => u!.trim())
    const unaccounted: string[] = []
    const wrongUser: string[] = []
    for (const w of writes) {
      const e = acknowledged.get(w.revision)
      if (!e || e.key !== w.key) {
        unaccounted.push(describeWrite(w))
        continue
      }
      const r = requests.get(e.requestId ?? '')
      if (!r || !allowed.some((u) => userMatches(u, r.user)))
        wrongUser.push(`${describeWrite(w)}: ${describeEntry(e)} for ${r ? (r.user ?? 'nobody authenticated') : `no API request (${e.requestId})`}`)
    }
    expect(unaccounted, 'writes in the store that the API server made for no request (someone else wrote to the store)').to.deep.equal([])
    expect(wrongUser, `writes made for a request not from one of ${allowed.join(', ')}`).to.deep.equal([])
    this.log(`${writes.length} writes in the store since the scenario started, each made by the API server for an API request`)
  },
)
