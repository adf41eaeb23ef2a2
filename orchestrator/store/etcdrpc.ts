// The wire to etcd: which gRPC service a call goes to, the channel options that reconnect to a
// member that comes back within a second, how an etcd or gRPC error is classified for retries
// (never applied: retry anywhere; outcome unknown; final), and the key and key-value encodings
// (prefix range ends, IKeyValue to KeyValue). Mirrors clientv3's retry rules (retry.go:
// isSafeRetryImmutableRPC / isSafeRetryMutableRPC), its rpctypes errors and
// GetPrefixRangeEnd; simplified: errors are recognised by code and message, as the etcd3 npm
// client surfaces them, not by typed status details.

import * as grpc from '@grpc/grpc-js'
import { castGrpcError, ClientClosedError } from 'etcd3'
import type { IKeyValue, Services } from 'etcd3'
import type { KeyValue } from './store.js'

export type ServiceName = keyof typeof Services

/** How a failed attempt may be retried. */
type Failure =
  /** The request never reached a server that could apply it: safe to retry anywhere. */
  | 'not-applied'
  /** It may or may not have been applied (connection dropped, timed out on the server). */
  | 'ambiguous'
  /** A definite answer that retrying will not change. */
  | 'final'

export interface Classified {
  kind: Failure
  timeout: boolean
  message: string
  err: Error
}

const NOT_APPLIED = [
  /etcdserver: no leader/,
  /etcdserver: not capable/,
  /etcdserver: too many requests/,
  /ECONNREFUSED/,
  /No connection established/i,
  /failed to connect/i,
  /Connection refused/i,
  /Name resolution failed/i,
  // grpc-js: the deadline passed while the call still waited for a connection (a member that is
  // down or restarting): it was never sent, so a write is known not to be applied
  /Waiting for LB pick/,
]
const AMBIGUOUS_TIMEOUT = [/etcdserver: request timed out/, /DEADLINE_EXCEEDED/, /Deadline exceeded/i]

export function classify(e: unknown): Classified {
  const err = e instanceof Error ? castGrpcError(e) : new Error(String(e))
  const message = err.message.replace(/^\w+Error: /, '').replace(/^\d+ [A-Z_]+: /, '')
  if (err instanceof ClientClosedError) return { kind: 'final', timeout: false, message: 'store is closed', err }
  if (NOT_APPLIED.some((r) => r.test(err.message))) return { kind: 'not-applied', timeout: false, message, err }
  if (AMBIGUOUS_TIMEOUT.some((r) => r.test(err.message)) || (err as { code?: number }).code === grpc.status.DEADLINE_EXCEEDED) {
    return { kind: 'ambiguous', timeout: true, message, err }
  }
  const code = (err as { code?: number }).code
  if (code === grpc.status.UNAVAILABLE || /UNAVAILABLE|leader changed|ECONNRESET|Connection dropped|stream ended|CANCELLED/i.test(err.message)) {
    return { kind: 'ambiguous', timeout: false, message, err }
  }
  return { kind: 'final', timeout: false, message, err }
}

export const enc = (s: string): Buffer => Buffer.from(s, 'utf8')

/** The smallest key greater than every key with this prefix (clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'utf8')
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1))
      end[i]! += 1
      return end
    }
  }
  return Buffer.from([0])
}

export function toKv(kv: IKeyValue): KeyValue {
  return Object.freeze({
    key: kv.key.toString('utf8'),
    value: kv.value ? kv.value.toString('utf8') : '',
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  })
}

/** A unary call on one gRPC service of one endpoint. */
export type Unary = (payload: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: Error | null, res: unknown) => void) => void

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // A member that comes back must be reconnected within a second, not after grpc's 2-minute back-off.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.keepalive_time_ms': 5000,
  'grpc.keepalive_timeout_ms': 2000,
}
