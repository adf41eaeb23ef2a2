// The impersonation filter (k8s.io/apiserver's WithImpersonation): a request with
// Impersonate-User / -Group / -Uid / -Extra headers acts as that user once the real caller is
// authorized to `impersonate` each of them (authn/impersonation.ts reads the headers and asks);
// the audit event records both. A refusal is 403, in the trace.

import type { IncomingMessage } from 'node:http'
import type { UserInfo } from '../auth.js'
import { impersonate } from '../authn/impersonation.js'
import type { Trace } from '../trace.js'
import type { AuditRecord } from './audit.js'
import type { UnionAuthorizer } from './authorization.js'
import { forbiddenMessage } from './forbidden.js'

export async function impersonationFilter(
  req: IncomingMessage,
  real: UserInfo,
  requestId: string,
  audit: AuditRecord,
  trace: Trace,
  decide: UnionAuthorizer['decide'],
): Promise<UserInfo> {
  try {
    const user = await impersonate(req, real, async (attrs) => {
      const { decision, reasons } = await decide(attrs)
      if (decision !== 'allow') throw forbiddenMessage(attrs, reasons)
    })
    trace.record({ kind: 'phase', requestId, user: user.name, groups: user.groups, phase: 'impersonation', outcome: 'allowed', attrs: { by: real.name } })
    audit.impersonating(user)
    return user
  } catch (e) {
    trace.record({ kind: 'phase', requestId, user: real.name, phase: 'impersonation', outcome: 'denied', message: e instanceof Error ? e.message : String(e) })
    throw e
  }
}
