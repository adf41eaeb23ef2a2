// Turns a request path and method into what the request is about: verb, API group/version,
// namespace, resource, name, subresource. Mirrors k8s.io/apiserver/pkg/endpoints/request
// RequestInfoFactory (including the deprecated /watch/ path prefix and namespaces being both a
// scope and a resource): the path is decoded first and then split on "/" (so `%2F` separates
// segments, as in Go's URL.Path), leading and trailing slashes are trimmed, empty segments in the
// middle are kept, and dot segments are names like any other. Non-resource paths (/healthz,
// /version, /openapi) come back with isResourceRequest=false.
// Simplifies: a namespace's own requests (/api/v1/namespaces/<name>) carry no namespace scope.

import { queryBool } from '../handlers/queryparams.js'

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
  /** The segments from the resource on (resource, name, subresource, anything after): more than 3 is no route. */
  parts: string[]
  /** The path named a namespace scope (/namespaces/<ns>/<resource>...), even an empty one. */
  namespaceInPath: boolean
}

/** What requestInfo needs of a request target (filters/requesttarget.ts). */
export interface PathAndQuery {
  /** The decoded path. */
  path: string
  query: URLSearchParams
}

const METHOD_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', GET: 'get', HEAD: 'get', DELETE: 'delete' }

/** splitPath of RequestInfoFactory: trim slashes at both ends, split on "/" (empty middle segments stay). */
function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? [] : trimmed.split('/')
}

export function requestInfo(method: string, target: PathAndQuery): RequestInfo {
  const path = target.path
  const parts = splitPath(path)
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
    parts: [],
    namespaceInPath: false,
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
      if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') {
        rest = rest.slice(2)
        info.namespaceInPath = true
      }
    }
  }
  info.parts = rest
  info.resource = rest[0] ?? ''
  if (rest.length >= 2) info.name = rest[1]!
  if (rest.length >= 3) info.subresource = rest[2]!
  if (info.resource === 'namespaces' && rest.length >= 2 && info.namespace && !info.name) info.name = info.namespace
  if (info.resource === 'namespaces') {
    // a namespace is cluster-scoped: its name is not a namespace scope
    info.name = info.name || info.namespace
    info.namespace = ''
  }

  // upstream decodes the watch parameter only for a GET without a name (the list path): a GET
  // of one object with ?watch=true is a get
  if (watchPrefix || (info.verb === 'get' && !info.name && queryBool(target.query.get('watch')))) {
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
    const fs = target.query.get('fieldSelector') ?? ''
    const terms = fs.split(',').filter(Boolean)
    const byName = terms.map((t) => /^metadata\.name==?(.+)$/.exec(t.trim())).find(Boolean)
    if (byName && /^[^/%]+$/.test(byName[1]!) && byName[1] !== '.' && byName[1] !== '..') info.name = byName[1]!
  }
  return info
}
