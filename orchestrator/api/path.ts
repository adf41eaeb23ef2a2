// Names that can be a path segment (of a REST URL or a storage key), as
// k8s.io/apimachinery/pkg/api/validation/path: "." and ".." are not names, and a name may not
// contain "/" or "%". The API server refuses a request that addresses such a name before it
// reaches storage (upstream's NamespaceKeyFunc / NoNamespaceKeyFunc in
// k8s.io/apiserver/pkg/registry/generic/registry/store.go).

import { badRequest, type ApiError } from './errors.js'

const NAME_MAY_NOT_BE = ['.', '..']
const NAME_MAY_NOT_CONTAIN = ['/', '%']

/** IsValidPathSegmentName: the reasons `name` cannot be a path segment (none when it can). */
export function isValidPathSegmentName(name: string): string[] {
  for (const illegal of NAME_MAY_NOT_BE) if (name === illegal) return [`may not be '${illegal}'`]
  return NAME_MAY_NOT_CONTAIN.filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`)
}

/** Go's %q of a string, for messages that quote a name (ASCII printable as is, the rest escaped). */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (cp === 0x0a) out += '\\n'
    else if (cp === 0x09) out += '\\t'
    else if (cp === 0x0d) out += '\\r'
    else if (cp === 0xfffd) out += '\\ufffd'
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${out}"`
}

/**
 * The key functions' check of a name taken from the request path: 400 BadRequest
 * `Name parameter invalid: "..": may not be '..'`, or undefined when the name is fine.
 */
export function invalidNameParameter(name: string): ApiError | undefined {
  const msgs = isValidPathSegmentName(name)
  if (!msgs.length) return undefined
  return badRequest(`Name parameter invalid: ${goQuote(name)}: ${msgs.join(';')}`)
}

/**
 * The namespace segment's check. Upstream passes it on to storage, whose key check refuses "."
 * and ".." with a 500 (`invalid key: "/pods/../"`, storage.PrepareKey) while any other
 * namespace that cannot exist just lists nothing; a 500 is a bug here, so "." and ".." are a
 * 400 worded like the name check.
 */
export function invalidNamespaceParameter(namespace: string): ApiError | undefined {
  if (!NAME_MAY_NOT_BE.includes(namespace)) return undefined
  return badRequest(`Namespace parameter invalid: ${goQuote(namespace)}: may not be '${namespace}'`)
}
