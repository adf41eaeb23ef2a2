import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../../api/errors.js'
import { createCertificateAuthority } from '../../pki/pki.js'
import { MemoryStore } from '../../store/memory.js'
import { eventually } from '../../testing/eventually.js'
import { ApiServer } from '../server.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'
import type { AuditEvent } from './auditevent.js'
import { AuditWebhookConfigError } from './auditwebhook.js'
import { startTestReceiver, type TestReceiver } from './auditwebhook.testing.js'

const configmaps = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }

/** A few requests of every outcome: created, read, listed, refused by RBAC, not found. */
async function someRequests(api: TestApiServer, n: number): Promise<void> {
  const alice = await api.clientFor({ commonName: 'alice', organizations: ['dev'] })
  for (let i = 0; i < n; i++) {
    await api.admin.create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { i: String(i) } })
    await api.admin.get({ ...configmaps, name: `c${i}` })
  }
  await api.admin.list(configmaps)
  await assert.rejects(alice.get({ ...configmaps, name: 'c0' }), (e: unknown) => e instanceof ApiError && e.code === 403)
  await assert.rejects(api.admin.get({ ...configmaps, name: 'nope' }), (e: unknown) => e instanceof ApiError && e.code === 404)
}

const byId = (a: AuditEvent, b: AuditEvent): number => `${a.auditID}${a.stage}`.localeCompare(`${b.auditID}${b.stage}`)

