import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto'
import { createCertificateAuthority, identityOf, Identities, reusingIssuance, verifiedBy, type IssueRequest } from './pki.js'

describe('cluster PKI', () => {
  it('makes a self-signed CA certificate marked as a CA', async () => {
    const ca = await createCertificateAuthority()
    const cert = new X509Certificate(ca.certPem)
    assert.equal(cert.ca, true)
    assert.match(cert.subject, /CN=kubernetes/)
    assert.equal(cert.subject, cert.issuer)
    assert.ok(cert.verify(cert.publicKey))
  })

  it('issues a serving certificate for the API server with its SANs, signed by the CA', async () => {
    const ca = await createCertificateAuthority()
    const server = await ca.issue({ commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' })
    const cert = new X509Certificate(server.certPem)
    assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)))
    assert.equal(cert.checkHost('localhost'), 'localhost')
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1')
    assert.equal(cert.ca, false)
    assert.ok(cert.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth extended key usage')
    // the private key belongs to the certificate
    const pub = createPublicKey(createPrivateKey(server.keyPem)).export({ type: 'spki', format: 'pem' })
    assert.equal(pub, cert.publicKey.export({ type: 'spki', format: 'pem' }))
  })

  it('puts the user in CN and the groups in O of a client certificate', async () => {
    const ca = await createCertificateAuthority()
    const kubelet = await ca.issue({ ...Identities.kubelet('node-1'), usage: 'client' })
    assert.deepEqual(identityOf(kubelet.certPem), { user: 'system:node:node-1', groups: ['system:nodes'] })
    const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
    assert.deepEqual(identityOf(admin.certPem), { user: 'kubernetes-admin', groups: ['system:masters'] })
    const cert = new X509Certificate(admin.certPem)
    assert.ok(cert.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth extended key usage')
  })

  it('keeps special characters of a name inside one field', async () => {
    const ca = await createCertificateAuthority()
    const odd = await ca.issue({ commonName: 'a,b=c', organizations: ['x+y'], usage: 'client' })
    assert.deepEqual(identityOf(odd.certPem), { user: 'a,b=c', groups: ['x+y'] })
  })

  it('tells certificates of its own CA from those of another CA', async () => {
    const ca = await createCertificateAuthority()
    const other = await createCertificateAuthority('someone-else')
    const mine = await ca.issue({ commonName: 'alice', usage: 'client' })
    const theirs = await other.issue({ commonName: 'alice', usage: 'client' })
    assert.equal(verifiedBy(mine.certPem, ca.certPem), true)
    assert.equal(verifiedBy(theirs.certPem, ca.certPem), false)
  })
})

describe('a CA that reuses what it issued (reusingIssuance)', () => {
  const base: IssueRequest = { commonName: 'system:node:node-1', organizations: ['system:nodes'], usage: 'client' }
  const cases: [string, IssueRequest, boolean][] = [
    ['the same request', { ...base }, true],
    ['other groups', { ...base, organizations: ['system:masters'] }, false],
    ['another name', { ...base, commonName: 'system:node:node-2' }, false],
    ['another usage', { ...base, usage: 'server+client' }, false],
    ['other SANs', { ...base, ipAddresses: ['127.0.0.2'] }, false],
  ]
  for (const [what, req, same] of cases)
    it(`${what}: ${same ? 'the certificate issued before' : 'a new certificate'}, signed by the same CA`, async () => {
      const inner = await createCertificateAuthority()
      let issued = 0
      const ca = reusingIssuance({ ...inner, issue: (r) => (issued++, inner.issue(r)) })
      const first = await ca.issue(base)
      const second = await ca.issue(req)
      assert.equal(first === second, same)
      assert.equal(issued, same ? 1 : 2)
      assert.ok(verifiedBy(second.certPem, ca.certPem))
    })
})
