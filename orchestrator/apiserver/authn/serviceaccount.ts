// ServiceAccount tokens: signed JWTs the API server issues through the TokenRequest subresource
// (`POST .../serviceaccounts/<name>/token`, what `kubectl create token` calls) and verifies on
// every request that presents one. Claims as upstream's bound tokens (iss, sub
// `system:serviceaccount:<ns>:<name>`, aud, exp, iat, nbf, jti, and the `kubernetes.io` claim
// naming namespace, service account and the bound pod); the user is
// `system:serviceaccount:<ns>:<name>` in groups system:serviceaccounts and
// system:serviceaccounts:<ns>. A token is only good while its service account (and bound pod)
// still exists with the same uid. Mirrors pkg/serviceaccount (jwt.go, claims.go) and
// pkg/registry/core/serviceaccount/storage/token.go.
// Simplifies: one ES256 signing key per cluster (upstream typically RS256 from sa.key); no
// legacy secret-based tokens; no OIDC discovery documents.

import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import type { KObject } from '../../api/meta.js'
import type { UserInfo } from '../auth.js'
import type { TokenAuthenticator } from './bearer.js'

type CryptoKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local'
/** TokenRequest defaults and bounds (upstream: 1h default, at least 10 minutes, at most 2^32 s). */
export const DEFAULT_EXPIRATION_SECONDS = 3600
export const MIN_EXPIRATION_SECONDS = 600
export const MAX_EXPIRATION_SECONDS = 2 ** 32

/** Where the verifier checks that a token's service account (and bound pod) still exist. */
export interface ServiceAccountLookup {
  get(group: string, resource: string, namespace: string, name: string): Promise<KObject | undefined>
}

export interface KubernetesClaim {
  namespace: string
  serviceaccount: { name: string; uid: string }
  pod?: { name: string; uid: string }
}

export interface IssueRequest {
  namespace: string
  name: string
  uid: string
  audiences: string[]
  expirationSeconds: number
  pod?: { name: string; uid: string }
}

export class ServiceAccountTokens implements TokenAuthenticator {
  readonly name = 'service-account'
  private lookup?: ServiceAccountLookup

  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly keyId: string,
    readonly issuer: string,
    /** Audiences the API server accepts (upstream --api-audiences, defaulting to the issuer). */
    readonly apiAudiences: string[],
    /** The signing key, PKCS#8 PEM (upstream's sa.key), so a restarted server can keep verifying. */
    readonly keyPem: string,
  ) {}

  static async create(opts: { issuer?: string; apiAudiences?: string[]; keyPem?: string } = {}): Promise<ServiceAccountTokens> {
    let privateKey: CryptoKey
    let publicKey: CryptoKey
    if (opts.keyPem) {
      privateKey = await importPKCS8(opts.keyPem, 'ES256', { extractable: true })
      const jwk = await exportJWK(privateKey)
      delete jwk.d
      publicKey = (await importJWK(jwk, 'ES256')) as CryptoKey
    } else {
      ;({ privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true }))
    }
    const keyId = await calculateJwkThumbprint(await exportJWK(publicKey))
    const issuer = opts.issuer ?? DEFAULT_ISSUER
    return new ServiceAccountTokens(privateKey, publicKey, keyId, issuer, opts.apiAudiences ?? [issuer], await exportPKCS8(privateKey))
  }

  /** Service accounts and pods are read through the API server's storage once it exists. */
  useLookup(lookup: ServiceAccountLookup): void {
    this.lookup = lookup
  }

  async issue(r: IssueRequest): Promise<{ token: string; expirationTimestamp: string }> {
    const now = Math.floor(Date.now() / 1000)
    const exp = now + r.expirationSeconds
    const claim: KubernetesClaim = { namespace: r.namespace, serviceaccount: { name: r.name, uid: r.uid } }
    if (r.pod) claim.pod = r.pod
    const token = await new SignJWT({ 'kubernetes.io': claim })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${r.namespace}:${r.name}`)
      .setAudience(r.audiences)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey)
    return { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') }
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    if (token.split('.').length !== 3) return undefined
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, this.publicKey, { issuer: this.issuer, algorithms: ['ES256'] }))
    } catch {
      return undefined
    }
    const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? [])
    if (!aud.some((a) => this.apiAudiences.includes(a))) return undefined
    const k = payload['kubernetes.io'] as KubernetesClaim | undefined
    if (!k?.namespace || !k.serviceaccount?.name || payload.sub !== `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`) return undefined
    if (!this.lookup) return undefined
    const sa = await this.lookup.get('', 'serviceaccounts', k.namespace, k.serviceaccount.name)
    if (!sa || sa.metadata?.uid !== k.serviceaccount.uid || sa.metadata?.deletionTimestamp) return undefined
    const extra: Record<string, string[]> = {}
    if (payload.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`]
    if (k.pod) {
      const pod = await this.lookup.get('', 'pods', k.namespace, k.pod.name)
      if (!pod || pod.metadata?.uid !== k.pod.uid || pod.metadata?.deletionTimestamp) return undefined
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name]
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid]
    }
    return {
      name: payload.sub,
      uid: k.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`],
      extra,
    }
  }
}
