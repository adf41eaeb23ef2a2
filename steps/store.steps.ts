// Steps that read the store beside the API server (capability @store): what a rejected request
// left behind (nothing), how often an accepted object was written and whether the store holds
// it as the API serves it, and when the store acknowledged a write compared with when the user
// got the answer. Objects are found in the store by their content, not by key layout.

import { Then } from './define.js'
import { expect } from 'chai'
import { kindRef, type KindRef } from '../support/kinds.js'
import { describeWrite, isWriteOf, servedObject, storeDoor, withoutResourceVersion, writesOf } from '../support/store.js'
import type { OckWorld } from '../support/world.js'

Then('the rejected request wrote nothing to the store', async function (this: OckWorld) {
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

Then('the {kind} {string} was written to the store exactly once', async function (this: OckWorld, kind: KindRef, name: string) {
  const s = await this.cluster()
  const ref = { kind: kind.kind, namespace: kind.namespaced ? s.namespace : undefined, name }
  const writes = await writesOf(s, ref, this.storeCursor)
  expect(writes.map(describeWrite), `writes of ${kind.kind} ${name} since the scenario started`).to.have.length(1)
  const served = await servedObject(s, { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace: ref.namespace } })
  expect(served, `${kind.kind} ${name} as the API serves it`).to.not.equal(undefined)
  const stored = writes[0]!
  expect((served!.metadata as { resourceVersion?: string }).resourceVersion, 'the resourceVersion the API serves is the revision the store wrote it at').to.equal(String(stored.revision))
  expect(stored.object, 'the stored object is the one the API serves').to.deep.equal(withoutResourceVersion(served!))
})
