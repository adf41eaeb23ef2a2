// kube-apiserver's audit flags, read into the API server's AuditOptions: --audit-log-path and the
// webhook's --audit-webhook-config-file, --audit-webhook-mode, --audit-webhook-batch-buffer-size,
// --audit-webhook-batch-max-size, --audit-webhook-batch-max-wait, --audit-webhook-initial-backoff
// (`ock up` takes them). Mirrors k8s.io/apiserver/pkg/server/options/audit.go: counts are whole
// numbers, waits Go durations ("30s", "500ms"); what the values mean is checked when the API
// server is made (validateAuditOptions).
// Simplifies: no policy file, log rotation, log batching, truncation or version flags; a webhook
// flag without the config file is refused (upstream ignores it).

import { resolve } from 'node:path'
import { parseGoDuration } from '../handlers/queryparams.js'
import type { AuditOptions } from './audit.js'

/** The flags' names, without the leading dashes. */
export const AUDIT_FLAGS = [
  'audit-log-path',
  'audit-webhook-config-file',
  'audit-webhook-mode',
  'audit-webhook-batch-buffer-size',
  'audit-webhook-batch-max-size',
  'audit-webhook-batch-max-wait',
  'audit-webhook-initial-backoff',
] as const

export type AuditFlags = Partial<Record<(typeof AUDIT_FLAGS)[number], string>>

/** A flag value that cannot be read; the message names the flag. */
export class AuditFlagError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuditFlagError'
  }
}

/** The audit options the flags ask for (undefined: no audit backend); paths resolved against the working directory. */
export function auditOptionsFromFlags(flags: AuditFlags): AuditOptions | undefined {
  const path = flags['audit-log-path']
  const configFile = flags['audit-webhook-config-file']
  const orphan = AUDIT_FLAGS.find((f) => f.startsWith('audit-webhook-') && f !== 'audit-webhook-config-file' && flags[f] !== undefined)
  if (!configFile && orphan) throw new AuditFlagError(`--${orphan} needs --audit-webhook-config-file`)
  if (!configFile) return path ? { path: resolve(path) } : undefined
  const count = (name: (typeof AUDIT_FLAGS)[number]): number | undefined => {
    const v = flags[name]
    if (v === undefined) return undefined
    if (!/^\d+$/.test(v)) throw new AuditFlagError(`--${name} must be a whole number, not "${v}"`)
    return Number(v)
  }
  const duration = (name: (typeof AUDIT_FLAGS)[number]): number | undefined => {
    const v = flags[name]
    if (v === undefined) return undefined
    try {
      return parseGoDuration(v)
    } catch (e) {
      throw new AuditFlagError(`--${name}: ${(e as Error).message} (e.g. 30s, 500ms, 1m)`)
    }
  }
  return {
    path: path ? resolve(path) : undefined,
    webhook: {
      configFile: resolve(configFile),
      mode: flags['audit-webhook-mode'] as 'batch' | undefined,
      bufferSize: count('audit-webhook-batch-buffer-size'),
      maxBatchSize: count('audit-webhook-batch-max-size'),
      maxBatchWaitMs: duration('audit-webhook-batch-max-wait'),
      initialBackoffMs: duration('audit-webhook-initial-backoff'),
    },
  }
}
