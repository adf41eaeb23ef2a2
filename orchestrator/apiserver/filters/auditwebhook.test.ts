import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { createCertificateAuthority } from '../../pki/pki.js'
import { eventually } from '../../testing/eventually.js'
import { AuditWebhookConfigError, loadAuditWebhookConfig, RETRY_BACKOFF, WebhookBackend } from './auditwebhook.js'
import { fakeEvent, startTestReceiver, type TestReceiver } from './auditwebhook.testing.js'

describe('audit webhook config file (--audit-webhook-config-file)', () => {
  let dir: string
  let caPem: string
  let other: { certPem: string; keyPem: string }
  let client: { certPem: string; keyPem: string }
  const b64 = (s: string): string => Buffer.from(s).toString('base64')
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ock-auditwebhook-config-'))
    const ca = await createCertificateAuthority('receiver-ca')
    caPem = ca.certPem
    client = await ca.issue({ commonName: 'kube-apiserver', usage: 'client' })
    other = await ca.issue({ commonName: 'someone-else', usage: 'client' })
    writeFileSync(join(dir, 'ca.crt'), caPem)
    writeFileSync(join(dir, 'token'), 'secret-token\n')
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const kubeconfig = (cluster: object, user: object = {}, extra: object = {}): object => ({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'audit', cluster }],
    users: [{ name: 'kube-apiserver', user }],
    contexts: [{ name: 'webhook', context: { cluster: 'audit', user: 'kube-apiserver' } }],
    'current-context': 'webhook',
    ...extra,
  })
  const server = 'https://127.0.0.1:9443/audit'

  // [what, file content (a YAML string or an object to write as YAML; undefined: no file), expected error]
  const refused: [string, () => string | object | undefined, RegExp][] = [
    ['a missing file', () => undefined, /^initializing audit webhook: open .*missing\.yaml: no such file or directory$/],
    ['a file that is not YAML', () => 'clusters: [\n', /^initializing audit webhook: error loading config file ".*": /],
    ['a YAML list', () => '- a\n- b\n', /not a kubeconfig/],
    [
      'a current-context that is not there',
      () => kubeconfig({ server }, {}, { 'current-context': 'nope' }),
      /context was not found for specified context: nope$/,
    ],
    ['no cluster at all', () => ({ apiVersion: 'v1', kind: 'Config' }), /invalid configuration: no configuration has been provided/],
    ['a cluster without a server', () => kubeconfig({ 'certificate-authority-data': b64(caPem) }), /no server found for cluster "audit"$/],
    ['a server that is not a URL', () => kubeconfig({ server: 'audit.example' }), /server "audit\.example" of cluster "audit" is not a URL$/],
    ['a server that is not http(s)', () => kubeconfig({ server: 'ftp://127.0.0.1/audit' }), /must be an https:\/\/ \(or http:\/\/\) URL$/],
    [
      'a CA file that is not there',
      () => kubeconfig({ server, 'certificate-authority': 'nope/ca.crt' }),
      /unable to read certificate-authority .*nope\/ca\.crt for audit due to open .*: no such file or directory$/,
    ],
    [
      'CA data that is not a certificate',
      () => kubeconfig({ server, 'certificate-authority-data': b64('hello') }),
      /certificate-authority of cluster "audit" is not a PEM/,
    ],
    [
      'a client certificate without its key',
      () => kubeconfig({ server }, { 'client-certificate-data': b64(client.certPem) }),
      /client-key-data or client-key must be specified for kube-apiserver to use the clientCert authentication method$/,
    ],
    [
      'a client key without its certificate',
      () => kubeconfig({ server }, { 'client-key-data': b64(client.keyPem) }),
      /client-cert-data or client-cert must be specified for kube-apiserver/,
    ],
    [
      'a client certificate and a key that do not match',
      () => kubeconfig({ server }, { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(other.keyPem) }),
      /the client certificate and key of user "kube-apiserver" cannot be used/,
    ],
    [
      'a token file that is not there',
      () => kubeconfig({ server }, { tokenFile: 'no-token' }),
      /unable to read tokenFile .*no-token for kube-apiserver due to open/,
    ],
  ]
  for (const [what, content, error] of refused) {
    it(`refuses ${what}, with kube-apiserver's wording`, () => {
      const file = join(dir, content() === undefined ? 'missing.yaml' : `${what.replace(/\W+/g, '-')}.yaml`)
      const c = content()
      if (c !== undefined) writeFileSync(file, typeof c === 'string' ? c : stringify(c))
      assert.throws(
        () => loadAuditWebhookConfig(file),
        (e: unknown) => e instanceof AuditWebhookConfigError && error.test(e.message),
      )
    })
  }

  // [what, content, the fields read]
  const accepted: [string, () => object, (c: ReturnType<typeof loadAuditWebhookConfig>) => void][] = [
    [
      'a CA and a token file named relative to the config file',
      () => kubeconfig({ server, 'certificate-authority': 'ca.crt' }, { tokenFile: 'token' }),
      (c) => {
        assert.equal(c.url.href, server)
        assert.equal(c.caPem, caPem)
        assert.equal(c.token, 'secret-token')
      },
    ],
    [
      'embedded client credentials',
      () =>
        kubeconfig(
          { server, 'certificate-authority-data': b64(caPem) },
          { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(client.keyPem) },
        ),
      (c) => {
        assert.equal(c.certPem, client.certPem)
        assert.equal(c.keyPem, client.keyPem)
        assert.equal(c.token, undefined)
      },
    ],
    [
      'no current-context: the first cluster and user',
      () => ({ clusters: [{ name: 'a', cluster: { server: 'http://127.0.0.1:8080/' } }], users: [{ name: 'u', user: { token: 't' } }] }),
      (c) => {
        assert.equal(c.url.href, 'http://127.0.0.1:8080/')
        assert.equal(c.token, 't')
        assert.equal(c.caPem, undefined)
      },
    ],
    ['insecure-skip-tls-verify', () => kubeconfig({ server, 'insecure-skip-tls-verify': true }), (c) => assert.equal(c.insecureSkipTLSVerify, true)],
  ]
  for (const [what, content, check] of accepted) {
    it(`reads ${what}`, () => {
      const file = join(dir, `ok-${what.replace(/\W+/g, '-')}.yaml`)
      writeFileSync(file, stringify(content()))
      check(loadAuditWebhookConfig(file))
    })
  }
})

