// Steps about the transport: the API server's TLS certificate, and what happens to callers
// without a certificate, with a certificate of another CA, or speaking plain HTTP (answers that
// come from the HTTP layer itself are plain text, not a Kubernetes Status).

import { Then, When } from './define.js'
import { expect } from 'chai'
import { X509Certificate } from 'node:crypto'
import { callApi, foreignClientCertificate, peerCertificate, type CallOutcome } from '../support/transport.js'
import type { OckWorld } from '../support/world.js'

function record(world: OckWorld, outcome: CallOutcome): void {
  world.lastTransportError = undefined
  world.lastError = undefined
  world.lastErrorChecked = true
  if (outcome.kind === 'transport-error') world.lastTransportError = outcome.message
  else if (outcome.status) world.rejected(outcome.status)
}

Then(['the API server presents a certificate issued by the cluster CA', 'الـ API Server بيقدم certificate من الـ cluster CA'], async function (this: OckWorld) {
  const s = await this.cluster()
  const peer = await peerCertificate(s.server, s.caPem)
  const ca = new X509Certificate(s.caPem)
  expect(
    peer.checkIssued(ca) && peer.verify(ca.publicKey),
    `certificate of ${s.server} (issuer ${peer.issuer}) signed by the cluster CA (${ca.subject})`,
  ).to.equal(true)
  const host = new URL(s.server).hostname
  const matches = /^[\d.]+$/.test(host) ? peer.checkIP(host) : peer.checkHost(host)
  expect(matches, `the certificate names ${host}`).to.equal(host)
})

When(['I call the API without a client certificate', 'كلمت الـ API من غير client certificate'], async function (this: OckWorld) {
  const s = await this.cluster()
  record(this, await callApi(s.server, '/api/v1/namespaces', { caPem: s.caPem }))
})

When(['I call the API with a client certificate from another CA', 'كلمت الـ API بـ client certificate من CA تانية'], async function (this: OckWorld) {
  const s = await this.cluster()
  const cert = await foreignClientCertificate('kubernetes-admin', ['system:masters'])
  record(this, await callApi(s.server, '/api/v1/namespaces', { caPem: s.caPem, certPem: cert.certPem, keyPem: cert.keyPem }))
})

When(['I call the API over plain HTTP', 'كلمت الـ API بـ plain HTTP'], async function (this: OckWorld) {
  const s = await this.cluster()
  record(this, await callApi(s.server.replace(/^https:/, 'http:'), '/api/v1/namespaces', {}))
})

Then(
  ['the server answers {int} in plain text: {string}', 'الـ server رد بـ {int} في plain text: {string}'],
  function (this: OckWorld, code: number, text: string) {
    const e = this.takeError()
    expect(e.reason, `a plain-text answer, not a Status (${e.code} ${e.reason}: ${e.message})`).to.equal('')
    expect({ code: e.code, text: e.message.trim() }).to.deep.equal({ code, text })
  },
)
