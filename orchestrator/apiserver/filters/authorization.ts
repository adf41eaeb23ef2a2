// The authorization filter (k8s.io/apiserver's WithAuthorization) and the union authorizer it
// asks: the authorizers in order (system:masters, the Node authorizer, RBAC, as kubeadm's
// --authorization-mode=Node,RBAC); the first that allows or denies decides, and a request
// nobody allows is 403 with upstream's wording (forbidden.ts). The decision and its reason are
// audit annotations (authorization.k8s.io/decision, /reason) and in the trace.
// Simplifies: no webhook authorizer.

import { ANONYMOUS, type AuthorizationAttributes, type Authorizer, type UserInfo } from '../auth.js'
import type { Trace } from '../trace.js'
import type { AuditRecord } from './audit.js'
import { forbiddenMessage } from './forbidden.js'
import type { RequestInfo } from './requestinfo.js'

export interface UnionDecision {
  decision: 'allow' | 'deny' | 'noOpinion'
  /** The authorizer that decided. */
  by?: string
  reason?: string
  /** Every authorizer's reason, in order (a 403 quotes them). */
  reasons: string[]
}

export class UnionAuthorizer {
  constructor(
    readonly authorizers: readonly Authorizer[],
    private readonly trace: Trace,
  ) {}

  /** The union authorizer: the first decisive answer wins. */
  async decide(attrs: AuthorizationAttributes): Promise<UnionDecision> {
    const reasons: string[] = []
    for (const a of this.authorizers) {
      const { decision, reason } = await a.authorize(attrs)
      if (reason) reasons.push(reason)
      if (decision === 'allow') return { decision, by: a.name, reason, reasons }
      if (decision === 'deny') return { decision, by: a.name, reason, reasons }
    }
    return { decision: 'noOpinion', reasons }
  }

  /** The filter: a request no authorizer allows is 403, worded as upstream; public paths pass. */
  async authorize(user: UserInfo, info: RequestInfo, requestId: string, audit: AuditRecord): Promise<void> {
    if (user === ANONYMOUS) return // public paths only
    const attrs: AuthorizationAttributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    }
    const { decision, by, reason, reasons } = await this.decide(attrs)
    if (decision === 'allow') {
      this.trace.record({
        kind: 'phase',
        requestId,
        user: user.name,
        phase: 'authorization',
        outcome: 'allowed',
        message: reason || undefined,
        attrs: { authorizer: by! },
      })
      audit.annotate('authorization.k8s.io/decision', 'allow')
      audit.annotate('authorization.k8s.io/reason', reason ?? '')
      return
    }
    const err = forbiddenMessage(attrs, decision === 'deny' ? reasons : [])
    this.trace.record({ kind: 'phase', requestId, user: user.name, phase: 'authorization', outcome: 'denied', message: err.message })
    audit.annotate('authorization.k8s.io/decision', 'forbid')
    audit.annotate('authorization.k8s.io/reason', reasons.filter(Boolean).join(', '))
    throw err
  }
}
