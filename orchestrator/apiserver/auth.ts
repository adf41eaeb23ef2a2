// Authentication and authorization seams of the API server. An Authenticator turns a request
// into a user (or says nothing); the first one that answers wins, as upstream's union
// authenticator. An Authorizer says allow / deny / no opinion; the first decisive answer wins,
// as upstream's union authorizer. This file holds the contracts and the x509 client-certificate
// authenticator; bearer tokens and impersonation live in authn/, RBAC and the Node authorizer
// in authz/.

import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'

export interface UserInfo {
  name: string
  groups: string[]
  uid?: string
  extra?: Record<string, string[]>
  /** Which authenticator proved the identity (x509, token-file, service-account), for traces. */
  authenticator?: string
}

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] }

/**
 * Contract: return the user the request proves to be, or undefined when this authenticator
 * does not apply (no credentials of its kind). Throw ApiError(401) when credentials of its kind
 * are present but invalid; the request then fails without trying other authenticators.
 */
export interface Authenticator {
  readonly name: string
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined> | UserInfo | undefined
}

/** What a request wants to do, as upstream's authorizer.Attributes. */
export interface AuthorizationAttributes {
  user: UserInfo
  verb: string
  isResourceRequest: boolean
  path: string
  apiGroup: string
  apiVersion: string
  resource: string
  subresource: string
  namespace: string
  name: string
}

export type Decision = 'allow' | 'deny' | 'noOpinion'

/** Contract: decide from the attributes alone; never throws for a denial (return 'deny' with a reason). */
export interface Authorizer {
  readonly name: string
  authorize(a: AuthorizationAttributes): Promise<{ decision: Decision; reason?: string }> | { decision: Decision; reason?: string }
}

/**
 * x509: a verified client certificate of the cluster CA names the user (CN) and groups (O).
 * The certificate of a TLS connection cannot change, so the answer is kept per connection
 * (decoding the peer certificate on every request of a keep-alive connection is costly).
 */
export class X509Authenticator implements Authenticator {
  readonly name = 'x509'
  private readonly perConnection = new WeakMap<object, UserInfo | null>()

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket as TLSSocket
    if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined
    // HTTP/2 requests reach the TLS socket through a per-request proxy: key on the session
    const connection: object = (req as { stream?: { session?: object } }).stream?.session ?? socket
    const known = this.perConnection.get(connection)
    if (known !== undefined) return known ?? undefined
    const user = userOfCertificate(socket.getPeerCertificate())
    this.perConnection.set(connection, user ?? null)
    return user
  }
}

function userOfCertificate(cert: ReturnType<TLSSocket['getPeerCertificate']> | undefined): UserInfo | undefined {
  if (!cert || !cert.subject) return undefined
  const cn = cert.subject.CN
  const o = cert.subject.O
  const user = Array.isArray(cn) ? cn[0] : cn
  if (!user) return undefined
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o]
  // shared by every request of the connection, so nobody may change it
  return Object.freeze({ name: user, groups: Object.freeze([...groups, 'system:authenticated']) as string[] })
}

/** Allows every authenticated request; the default until RBAC is configured. */
export class AlwaysAllowAuthorizer implements Authorizer {
  readonly name = 'AlwaysAllow'
  authorize(): { decision: Decision } {
    return { decision: 'allow' }
  }
}
