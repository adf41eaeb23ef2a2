import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { parse as parseYaml } from 'yaml'
import { readAuditLog, type AuditEvent } from './audit.js'
import { AuditWebhookReceiver, type AuditWebhookReceiverOptions } from './auditwebhook.js'

function event(id: string, stage: string, at: string): AuditEvent {
  return {
    auditID: id,
    stage,
    verb: 'create',
    requestURI: '/api/v1/namespaces/default/configmaps',
    user: { username: 'kubernetes-admin' },
    objectRef: { resource: 'configmaps', namespace: 'default', name: id },
    responseStatus: stage === 'ResponseComplete' ? { code: 201 } : undefined,
    requestReceivedTimestamp: `2026-12-07T01:00:00.${at}000Z`,
    stageTimestamp: `2026-12-07T01:00:00.${at}000Z`,
  }
}

const eventList = (items: AuditEvent[]): object => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items })

/** POSTs as an API server would, with what the written config file says (read as a Kubernetes client reads a kubeconfig). */
async function post(configFile: string, body: string | object, change: { path?: string; method?: string; credentials?: boolean } = {}): Promise<number> {
  const kc = new KubeConfig()
  kc.loadFromFile(configFile)
  const url = new URL(kc.getCurrentCluster()!.server)
  const opts: https.RequestOptions = { method: change.method ?? 'POST', headers: { 'Content-Type': 'application/json' } }
  await kc.applyToHTTPSOptions(opts)
  if (change.credentials === false) {
    delete (opts.headers as Record<string, string>).Authorization
    delete (opts.headers as Record<string, string>).authorization
    delete opts.cert
    delete opts.key
  }
  return new Promise((resolve, reject) => {
    const req = https.request({ ...opts, host: url.hostname, port: url.port, path: change.path ?? url.pathname, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(typeof body === 'string' ? body : JSON.stringify(body))
  })
}

describe("the kit's audit webhook receiver", () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ock-auditwebhook-support-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  // [how the API server authenticates, the user entry the config file must carry]
  const modes: [AuditWebhookReceiverOptions['clientAuth'], string[]][] = [
    ['token', ['token']],
    ['certificate', ['client-certificate-data', 'client-key-data']],
    ['none', []],
  ]
  for (const [clientAuth, userKeys] of modes) {
    it(`writes a webhook config file (clientAuth ${clientAuth}) a Kubernetes client can use, answers 200, and reads like an audit log file`, async () => {
      const receiver = await AuditWebhookReceiver.start({ clientAuth })
      try {
        const kc = new KubeConfig()
        kc.loadFromFile(receiver.configFile)
        assert.equal(kc.getCurrentCluster()?.server, receiver.url)
        assert.match(receiver.url, /^https:\/\/127\.0\.0\.1:\d+\/audit$/)
        const written = parseYaml(readFileSync(receiver.configFile, 'utf8')) as { users: { user: Record<string, string> }[] }
        assert.deepEqual(Object.keys(written.users[0]!.user).sort(), userKeys)
        const first = [event('a', 'RequestReceived', '001'), event('a', 'ResponseComplete', '002')]
        const second = [event('b', 'RequestReceived', '003'), event('b', 'ResponseComplete', '004')]
        assert.equal(await post(receiver.configFile, eventList(first)), 200)
        assert.equal(await post(receiver.configFile, eventList(second)), 200)
        const file = join(dir, `audit-${clientAuth}.log`)
        writeFileSync(file, [...first, ...second].map((e) => `${JSON.stringify(e)}\n`).join(''))
        assert.deepEqual(await readAuditLog(receiver), await readAuditLog(file))
        assert.deepEqual(
          receiver.batches.map((b) => b.events.length),
          [2, 2],
        )
      } finally {
        await receiver.stop()
      }
      assert.equal(existsSync(receiver.configFile), false, 'stop() removes the dir it made')
    })
  }

  it('orders events as they were made when batches arrive out of order', async () => {
    const receiver = await AuditWebhookReceiver.start({ dir })
    try {
      await post(receiver.configFile, eventList([event('b', 'RequestReceived', '003'), event('b', 'ResponseComplete', '004')]))
      await post(receiver.configFile, eventList([event('a', 'RequestReceived', '001'), event('a', 'ResponseComplete', '002')]))
      assert.deepEqual(
        (await readAuditLog(receiver)).map((e) => `${e.auditID} ${e.stage}`),
        ['a RequestReceived', 'a ResponseComplete', 'b RequestReceived', 'b ResponseComplete'],
      )
    } finally {
      await receiver.stop()
    }
    assert.equal(existsSync(join(dir, 'audit-webhook.kubeconfig')), true, 'a dir it was given stays')
  })

  // [what is wrong, the request, the answer]
  const refusals: [string, (f: string) => Promise<number>, number][] = [
    ['another path', (f) => post(f, eventList([]), { path: '/other' }), 404],
    ['another method', (f) => post(f, '', { method: 'PUT' }), 405],
    ['no token', (f) => post(f, eventList([]), { credentials: false }), 401],
    ['a body that is not JSON', (f) => post(f, '{'), 400],
    ['something else than an EventList', (f) => post(f, { kind: 'Event', apiVersion: 'audit.k8s.io/v1' }), 400],
    ['another audit version', (f) => post(f, { kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [] }), 400],
  ]
  for (const [what, send, code] of refusals) {
    it(`refuses ${what} with ${code} (the API server retries, then reports it)`, async () => {
      const receiver = await AuditWebhookReceiver.start()
      try {
        assert.equal(await send(receiver.configFile), code)
        assert.equal(receiver.refused[0]?.code, code)
        assert.deepEqual(await readAuditLog(receiver), [])
      } finally {
        await receiver.stop()
      }
    })
  }

  it('refuses a sender without the client certificate at the TLS handshake (clientAuth certificate)', async () => {
    const receiver = await AuditWebhookReceiver.start({ clientAuth: 'certificate' })
    try {
      await assert.rejects(post(receiver.configFile, eventList([]), { credentials: false }))
      assert.deepEqual(receiver.batches, [])
    } finally {
      await receiver.stop()
    }
  })
})
