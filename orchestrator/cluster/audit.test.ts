import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AuditEvent } from '../apiserver/filters/auditevent.js'
import { AuditWebhookConfigError } from '../apiserver/filters/auditwebhook.js'
import { startTestReceiver, type TestReceiver } from '../apiserver/filters/auditwebhook.testing.js'
import { ApiClient } from '../client/client.js'
import { Identities } from '../pki/pki.js'
import { eventually } from '../testing/eventually.js'
import { Cluster } from './cluster.js'

describe("a cluster's audit backends (the topology's audit: log path and webhook)", () => {
  let receiver: TestReceiver
  before(async () => {
    receiver = await startTestReceiver()
  })
  after(() => receiver.stop())

  it('does not start with a webhook config file it cannot use, and says why before anything runs', async () => {
    await assert.rejects(
      Cluster.start({ nodes: 0, audit: { webhook: { configFile: join(receiver.dir, 'missing.yaml') } } }),
      (e: unknown) => e instanceof AuditWebhookConfigError && /^initializing audit webhook: open .*missing\.yaml: no such file or directory$/.test(e.message),
    )
  })

  it("sends every master's events to the webhook, the same events each master logs", async () => {
    const path = join(receiver.dir, 'audit.log')
    const cluster = await Cluster.start({
      nodes: 0,
      masters: 2,
      proxy: false,
      metricsServer: false,
      audit: { path, webhook: { configFile: receiver.configFile, maxBatchWaitMs: 20 } },
    })
    const creds = await cluster.ca.issue({ ...Identities.admin, usage: 'client' })
    const clients = cluster.masters.map(
      (m, i) =>
        new ApiClient({ server: m.apiServerUrl, caPem: cluster.ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: `audit-test-${i}` }),
    )
    const logs = cluster.describe().masters.map((m) => m.auditLog!)
    const read = (file: string): AuditEvent[] =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent)
    try {
      for (const c of clients) await c.request('GET', '/api/v1/namespaces/default')
      const mine = (events: AuditEvent[]): AuditEvent[] => events.filter((e) => e.userAgent?.startsWith('audit-test-'))
      await eventually("both masters' requests at the receiver", () => mine(receiver.events()).length === 4, 10_000, 20)
      const logged = logs.flatMap((f) => mine(read(f)))
      const key = (e: AuditEvent): string => `${e.auditID} ${e.stage}`
      assert.deepEqual(mine(receiver.events()).map(key).sort(), logged.map(key).sort())
      assert.deepEqual(
        logs.map((f) => mine(read(f)).map((e) => e.userAgent)),
        [
          ['audit-test-0', 'audit-test-0'],
          ['audit-test-1', 'audit-test-1'],
        ],
      )
    } finally {
      for (const c of clients) c.close()
      await cluster.stop()
    }
  })
})
