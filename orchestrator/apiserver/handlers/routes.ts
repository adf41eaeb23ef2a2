// Which requests for a resource have a route, as kube-apiserver's installer registers them with
// go-restful (endpoints/installer.go) and the storage key functions check what the path names:
// a path with more segments than resource/name/subresource has no route (404); a method the
// path has no route for is 405 `the server does not allow this method on the requested
// resource` (POST to a named object, PUT or PATCH to a collection, POST or DELETE to the
// cluster-wide path of a namespaced resource, any other method); a named request needs a name
// that can be a path segment (400 `Name parameter invalid: "..": may not be '..'`), a
// subresource needs a name at all (400 `name must be provided`), and a namespaced object needs
// a namespace (400 `Namespace parameter required.`).
// Simplifies: HEAD is served as GET; no resource here has a proxy subresource.

import { ApiError, badRequest, methodNotAllowed } from '../../api/errors.js'
import { invalidNameParameter, invalidNamespaceParameter } from '../../api/path.js'
import type { ResourceInfo } from '../../api/resources.js'
import type { RequestInfo } from '../filters/requestinfo.js'

const RESOURCE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])

/** go-restful's 404 for a path no route matches, as serviceErrorHandler writes it (empty details). */
export function notFoundRoute(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
}

/** Throws the answer of a request the router or the key functions refuse; returns when it has a route. */
export function checkRoute(method: string, info: RequestInfo, resource: ResourceInfo): void {
  // what the path itself names (info.name may also come from a metadata.name field selector)
  const [, name, subresource] = info.parts
  const named = name !== undefined
  if (info.parts.length > 3) throw notFoundRoute()
  if (info.namespace && !resource.namespaced) throw notFoundRoute()
  const clusterWide = resource.namespaced && !info.namespaceInPath
  // the cluster-wide path of a namespaced resource has only the list and watch routes
  if (clusterWide && named) throw notFoundRoute()
  if (!RESOURCE_METHODS.has(method)) throw methodNotAllowed()
  if (!named) {
    if (method === 'PUT' || method === 'PATCH') throw methodNotAllowed()
    if (clusterWide && (method === 'POST' || method === 'DELETE')) throw methodNotAllowed()
  } else if (subresource === undefined && method === 'POST') {
    throw methodNotAllowed()
  }
  if (resource.namespaced && info.namespaceInPath) {
    const bad = invalidNamespaceParameter(info.namespace)
    if (bad) throw bad
  }
  if (named) {
    if (name === '') {
      if (subresource !== undefined) throw badRequest('name must be provided')
    } else {
      const bad = invalidNameParameter(name)
      if (bad) throw bad
    }
    if (resource.namespaced && !info.namespace) throw badRequest('Namespace parameter required.')
  } else if (method === 'POST' && resource.namespaced && !info.namespace && !resource.ephemeral) {
    throw badRequest('Namespace parameter required.')
  }
}
