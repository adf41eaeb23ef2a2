// The request target (the path and query of the request line, or HTTP/2's :path) as Go's
// net/http parses it for kube-apiserver: url.ParseRequestURI, with the path percent-decoded as a
// whole and never normalised. Dot segments stay (`/pods/%2e%2e` names an object called ".."),
// repeated slashes stay, and an undecodable escape is a malformed request (Go's HTTP server
// answers "400 Bad Request" in plain text before any handler runs).
// Mirrors net/url parse(rawURL, viaRequest=true) and unescape(s, encodePath): `*`, an absolute
// path, or an absolute URI (its path is used); control characters and "%" not followed by two
// hex digits are refused. The WHATWG URL parser (`new URL`) is not used: it normalises `..` and
// `%2e%2e` and throws on inputs Go accepts (`//`, `//:x`).
// Simplifies: the authority of an absolute URI is checked only for an empty or bracketed host
// and a numeric port.

/** A parsed request target. `path` is decoded (bytes read as UTF-8); `rawPath` is as sent. */
export interface RequestTarget {
  /** The path as sent (percent-escapes kept), without the query. */
  rawPath: string
  /** The percent-decoded path: what routing and RequestInfo split on "/". */
  path: string
  /** `?` and the raw query, or '' (as URL.search). */
  search: string
  /** The query's parameters (lenient, as Go's Query() which drops what it cannot decode). */
  query: URLSearchParams
}

/** A request target Go's HTTP server refuses: the answer is a plain-text 400 before any handler. */
export class MalformedRequestTarget extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedRequestTarget'
  }
}

const HEX = /^[0-9a-fA-F]{2}$/

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/

/** Go's url.unescape(s, encodePath): every `%` must start a two-hex-digit escape; the bytes are read as UTF-8. */
export function unescapePath(s: string): string {
  if (!s.includes('%')) return s
  const bytes: number[] = []
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i)
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3)
      if (!HEX.test(hex)) throw new MalformedRequestTarget(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`)
      bytes.push(parseInt(hex, 16))
      i += 3
      continue
    }
    // the request target arrives as latin1 (bytes) from the HTTP/1 parser, or as UTF-8 text
    // (HTTP/2); keep each code point's UTF-8 bytes
    const cp = s.codePointAt(i)!
    for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b)
    i += cp > 0xffff ? 2 : 1
  }
  return Buffer.from(bytes).toString('utf8')
}

/** url.ParseRequestURI semantics for what a request line (or :path) carries. */
export function parseRequestTarget(raw: string): RequestTarget {
  if (raw === '') throw new MalformedRequestTarget('empty url')
  if (CONTROL.test(raw)) throw new MalformedRequestTarget('net/url: invalid control character in URL')
  if (raw === '*') return { rawPath: '*', path: '*', search: '', query: new URLSearchParams() }
  let rest = raw
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest)
  if (rest.startsWith(':')) throw new MalformedRequestTarget('missing protocol scheme')
  const q = rest.indexOf('?')
  const rawQuery = q >= 0 ? rest.slice(q + 1) : ''
  rest = q >= 0 ? rest.slice(0, q) : rest
  if (scheme) {
    rest = rest.slice(scheme[0].length)
    if (rest.startsWith('//')) {
      const authorityEnd = rest.indexOf('/', 2)
      const authority = authorityEnd >= 0 ? rest.slice(2, authorityEnd) : rest.slice(2)
      checkAuthority(authority)
      rest = authorityEnd >= 0 ? rest.slice(authorityEnd) : ''
    }
    // an absolute URI with no path (`http://host`) asks for ""; Go's server serves it as "/"
    if (rest === '') rest = '/'
  }
  if (!rest.startsWith('/')) throw new MalformedRequestTarget('invalid URI for request')
  return { rawPath: rest, path: unescapePath(rest), search: q >= 0 ? `?${rawQuery}` : '', query: lenientQuery(rawQuery) }
}

function checkAuthority(authority: string): void {
  const at = authority.lastIndexOf('@')
  const hostport = at >= 0 ? authority.slice(at + 1) : authority
  const port = hostport.startsWith('[')
    ? hostport.slice(hostport.indexOf(']') + 1)
    : hostport.slice(hostport.lastIndexOf(':') >= 0 ? hostport.lastIndexOf(':') : hostport.length)
  if (port && !/^:\d*$/.test(port)) throw new MalformedRequestTarget(`invalid port ${JSON.stringify(port)} after host`)
  unescapePath(hostport)
}

/**
 * Go's url.ParseQuery as Request.URL.Query() uses it: `&`-separated pairs, `+` is a space,
 * and a pair whose escapes do not decode is dropped (Query() ignores the error).
 */
export function lenientQuery(raw: string): URLSearchParams {
  const out = new URLSearchParams()
  if (!raw) return out
  for (const pair of raw.split('&')) {
    if (!pair || pair.includes(';')) continue
    const eq = pair.indexOf('=')
    const [k, v] = eq >= 0 ? [pair.slice(0, eq), pair.slice(eq + 1)] : [pair, '']
    try {
      out.append(unescapePath(k.replace(/\+/g, ' ')), unescapePath(v.replace(/\+/g, ' ')))
    } catch {
      // dropped, as Go drops it
    }
  }
  return out
}

/** Go's server answer for a request it cannot parse: plain text, and the connection closes. */
export const BAD_REQUEST_TEXT = '400 Bad Request'
