// The contract between the REST handler and a subresource's handler (upstream's per-subresource
// REST storages: BindingREST, EvictionREST, LogREST, ExecREST, ScaleREST, TokenREST...). Which
// handler serves which subresource is the table in subresources.ts.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResourceInfo } from '../../api/resources.js'
import type { ServiceAccountTokens } from '../authn/serviceaccount.js'
import type { Registry } from '../registry/store.js'
import type { RequestContext } from '../registry/strategy.js'
import type { KubeletClient } from './kubeletclient.js'

/** Everything a subresource handler may use; it writes only through the registry. */
export interface SubresourceRequest {
  req: IncomingMessage
  res: ServerResponse
  ctx: RequestContext
  registry: Registry
  info: ResourceInfo
  namespace: string
  name: string
  method: string
  query: URLSearchParams
  /** The decoded request body (JSON or YAML), read on first call. */
  body(): Promise<unknown>
  /** The service account token issuer, for serviceaccounts/token. */
  tokens?: ServiceAccountTokens
  /** How this API server reaches kubelets (pods/log, pods/exec), when it was given credentials. */
  kubelet?: KubeletClient
}

/**
 * Contract: resolve with { code, body } to answer with JSON, or with undefined after writing
 * the response itself (streams such as logs). Reject with ApiError for a Status answer.
 */
export type SubresourceHandler = (r: SubresourceRequest) => Promise<{ code: number; body: unknown } | undefined>
