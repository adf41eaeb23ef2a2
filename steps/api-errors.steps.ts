// Steps about how the API answers a request that a `try` step made: accepted, or rejected with
// a Kubernetes Status (code, reason, message, the fields named in details.causes).

import { Then, When, type DataTable } from './define.js'
import { expect } from 'chai'
import { collectionPath, type KindRef } from '../support/kinds.js'
import { expandNamespace } from '../support/expand.js'
import { currentRevision } from '../support/kube.js'
import { rawRequest } from '../support/transport.js'
import type { OckWorld } from '../support/world.js'

Then(['the request succeeds', 'الـ request نجح'], function (this: OckWorld) {
  const e = this.lastError
  this.lastErrorChecked = true
  expect(e, e ? `the request was rejected: ${e.code} ${e.reason}: ${e.message}` : '').to.equal(undefined)
})

Then(['the request is rejected with {int} {word}', 'الـ request اترفض بـ {int} {word}'], function (this: OckWorld, code: number, reason: string) {
  const e = this.takeError()
  expect({ code: e.code, reason: e.reason }, e.message).to.deep.equal({ code, reason })
})

Then(
  ['the request is rejected with {int} {word} saying {string}', 'الـ request اترفض بـ {int} {word} والـ message فيها {string}'],
  function (this: OckWorld, code: number, reason: string, fragment: string) {
    const e = this.takeError()
    expect({ code: e.code, reason: e.reason }, e.message).to.deep.equal({ code, reason })
    expect(e.message).to.include(expandNamespace(fragment, this.currentSession?.namespace))
  },
)

Then(
  ['the request is rejected with {int} {word} and the message:', 'الـ request اترفض بـ {int} {word} والـ message:'],
  function (this: OckWorld, code: number, reason: string, message: string) {
    const e = this.takeError()
    expect({ code: e.code, reason: e.reason }, e.message).to.deep.equal({ code, reason })
    expect(e.message).to.equal(expandNamespace(message.trim(), this.currentSession?.namespace))
  },
)

Then(
  ['the rejection names, for each broken field, its reason:', 'الـ rejection فيه لكل field غلط الـ reason بتاعه:'],
  function (this: OckWorld, table: DataTable) {
    const e = this.takeError()
    const causes = (e.details?.causes ?? []).map((c) => `${c.field} ${c.reason}`)
    for (const row of table.hashes()) expect(causes, `details.causes of "${e.message}"`).to.include(`${row.field} ${row.reason}`)
  },
)

Then(
  ['the rejection gives the cause {word}: {string}', 'الـ rejection فيه الـ cause {word}: {string}'],
  function (this: OckWorld, reason: string, message: string) {
    const e = this.takeError()
    const causes = (e.details?.causes ?? []).map((c) => `${c.reason}: ${c.message}`)
    expect(causes, `details.causes of "${e.message}"`).to.include(`${reason}: ${expandNamespace(message, this.currentSession?.namespace)}`)
  },
)

Then('the rejection names the field {string}', function (this: OckWorld, field: string) {
  const e = this.takeError()
  const fields = (e.details?.causes ?? []).map((c) => c.field)
  expect(fields, `fields in details.causes of "${e.message}"`).to.include(field)
})

Then('the rejection names the fields:', function (this: OckWorld, table: DataTable) {
  const e = this.takeError()
  const fields = (e.details?.causes ?? []).map((c) => c.field)
  for (const [field] of table.raw()) expect(fields, `fields in details.causes of "${e.message}"`).to.include(field)
})

When(['I try to create a {kind} from the body:', 'حاولت اعمل create لـ {kind} من الـ body:'], async function (this: OckWorld, kind: KindRef, body: string) {
  const s = await this.cluster()
  const outcome = await rawRequest(s.kubeconfig, 'POST', collectionPath(kind, s.namespace), body)
  this.lastError = undefined
  this.lastErrorChecked = true
  // what the request was about, whatever its body says (a check of what it wrote looks for it)
  this.lastObject = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: kind.namespaced ? { namespace: s.namespace } : {} }
  if (outcome.kind === 'transport-error') throw new Error(`the API server did not answer: ${outcome.message}`)
  if (outcome.status) this.rejected(outcome.status)
})

When(
  ['I send {word} {string} exactly as written', 'بعت {word} على {string} زي ما هو مكتوب بالظبط'],
  async function (this: OckWorld, method: string, path: string) {
    // no client library in between: the path goes on the wire as the scenario spells it (dot
    // segments and escapes included), as a careless or hostile client would send it
    const s = await this.cluster()
    const outcome = await rawRequest(s.kubeconfig, method, expandNamespace(path, s.namespace), '')
    this.lastError = undefined
    this.lastErrorChecked = true
    if (outcome.kind === 'transport-error') throw new Error(`the API server did not answer: ${outcome.message}`)
    if (outcome.status) this.rejected(outcome.status)
  },
)

Then(['the API server still answers', 'الـ API Server لسه بيرد'], async function (this: OckWorld) {
  const s = await this.cluster()
  expect(await currentRevision(s.kubeconfig), 'the store revision seen through a list').to.be.greaterThan(0)
})
