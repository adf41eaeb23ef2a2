// The TokenRequest subresource (`POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`):
// issues a signed, time-bound token for a service account, optionally bound to a pod, and
// answers with the TokenRequest whose status carries the token and its expiry. This is what
// `kubectl create token <sa>` calls. Mirrors pkg/registry/core/serviceaccount/storage/token.go
// (defaults, bounds and messages).
// Simplifies: only Pod bound objects (no Secret or Node binding); no audience per-request limits.

import { badRequest, invalid, methodNotAllowed, notFound, type FieldError } from '../../api/errors.js'
import { nowTimestamp, type KObject } from '../../api/meta.js'
import { DEFAULT_EXPIRATION_SECONDS, MAX_EXPIRATION_SECONDS, MIN_EXPIRATION_SECONDS } from '../authn/serviceaccount.js'
import type { SubresourceHandler } from './subresource.js'
import { validateSchema } from '../registry/validation.js'

interface TokenRequest extends KObject {
  spec?: {
    audiences?: string[] | null
    expirationSeconds?: number | null
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null
  }
}

export const serviceAccountToken: SubresourceHandler = async (r) => {
  if (r.method !== 'POST') throw methodNotAllowed()
  if (!r.tokens) throw badRequest('this API server does not issue service account tokens')
  const body = (await r.body()) as TokenRequest
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request is not a TokenRequest object')
  await validateSchema(
    'authentication.k8s.io',
    'v1',
    'TokenRequest',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', ...body, spec: body.spec ?? {} },
    r.name,
  )
  const sa = await r.registry.get('', 'serviceaccounts', r.namespace, r.name)
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, r.name)

  const spec = body.spec ?? {}
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS
  const audiences = spec.audiences?.length ? spec.audiences : r.tokens.apiAudiences
  const errors: FieldError[] = []
  if (expirationSeconds < MIN_EXPIRATION_SECONDS)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.expirationSeconds',
      value: expirationSeconds,
      detail: 'may not specify a duration less than 10 minutes',
    })
  if (expirationSeconds > MAX_EXPIRATION_SECONDS)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.expirationSeconds',
      value: expirationSeconds,
      detail: 'may not specify a duration larger than 2^32 seconds',
    })
  const bound = spec.boundObjectRef ?? undefined
  if (bound && bound.kind !== 'Pod')
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', value: bound.kind ?? '', supported: ['Pod'] })
  if (errors.length) throw invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, '', errors)

  let pod: { name: string; uid: string } | undefined
  if (bound) {
    const p = await r.registry.get('', 'pods', r.namespace, bound.name ?? '')
    if (!p) throw notFound({ group: '', resource: 'pods' }, bound.name ?? '')
    if (bound.uid && bound.uid !== p.metadata?.uid)
      throw badRequest(
        `the UID in the bound object reference (${bound.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      )
    pod = { name: p.metadata!.name!, uid: p.metadata!.uid! }
  }
  const { token, expirationTimestamp } = await r.tokens.issue({
    namespace: r.namespace,
    name: r.name,
    uid: sa.metadata!.uid!,
    audiences,
    expirationSeconds,
    pod,
  })
  const response: TokenRequest = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: r.name, namespace: r.namespace, creationTimestamp: nowTimestamp() },
    spec: { audiences, expirationSeconds, boundObjectRef: pod ? { kind: 'Pod', apiVersion: 'v1', name: pod.name, uid: pod.uid } : null },
    status: { token, expirationTimestamp },
  }
  return { code: 201, body: response }
}