describe('audit backends: the log and the webhook', () => {
  let receiver: TestReceiver
  before(async () => {
    receiver = await startTestReceiver()
  })
  after(() => receiver.stop())

  it('sends the webhook the same events the log gets, in EventLists of at most the max batch size', async () => {
    const log = join(receiver.dir, 'audit.log')
    const api = await startTestApiServer({ audit: { path: log, webhook: { configFile: receiver.configFile, maxBatchSize: 4, maxBatchWaitMs: 20 } } })
    const posted = receiver.posts.length
    try {
      await someRequests(api, 3)
      // 3 creates + 3 gets + a list + 2 refusals, each RequestReceived and ResponseComplete
      await eventually('18 events at the receiver', () => receiver.events().length === 18, 5_000, 10)
    } finally {
      await api.stop()
    }
    const logged = readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent)
    assert.equal(logged.length, 18)
    assert.deepEqual([...receiver.events()].sort(byId), [...logged].sort(byId))
    const posts = receiver.posts.slice(posted)
    assert.ok(
      posts.every((p) => p.body.kind === 'EventList' && p.body.apiVersion === 'audit.k8s.io/v1' && p.body.items!.length <= 4),
      JSON.stringify(posts.map((p) => [p.body.kind, p.body.items?.length])),
    )
    assert.ok(posts.length < 18, `the 18 events came in ${posts.length} batches`)
    const refused = receiver.events().find((e) => e.user.username === 'alice' && e.stage === 'ResponseComplete')
    assert.equal(refused?.responseStatus?.code, 403)
    assert.equal(refused?.annotations?.['authorization.k8s.io/decision'], 'forbid')
  })

  it('sends events with the webhook alone (no log path)', async () => {
    const api = await startTestApiServer({ audit: { webhook: { configFile: receiver.configFile, maxBatchWaitMs: 10 } } })
    const before = receiver.events().length
    try {
      await api.admin.list(configmaps)
      await eventually('the list on record', () => receiver.events().length - before === 2, 5_000, 10)
    } finally {
      await api.stop()
    }
    assert.deepEqual(
      receiver
        .events()
        .slice(before)
        .map((e) => [e.stage, e.verb]),
      [
        ['RequestReceived', 'list'],
        ['ResponseComplete', 'list'],
      ],
    )
  })

  it('still records the end of a watch the stopping server cuts, in the log and at the webhook', async () => {
    const log = join(receiver.dir, 'watch.log')
    const api = await startTestApiServer({ audit: { path: log, webhook: { configFile: receiver.configFile, maxBatchWaitMs: 60_000 } } })
    const watch = api.admin.watch(
      configmaps,
      { watch: 1 },
      () => undefined,
      () => undefined,
    )
    const watchEvents = (events: AuditEvent[]): string[] => events.filter((e) => e.verb === 'watch').map((e) => e.stage)
    const logged = (): AuditEvent[] =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent)
    try {
      await eventually('the watch started', () => watchEvents(logged()).includes('ResponseStarted'), 5_000, 10)
    } finally {
      await api.stop()
      watch.stop()
    }
    assert.deepEqual(watchEvents(logged()), ['RequestReceived', 'ResponseStarted', 'ResponseComplete'])
    const ids = new Set(logged().map((e) => e.auditID))
    assert.deepEqual(watchEvents(receiver.events().filter((e) => ids.has(e.auditID))), ['RequestReceived', 'ResponseStarted', 'ResponseComplete'])
  })

  // [the receiver's state, what it does to a POST]
  const unavailable: [string, (r: TestReceiver) => Promise<string>][] = [
    [
      'is down',
      async (r) => {
        const down = await startTestReceiver()
        await down.close()
        const file = r.writeConfig('down.yaml', {}, down.url)
        await down.stop()
        return file
      },
    ],
    [
      'never answers',
      async (r) => {
        r.answer = 0
        return r.configFile
      },
    ],
    [
      'answers 500',
      async (r) => {
        r.answer = 500
        return r.configFile
      },
    ],
  ]
  for (const [what, arrange] of unavailable) {
    it(`answers every request while the webhook ${what}; the events are retried, then dropped with a log line`, async () => {
      const lines: string[] = []
      const configFile = await arrange(receiver)
      const posted = receiver.posts.length
      const api = await startTestApiServer({
        audit: { webhook: { configFile, maxBatchSize: 2, maxBatchWaitMs: 10, initialBackoffMs: 5, requestTimeoutMs: 100, log: (l) => lines.push(l) } },
      })
      const dropped = (): number => lines.reduce((n, l) => n + Number(/affecting (\d+) audit events/.exec(l)?.[1] ?? 0), 0)
      try {
        // a request that waited for its events (a POST, 5 ms of back-off and more) would show here
        const took: number[] = []
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now()
          await api.admin.list(configmaps)
          took.push(performance.now() - t0)
        }
        assert.ok(Math.max(...took) < 2_000, `request times: ${took.map((t) => t.toFixed(0)).join(', ')} ms`)
        // 20 events, each batch tried 5 times, then dropped
        await eventually('20 events dropped', () => dropped() === 20, 10_000, 20)
      } finally {
        await api.stop()
        receiver.answer = 200
      }
      assert.equal(dropped(), 20)
      assert.ok(
        lines.every((l) => /^Error in audit plugin 'webhook' affecting [12] audit events: /.test(l)),
        lines.join('\n'),
      )
      // every batch reached a receiver that was up 5 times
      if (what !== 'is down') assert.equal(receiver.posts.length - posted, lines.length * 5)
      if (what === 'never answers') assert.match(lines[0]!, /Client\.Timeout 100 ms exceeded/)
    })
  }

  // [what is wrong, the config file's content, the error]
  const bad: [string, string | undefined, RegExp][] = [
    ['a config file that is missing', undefined, /^initializing audit webhook: open .*: no such file or directory$/],
    [
      'a config file without a server',
      'clusters:\n- name: a\n  cluster: {}\n',
      /^initializing audit webhook: invalid configuration: no server found for cluster "a"$/,
    ],
  ]
  for (const [what, content, error] of bad) {
    it(`does not start with ${what}: a clear error, before it listens`, async () => {
      const file = join(receiver.dir, `bad-${what.replace(/\W+/g, '-')}.yaml`)
      if (content !== undefined) writeFileSync(file, content)
      const ca = await createCertificateAuthority()
      const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
      assert.throws(
        () => new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving, audit: { webhook: { configFile: file } } }),
        (e: unknown) => e instanceof AuditWebhookConfigError && error.test(e.message),
      )
    })
  }

  it('refuses a webhook mode that is not built, and batch options upstream refuses', async () => {
    const ca = await createCertificateAuthority()
    const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
    const start = (webhook: object) => () =>
      new ApiServer({ store: new MemoryStore(), caPem: ca.certPem, serving, audit: { webhook: { configFile: receiver.configFile, ...webhook } } })
    assert.throws(start({ mode: 'blocking' }), /--audit-webhook-mode "blocking" is not built in OCK: use batch/)
    assert.throws(start({ maxBatchSize: 0 }), /invalid audit webhook batch max size 0, must be a positive number/)
  })
})
