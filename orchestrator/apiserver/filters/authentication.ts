// The authentication filter (k8s.io/apiserver's WithAuthentication): the authenticators are
// asked in order (x509 client certificates, then bearer tokens); the first that knows the
// caller names it. A request none of them knows is 401, except on the public paths
// (/healthz, /livez, /readyz, /version), which anyone may read as system:anonymous, as
// upstream's system:public-info-viewer allows. Every verdict is in the trace.
// Simplifies: no anonymous access beyond those paths, no authentication webhook.

import type { IncomingMessage } from 'node:http'
import { ApiError, unauthorized } from '../../api/errors.js'
import { ANONYMOUS, type Authenticator, type UserInfo } from '../auth.js'
import type { Trace } from '../trace.js'

/** Paths any caller may read without credentials (upstream's system:public-info-viewer). */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version'])

export async function authenticate(
  authenticators: readonly Authenticator[],
  trace: Trace,
  req: IncomingMessage,
  requestId: string,
  path: string,
): Promise<UserInfo> {
  for (const a of authenticators) {
    let user: UserInfo | undefined
    try {
      user = await a.authenticate(req)
    } catch (e) {
      trace.record({
        kind: 'phase',
        requestId,
        phase: 'authentication',
        outcome: 'denied',
        message: e instanceof Error ? e.message : String(e),
        attrs: { authenticator: a.name },
      })
      throw e instanceof ApiError ? e : unauthorized()
    }
    if (user) {
      const by = user.authenticator ?? a.name
      trace.record({
        kind: 'phase',
        requestId,
        user: user.name,
        groups: user.groups,
        phase: 'authentication',
        outcome: 'allowed',
        attrs: { authenticator: by },
      })
      return { ...user, authenticator: by }
    }
  }
  if (PUBLIC_PATHS.has(path)) {
    trace.record({ kind: 'phase', requestId, user: ANONYMOUS.name, phase: 'authentication', outcome: 'allowed', attrs: { authenticator: 'anonymous' } })
    return ANONYMOUS
  }
  trace.record({ kind: 'phase', requestId, user: ANONYMOUS.name, phase: 'authentication', outcome: 'denied', message: 'no valid credentials' })
  throw unauthorized()
}
