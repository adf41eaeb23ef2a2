import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { AuditFlagError, auditOptionsFromFlags, type AuditFlags } from './auditflags.js'

describe("kube-apiserver's audit flags", () => {
  // [flags, the options they ask for]
  const read: [AuditFlags, ReturnType<typeof auditOptionsFromFlags>][] = [
    [{}, undefined],
    [{ 'audit-log-path': 'a.log' }, { path: resolve('a.log') }],
    [
      { 'audit-webhook-config-file': 'w.yaml' },
      {
        path: undefined,
        webhook: {
          configFile: resolve('w.yaml'),
          mode: undefined,
          bufferSize: undefined,
          maxBatchSize: undefined,
          maxBatchWaitMs: undefined,
          initialBackoffMs: undefined,
        },
      },
    ],
    [
      {
        'audit-log-path': '/var/log/audit.log',
        'audit-webhook-config-file': '/etc/w.yaml',
        'audit-webhook-mode': 'batch',
        'audit-webhook-batch-buffer-size': '100',
        'audit-webhook-batch-max-size': '10',
        'audit-webhook-batch-max-wait': '1m30s',
        'audit-webhook-initial-backoff': '500ms',
      },
      {
        path: '/var/log/audit.log',
        webhook: { configFile: '/etc/w.yaml', mode: 'batch', bufferSize: 100, maxBatchSize: 10, maxBatchWaitMs: 90_000, initialBackoffMs: 500 },
      },
    ],
  ]
  for (const [flags, options] of read) {
    it(`reads ${JSON.stringify(flags)}`, () => assert.deepEqual(auditOptionsFromFlags(flags), options))
  }

  // [flags, the error]
  const refused: [AuditFlags, RegExp][] = [
    [{ 'audit-webhook-batch-max-size': '3' }, /^--audit-webhook-batch-max-size needs --audit-webhook-config-file$/],
    [{ 'audit-webhook-config-file': 'w', 'audit-webhook-batch-max-size': 'x' }, /^--audit-webhook-batch-max-size must be a whole number, not "x"$/],
    [{ 'audit-webhook-config-file': 'w', 'audit-webhook-batch-max-wait': '5' }, /^--audit-webhook-batch-max-wait: time: missing unit in duration "5"/],
    [{ 'audit-webhook-config-file': 'w', 'audit-webhook-initial-backoff': 'soon' }, /^--audit-webhook-initial-backoff: time: invalid duration "soon"/],
  ]
  for (const [flags, error] of refused) {
    it(`refuses ${JSON.stringify(flags)}`, () =>
      assert.throws(
        () => auditOptionsFromFlags(flags),
        (e: unknown) => e instanceof AuditFlagError && error.test(e.message),
      ))
  }
})
