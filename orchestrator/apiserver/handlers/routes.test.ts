import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import { lookupResource } from '../../api/resources.js'
import { parseRequestTarget } from '../filters/requesttarget.js'
import { requestInfo } from '../filters/requestinfo.js'
import { checkRoute } from './routes.js'

/** What the router answers: 'route' when the request reaches its handler, else code, reason and message. */
function answer(method: string, path: string): string {
  const info = requestInfo(method, parseRequestTarget(path))
  const resource = lookupResource(info.apiGroup, info.resource)!
  try {
    checkRoute(method, info, resource)
    return 'route'
  } catch (e) {
    assert.ok(e instanceof ApiError)
    return `${e.code} ${e.reason}: ${e.message}`
  }
}

const NOT_ALLOWED = '405 MethodNotAllowed: the server does not allow this method on the requested resource'
const NOT_FOUND = '404 NotFound: the server could not find the requested resource'

describe('routes', () => {
  const cases: [string, string, string][] = [
    ['GET', '/api/v1/namespaces/a/pods', 'route'],
    ['POST', '/api/v1/namespaces/a/pods', 'route'],
    ['DELETE', '/api/v1/namespaces/a/pods', 'route'],
    ['GET', '/api/v1/namespaces/a/pods/p', 'route'],
    ['PUT', '/api/v1/namespaces/a/pods/p/status', 'route'],
    ['POST', '/api/v1/namespaces/a/pods/p/binding', 'route'],
    ['GET', '/api/v1/pods', 'route'],
    ['GET', '/api/v1/serviceaccounts?fieldSelector=metadata.name%3Ddefault', 'route'], // a name from a field selector is no path name
    ['GET', '/api/v1/nodes/n1', 'route'],
    ['DELETE', '/api/v1/namespaces/x', 'route'],
    // the path names a name that is not a path segment: the key functions' 400, nothing else touched
    ['DELETE', '/api/v1/namespaces/fuzz/pods/%2e%2e', `400 BadRequest: Name parameter invalid: "..": may not be '..'`],
    ['GET', '/api/v1/namespaces/fuzz/pods/.', `400 BadRequest: Name parameter invalid: ".": may not be '.'`],
    ['GET', '/api/v1/namespaces/fuzz/pods/a%25b', `400 BadRequest: Name parameter invalid: "a%b": may not contain '%'`],
    ['DELETE', '/api/v1/namespaces/%2e%2e', `400 BadRequest: Name parameter invalid: "..": may not be '..'`],
    ['GET', '/api/v1/nodes/..', `400 BadRequest: Name parameter invalid: "..": may not be '..'`],
    // a namespace segment that storage keys cannot hold is never the cluster-wide list
    ['GET', '/api/v1/namespaces/%2e%2e/pods', `400 BadRequest: Namespace parameter invalid: "..": may not be '..'`],
    ['DELETE', '/api/v1/namespaces/%2e%2e/pods', `400 BadRequest: Namespace parameter invalid: "..": may not be '..'`],
    ['POST', '/api/v1/namespaces/./configmaps', `400 BadRequest: Namespace parameter invalid: ".": may not be '.'`],
    // methods the path has no route for
    ['DELETE', '/api/v1/pods', NOT_ALLOWED],
    ['POST', '/api/v1/pods', NOT_ALLOWED],
    ['POST', '/api/v1/namespaces/a/pods/p', NOT_ALLOWED],
    ['PUT', '/api/v1/namespaces/a/pods', NOT_ALLOWED],
    ['PATCH', '/api/v1/namespaces/a/pods', NOT_ALLOWED],
    ['FOO', '/api/v1/namespaces/a/pods', NOT_ALLOWED],
    ['TRACE', '/api/v1/namespaces/a/pods/p', NOT_ALLOWED],
    ['OPTIONS', '/api/v1/nodes', NOT_ALLOWED],
    // paths with no route
    ['GET', '/api/v1/pods/p', NOT_FOUND],
    ['GET', '/api/v1/namespaces/a/pods/p/status/extra', NOT_FOUND],
    ['GET', '/api/v1/namespaces/a/nodes', NOT_FOUND],
    // what the path leaves out
    ['GET', '/api/v1/namespaces/a/pods//status', '400 BadRequest: name must be provided'],
    ['GET', '/api/v1/namespaces//pods/p', '400 BadRequest: Namespace parameter required.'],
    ['POST', '/api/v1/namespaces//pods', '400 BadRequest: Namespace parameter required.'],
    ['GET', '/api/v1/namespaces//pods', 'route'],
  ]
  for (const [method, path, want] of cases) it(`${method} ${path} -> ${want}`, () => assert.equal(answer(method, path), want))
})