describe('audit webhook sender', () => {
  let receiver: TestReceiver
  before(async () => {
    receiver = await startTestReceiver()
  })
  after(() => receiver.stop())

  // [credentials in the config file, what the receiver sees]
  const auth: [string, (r: TestReceiver) => Record<string, string>, (post: TestReceiver['posts'][number]) => void][] = [
    ['no credentials', () => ({}), (p) => (assert.equal(p.headers.authorization, undefined), assert.equal(p.clientCN, undefined))],
    ['a bearer token', () => ({ token: 'audit-token' }), (p) => assert.equal(p.headers.authorization, 'Bearer audit-token')],
    [
      'a client certificate',
      (r) => ({
        'client-certificate-data': Buffer.from(r.client.certPem).toString('base64'),
        'client-key-data': Buffer.from(r.client.keyPem).toString('base64'),
      }),
      (p) => assert.equal(p.clientCN, 'kube-apiserver-audit'),
    ],
  ]
  for (const [what, user, check] of auth) {
    it(`POSTs the batch as one audit.k8s.io/v1 EventList to the server's path, with ${what}`, async () => {
      const sender = new WebhookBackend(loadAuditWebhookConfig(receiver.writeConfig(`${what.replace(/\W+/g, '-')}.yaml`, user(receiver))))
      const before = receiver.posts.length
      try {
        assert.equal(await sender.processEvents([fakeEvent(1), fakeEvent(2)]), true)
      } finally {
        sender.close()
      }
      const post = receiver.posts[before]!
      assert.equal(post.path, '/audit')
      assert.equal(post.headers['content-type'], 'application/json')
      assert.deepEqual(post.body, { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [fakeEvent(1), fakeEvent(2)] })
      check(post)
    })
  }

  // [how the receiver fails, answer code]
  const failures: [string, number, RegExp][] = [
    ['answers 500', 500, /the audit webhook answered 500 Internal Server Error: receiver told to fail/],
    ['answers 400 (every error is retried, as upstream retryOnError)', 400, /answered 400/],
  ]
  for (const [what, code, error] of failures) {
    it(`retries a batch ${RETRY_BACKOFF.steps} times with back-off when the receiver ${what}, then drops it with a log line`, async () => {
      const lines: string[] = []
      const sender = new WebhookBackend(loadAuditWebhookConfig(receiver.configFile), { initialBackoffMs: 2, log: (l) => lines.push(l) })
      receiver.answer = code
      const before = receiver.posts.length
      try {
        assert.equal(await sender.processEvents([fakeEvent(1), fakeEvent(2)]), false)
      } finally {
        receiver.answer = 200
        sender.close()
      }
      assert.equal(receiver.posts.length - before, RETRY_BACKOFF.steps)
      assert.equal(lines.length, 1)
      assert.match(lines[0]!, /^Error in audit plugin 'webhook' affecting 2 audit events: /)
      assert.match(lines[0]!, error)
      assert.match(
        lines[0]!,
        /Impacted events:\n.* AUDIT: id="id-1" stage="ResponseComplete" .*user="alice" groups="dev".*uri="\/api\/v1\/namespaces\/default\/configmaps\/c1" response="200"/,
      )
    })
  }

  it('delivers a batch once the receiver recovers within the retries', async () => {
    const sender = new WebhookBackend(loadAuditWebhookConfig(receiver.configFile), { initialBackoffMs: 30, log: () => undefined })
    receiver.answer = 503
    const before = receiver.posts.length
    const sent = sender.processEvents([fakeEvent(7)])
    await eventually('two failed attempts', () => receiver.posts.length - before >= 2, 5_000, 5)
    receiver.answer = 200
    try {
      assert.equal(await sent, true)
    } finally {
      sender.close()
    }
    assert.ok(receiver.events().some((e) => e.auditID === 'id-7'))
  })

  it('gives up on a receiver that never answers after the request timeout, and on one that is down', async () => {
    const down = await startTestReceiver()
    await down.close()
    const lines: string[] = []
    const hangs = new WebhookBackend(loadAuditWebhookConfig(receiver.configFile), { initialBackoffMs: 1, requestTimeoutMs: 50, log: (l) => lines.push(l) })
    const refused = new WebhookBackend(loadAuditWebhookConfig(down.configFile), { initialBackoffMs: 1, log: (l) => lines.push(l) })
    receiver.answer = 0
    try {
      assert.deepEqual(await Promise.all([hangs.processEvents([fakeEvent(1)]), refused.processEvents([fakeEvent(2)])]), [false, false])
    } finally {
      receiver.answer = 200
      hangs.close()
      refused.close()
      await down.stop()
    }
    assert.equal(lines.length, 2)
    const [timedOut, downLine] = [lines.find((l) => l.includes('id="id-1"')), lines.find((l) => l.includes('id="id-2"'))]
    assert.match(timedOut ?? '', /affecting 1 audit events: .*Client\.Timeout 50 ms exceeded/)
    assert.match(downLine ?? '', /affecting 1 audit events: Post "https:\/\/127\.0\.0\.1:\d+\/audit": connect ECONNREFUSED/)
  })

  it('stops retrying when the API server shuts down, and says so', async () => {
    const lines: string[] = []
    const sender = new WebhookBackend(loadAuditWebhookConfig(receiver.configFile), { initialBackoffMs: 60_000, log: (l) => lines.push(l) })
    receiver.answer = 500
    const abort = new AbortController()
    const before = receiver.posts.length
    const sent = sender.processEvents([fakeEvent(3)], abort.signal)
    await eventually('the first attempt', () => receiver.posts.length > before, 5_000, 5)
    abort.abort()
    try {
      assert.equal(await sent, false)
    } finally {
      receiver.answer = 200
      sender.close()
    }
    // the abort comes once the receiver has the POST: the sender has its 500 by then, or the abort
    // ends the request that is still waiting for it; either way it is not sent again
    assert.match(lines[0]!, /(answered 500|The operation was aborted).*; not retried: the API server is shutting down/)
    assert.equal(receiver.posts.length, before + 1, 'one attempt, no retry')
  })
})
