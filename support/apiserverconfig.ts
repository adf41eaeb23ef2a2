// Whether a shared cluster's API servers run with the admission configuration or the static
// tokens a scenario states. The built-in target starts a cluster with them; another target runs
// the scenario only when the files its target configuration names (kube-apiserver's
// --admission-control-config-file and --token-auth-file, `apiServer` in support/targets/config.ts)
// say the same: the same admission plugins with the same configuration, and every stated token
// for the same user, uid and groups. Otherwise the scenario is skipped with what differs.

import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'

/** An AdmissionConfiguration's plugins: name -> its configuration (or `path`), as written. */
function plugins(text: string, what: string): Map<string, unknown> {
  let doc: unknown
  try {
    doc = parse(text)
  } catch (e) {
    throw new Error(`${what} is not valid YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  const list = (doc as { plugins?: unknown } | null)?.plugins
  if (!Array.isArray(list)) throw new Error(`${what} is not an AdmissionConfiguration with a list of plugins`)
  return new Map(
    list.map((p: { name?: unknown; configuration?: unknown; path?: unknown }) => [
      String(p.name),
      p.configuration ?? (p.path === undefined ? null : { path: p.path }),
    ]),
  )
}

/**
 * What differs between the admission configuration a scenario states and the cluster's (its
 * file's text), or undefined when they configure the same plugins the same way.
 */
export function admissionMismatch(stated: string, cluster: string, file: string): string | undefined {
  const want = plugins(stated, "the scenario's admission configuration")
  const have = plugins(cluster, `the cluster's admission configuration (${file})`)
  const missing = [...want.keys()].filter((n) => !have.has(n))
  const differ = [...want.keys()].filter((n) => have.has(n) && !isDeepStrictEqual(want.get(n), have.get(n)))
  const extra = [...have.keys()].filter((n) => !want.has(n))
  const parts = [
    missing.length ? `it does not configure ${missing.join(', ')}` : '',
    differ.length ? `it configures ${differ.join(', ')} otherwise` : '',
    extra.length ? `it also configures ${extra.join(', ')}` : '',
  ].filter(Boolean)
  return parts.length ? `the cluster's admission configuration (${file}) is not the scenario's: ${parts.join('; ')}` : undefined
}

/** One static token line: token, user, uid and groups (the CSV of kube-apiserver's --token-auth-file). */
export interface StaticToken {
  token: string
  user: string
  uid: string
  groups: string[]
}

/** The CSV's records (comment and blank lines left out; a quoted field keeps its commas). */
export function parseTokens(csv: string): StaticToken[] {
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((line) => {
      const fields = [...line.matchAll(/"([^"]*)"|([^,]*)/g)].filter((m) => m.index === 0 || line[m.index - 1] === ',').map((m) => (m[1] ?? m[2] ?? '').trim())
      const [token = '', user = '', uid = '', groups = ''] = fields
      return { token, user, uid, groups: groups ? groups.split(',').map((g) => g.trim()) : [] }
    })
}

/** The stated tokens the cluster's file does not have as stated (by user, never by the token itself), or undefined. */
export function tokensMismatch(stated: string, cluster: string, file: string): string | undefined {
  const have = parseTokens(cluster)
  const missing = parseTokens(stated).filter((t) => !have.some((h) => isDeepStrictEqual(h, t)))
  return missing.length
    ? `the cluster's static token file (${file}) does not have the scenario's token${missing.length > 1 ? 's' : ''} for ${missing.map((t) => t.user).join(', ')} as stated`
    : undefined
}
