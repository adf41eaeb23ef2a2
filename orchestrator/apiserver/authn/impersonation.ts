// Impersonation: a caller allowed to `impersonate` users, groups, service accounts, uids or user
// extras may act as someone else by sending Impersonate-User, Impersonate-Group,
// Impersonate-Uid and Impersonate-Extra-<key> headers (what `kubectl --as alice --as-group dev`
// sends); every impersonated attribute is authorized first, then the request carries the
// impersonated identity through authorization, admission and the trace. Mirrors
// k8s.io/apiserver/pkg/endpoints/filters/impersonation.go.
// Differs: a group or extra without a user is a 400 BadRequest (upstream answers 500).

import type { IncomingMessage } from 'node:http'
import { badRequest } from '../../api/errors.js'
import type { AuthorizationAttributes, UserInfo } from '../auth.js'
import { unescapePath } from '../filters/requesttarget.js'

/**
 * The key of an Impersonate-Extra-<key> header: %-decoded as url.PathUnescape does, or kept as
 * sent when it does not decode (upstream's unescapeExtraKey: "always record extra strings, even
 * if malformed/unencoded").
 */
export function unescapeExtraKey(encoded: string): string {
  try {
    return unescapePath(encoded)
  } catch {
    return encoded
  }
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name.toLowerCase()]
  if (v === undefined) return []
  return (Array.isArray(v) ? v : [v])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean)
}

/** True when the request asks to impersonate anyone. */
export function wantsImpersonation(req: IncomingMessage): boolean {
  return Object.keys(req.headers).some((h) => h.startsWith('impersonate-'))
}

/**
 * Returns the impersonated user, after `authorize` (which throws the 403) accepted each
 * impersonated attribute for the real user.
 */
export async function impersonate(req: IncomingMessage, real: UserInfo, authorize: (a: AuthorizationAttributes) => Promise<void>): Promise<UserInfo> {
  const userName = headerValues(req, 'Impersonate-User')[0]
  const groups = headerValues(req, 'Impersonate-Group')
  const uid = headerValues(req, 'Impersonate-Uid')[0]
  const extra: Record<string, string[]> = {}
  for (const h of Object.keys(req.headers)) {
    if (h.startsWith('impersonate-extra-')) extra[unescapeExtraKey(h.slice('impersonate-extra-'.length))] = headerValues(req, h)
  }
  if (!userName)
    throw badRequest(
      `requested impersonation of ${[...groups.map((g) => `group ${g}`), ...Object.keys(extra).map((k) => `extra ${k}`), ...(uid ? [`uid ${uid}`] : [])].join(', ') || 'nothing'} without impersonating a user`,
    )
  const base = { user: real, isResourceRequest: true, path: '', apiVersion: '', subresource: '', verb: 'impersonate' }
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(userName)
  if (sa) await authorize({ ...base, apiGroup: '', resource: 'serviceaccounts', namespace: sa[1]!, name: sa[2]! })
  else await authorize({ ...base, apiGroup: '', resource: 'users', namespace: '', name: userName })
  for (const g of groups) await authorize({ ...base, apiGroup: '', resource: 'groups', namespace: '', name: g })
  if (uid) await authorize({ ...base, apiGroup: 'authentication.k8s.io', resource: 'uids', namespace: '', name: uid })
  for (const [k, values] of Object.entries(extra)) {
    for (const v of values) await authorize({ ...base, apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: k, namespace: '', name: v })
  }
  const all = [...groups]
  if (sa) all.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`)
  if (userName === 'system:anonymous') {
    if (!all.includes('system:unauthenticated')) all.push('system:unauthenticated')
  } else if (!all.includes('system:authenticated')) all.push('system:authenticated')
  const user: UserInfo = { name: userName, groups: all, authenticator: `impersonation by ${real.name}` }
  if (uid) user.uid = uid
  if (Object.keys(extra).length) user.extra = extra
  return user
}
