// Bearer tokens (`Authorization: Bearer <token>`), tried against each token authenticator in
// turn (static token file, service account tokens), as upstream's bearertoken + union token
// authenticators. A token that none of them accepts is a 401: a client that presents bad
// credentials is never treated as anonymous. Every authenticated user gets the
// `system:authenticated` group (upstream's group adder).

import type { IncomingMessage } from 'node:http'
import { unauthorized } from '../../api/errors.js'
import type { Authenticator, UserInfo } from '../auth.js'

/**
 * Contract: return the user the token proves, or undefined when the token is not one of this
 * authenticator's (or is invalid / expired). Never throws for a bad token.
 */
export interface TokenAuthenticator {
  readonly name: string
  authenticateToken(token: string): Promise<UserInfo | undefined> | UserInfo | undefined
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  if (!h) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h)
  return m ? m[1] : undefined
}

export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] }
}

export class BearerTokenAuthenticator implements Authenticator {
  readonly name: string

  constructor(private readonly tokens: TokenAuthenticator[]) {
    this.name = `bearer(${tokens.map((t) => t.name).join(',')})`
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const token = bearerToken(req)
    if (token === undefined) {
      if (req.headers.authorization) throw unauthorized()
      return undefined
    }
    for (const t of this.tokens) {
      const user = await t.authenticateToken(token)
      if (user) return withAuthenticatedGroup({ ...user, authenticator: t.name })
    }
    throw unauthorized()
  }
}
