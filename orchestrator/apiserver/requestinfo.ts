// Turns a request path and method into what the request is about: verb, API group/version,
// namespace, resource, name, subresource. Mirrors k8s.io/apiserver/pkg/endpoints/request
// RequestInfoFactory (including the deprecated /watch/ path prefix and namespaces being both a
// scope and a resource). Non-resource paths (/healthz, /version, /openapi) come back with
// isResourceRequest=false.

export interface RequestInfo {
  isResourceRequest: boolean
  path: string
  /** get, list, watch, create, update, patch, delete, deletecollection, or the lower-case method. */
  verb: string
  apiPrefix: '' | 'api' | 'apis'
  apiGroup: string
  apiVersion: string
  namespace: string
  resource: string
  subresource: string
  name: string
}

const METHOD_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', GET: 'get', HEAD: 'get', DELETE: 'delete' }

function truthy(v: string | null): boolean {
  return v === '1' || v === 'true'
}

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeURIComponent)
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  }
  const prefix = parts[0]
  if (prefix !== 'api' && prefix !== 'apis') return info
  let rest = parts.slice(1)
  info.apiPrefix = prefix
  if (prefix === 'apis') {
    if (rest.length < 2) return info // /apis or /apis/<group>: discovery
    info.apiGroup = rest[0]!
    rest = rest.slice(1)
  }
  if (rest.length < 1) return info // /api: discovery
  info.apiVersion = rest[0]!
  rest = rest.slice(1)
  if (rest.length < 1) return info // /api/v1: discovery

  info.isResourceRequest = true
  info.verb = METHOD_VERBS[method] ?? method.toLowerCase()
  let watchPrefix = false
  if (rest[0] === 'watch') {
    // /api/v1/watch/... is the deprecated spelling of ?watch=true
    watchPrefix = true
    rest = rest.slice(1)
  }
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1]!
      // /namespaces/<name> and /namespaces/<name>/{status,finalize} address the namespace itself
      if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2)
    }
  }
  info.resource = rest[0] ?? ''
  if (rest.length >= 2) info.name = rest[1]!
  if (rest.length >= 3) info.subresource = rest[2]!
  if (info.resource === 'namespaces' && rest.length >= 2 && info.namespace && !info.name) info.name = info.namespace
  if (info.resource === 'namespaces') {
    // a namespace is cluster-scoped: its name is not a namespace scope
    info.name = info.name || info.namespace
    info.namespace = ''
  }

  if (watchPrefix || (info.verb === 'get' && truthy(url.searchParams.get('watch')))) {
    info.verb = 'watch'
  } else if (info.verb === 'get' && !info.name) {
    info.verb = 'list'
  } else if (info.verb === 'delete' && !info.name) {
    info.verb = 'deletecollection'
  }
  // connecting to a pod over a WebSocket GET (exec, attach, port-forward) needs `create`, as
  // upstream checks it (AuthorizePodWebsocketUpgradeCreatePermission, on since 1.31)
  if (info.verb === 'get' && info.resource === 'pods' && ['exec', 'attach', 'portforward'].includes(info.subresource)) info.verb = 'create'
  // a list or watch with fieldSelector=metadata.name=<x> is about that one object (upstream
  // sets the name so authorizers such as the Node authorizer can check it)
  if ((info.verb === 'list' || info.verb === 'watch') && !info.name) {
    const fs = url.searchParams.get('fieldSelector') ?? ''
    const terms = fs.split(',').filter(Boolean)
    const byName = terms.map((t) => /^metadata\.name==?(.+)$/.exec(t.trim())).find(Boolean)
    if (byName && /^[^/%]+$/.test(byName[1]!) && byName[1] !== '.' && byName[1] !== '..') info.name = byName[1]!
  }
  return info
}
