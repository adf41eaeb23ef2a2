// Static bearer tokens from a CSV file, as kube-apiserver's --token-auth-file: one line per
// token, `token,user,uid,"group1,group2"` (groups optional, quoted when there are several).
// Mirrors k8s.io/apiserver/pkg/authentication/token/tokenfile (column rules and messages).
// Simplifies: the file is read once when the cluster starts (upstream does the same).

import { timingSafeEqual } from 'node:crypto'
import type { UserInfo } from '../auth.js'
import type { TokenAuthenticator } from './bearer.js'

export interface StaticToken {
  token: string
  user: string
  uid: string
  groups: string[]
}

/** Splits one CSV record: commas separate, double quotes group (`""` is a quote). */
function csvRecord(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
      while (line[i + 1] === ' ') i++ // TrimLeadingSpace
    } else cur += ch
  }
  if (quoted) throw new Error('extraneous or missing " in quoted-field')
  out.push(cur)
  return out
}

/** Parses a token file; throws with the line number for malformed lines. */
export function parseTokenFile(text: string, path = 'token file'): StaticToken[] {
  const tokens: StaticToken[] = []
  const seen = new Set<string>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    let record: string[]
    try {
      record = csvRecord(line)
    } catch (e) {
      throw new Error(`token file '${path}' line ${i + 1}: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (record.length < 3) throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`)
    const [token, user, uid] = record as [string, string, string]
    if (!token) throw new Error(`token file '${path}' line ${i + 1}: the token is empty`)
    if (seen.has(token)) throw new Error(`token file '${path}' line ${i + 1}: duplicate token`)
    seen.add(token)
    const groups =
      record.length >= 4 && record[3]
        ? record[3]
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean)
        : []
    tokens.push({ token, user, uid, groups })
  })
  return tokens
}

export class TokenFileAuthenticator implements TokenAuthenticator {
  readonly name = 'token-file'
  private readonly tokens: StaticToken[]

  constructor(tokens: StaticToken[]) {
    this.tokens = tokens
  }

  authenticateToken(token: string): UserInfo | undefined {
    const presented = Buffer.from(token)
    for (const t of this.tokens) {
      const known = Buffer.from(t.token)
      if (known.length === presented.length && timingSafeEqual(known, presented)) {
        return { name: t.user, uid: t.uid || undefined, groups: [...t.groups] }
      }
    }
    return undefined
  }
}
