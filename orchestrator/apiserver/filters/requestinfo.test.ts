import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { requestInfo } from './requestinfo.js'
import { parseRequestTarget } from './requesttarget.js'

function info(method: string, path: string): Record<string, unknown> {
  const i = requestInfo(method, parseRequestTarget(path))
  return {
    verb: i.verb,
    group: i.apiGroup,
    version: i.apiVersion,
    ns: i.namespace,
    resource: i.resource,
    name: i.name,
    sub: i.subresource,
    res: i.isResourceRequest,
  }
}

describe('request info', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['GET', '/api/v1/namespaces', { verb: 'list', group: '', version: 'v1', ns: '', resource: 'namespaces', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/default', { verb: 'get', group: '', version: 'v1', ns: '', resource: 'namespaces', name: 'default', sub: '', res: true }],
    [
      'PUT',
      '/api/v1/namespaces/a/finalize',
      { verb: 'update', group: '', version: 'v1', ns: '', resource: 'namespaces', name: 'a', sub: 'finalize', res: true },
    ],
    ['GET', '/api/v1/namespaces/a/pods', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=1', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/watch/namespaces/a/pods/p', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: 'p', sub: '', res: true }],
    [
      'POST',
      '/api/v1/namespaces/a/pods/p/binding',
      { verb: 'create', group: '', version: 'v1', ns: 'a', resource: 'pods', name: 'p', sub: 'binding', res: true },
    ],
    [
      'DELETE',
      '/apis/apps/v1/namespaces/a/deployments',
      { verb: 'deletecollection', group: 'apps', version: 'v1', ns: 'a', resource: 'deployments', name: '', sub: '', res: true },
    ],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/a/deployments/web/scale',
      { verb: 'patch', group: 'apps', version: 'v1', ns: 'a', resource: 'deployments', name: 'web', sub: 'scale', res: true },
    ],
    ['GET', '/api/v1/nodes/n1/status', { verb: 'get', group: '', version: 'v1', ns: '', resource: 'nodes', name: 'n1', sub: 'status', res: true }],
    ['GET', '/apis/apps/v1', { verb: 'get', group: 'apps', version: 'v1', ns: '', resource: '', name: '', sub: '', res: false }],
    ['GET', '/healthz', { verb: 'get', group: '', version: '', ns: '', resource: '', name: '', sub: '', res: false }],
    // dot segments are names, never steps up the path (Go's URL.Path is not normalised)
    [
      'DELETE',
      '/api/v1/namespaces/fuzz/pods/%2e%2e',
      { verb: 'delete', group: '', version: 'v1', ns: 'fuzz', resource: 'pods', name: '..', sub: '', res: true },
    ],
    ['DELETE', '/api/v1/namespaces/fuzz/pods/..', { verb: 'delete', group: '', version: 'v1', ns: 'fuzz', resource: 'pods', name: '..', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/%2e%2e/pods', { verb: 'list', group: '', version: 'v1', ns: '..', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/./pods', { verb: 'list', group: '', version: 'v1', ns: '.', resource: 'pods', name: '', sub: '', res: true }],
    // the path is decoded before it is split: %2F separates segments, as in Go
    ['GET', '/api/v1/namespaces/a%2Fpods', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    // leading and trailing slashes are trimmed, empty segments in the middle stay
    ['GET', '//api/v1/namespaces/a/pods/', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces//pods', { verb: 'list', group: '', version: 'v1', ns: '', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods//status', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: 'status', res: true }],
    ['GET', '//', { verb: 'get', group: '', version: '', ns: '', resource: '', name: '', sub: '', res: false }],
    // upstream's boolean conversion: anything but "0" and "false" is true
    ['GET', '/api/v1/namespaces/a/pods?watch=abc', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=false', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=0', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=True', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=t', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=f', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=False', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    [
      'GET',
      '/api/v1/namespaces/a/pods?watch=false&watch=true',
      { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true },
    ],
    // the watch parameter is read only where there is no name: a GET of one object is a get
    ['GET', '/api/v1/namespaces/a/pods/p?watch=true', { verb: 'get', group: '', version: 'v1', ns: 'a', resource: 'pods', name: 'p', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a?watch=1', { verb: 'get', group: '', version: 'v1', ns: '', resource: 'namespaces', name: 'a', sub: '', res: true }],
  ]
  for (const [method, path, want] of cases) {
    it(`${method} ${path}`, () => assert.deepEqual(info(method, path), want))
  }
})
