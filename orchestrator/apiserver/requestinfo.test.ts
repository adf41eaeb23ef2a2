import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { requestInfo } from './requestinfo.js'

function info(method: string, path: string): Record<string, unknown> {
  const i = requestInfo(method, new URL(path, 'https://x'))
  return { verb: i.verb, group: i.apiGroup, version: i.apiVersion, ns: i.namespace, resource: i.resource, name: i.name, sub: i.subresource, res: i.isResourceRequest }
}

describe('request info', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['GET', '/api/v1/namespaces', { verb: 'list', group: '', version: 'v1', ns: '', resource: 'namespaces', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/default', { verb: 'get', group: '', version: 'v1', ns: '', resource: 'namespaces', name: 'default', sub: '', res: true }],
    ['PUT', '/api/v1/namespaces/a/finalize', { verb: 'update', group: '', version: 'v1', ns: '', resource: 'namespaces', name: 'a', sub: 'finalize', res: true }],
    ['GET', '/api/v1/namespaces/a/pods', { verb: 'list', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/namespaces/a/pods?watch=1', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: '', sub: '', res: true }],
    ['GET', '/api/v1/watch/namespaces/a/pods/p', { verb: 'watch', group: '', version: 'v1', ns: 'a', resource: 'pods', name: 'p', sub: '', res: true }],
    ['POST', '/api/v1/namespaces/a/pods/p/binding', { verb: 'create', group: '', version: 'v1', ns: 'a', resource: 'pods', name: 'p', sub: 'binding', res: true }],
    ['DELETE', '/apis/apps/v1/namespaces/a/deployments', { verb: 'deletecollection', group: 'apps', version: 'v1', ns: 'a', resource: 'deployments', name: '', sub: '', res: true }],
    ['PATCH', '/apis/apps/v1/namespaces/a/deployments/web/scale', { verb: 'patch', group: 'apps', version: 'v1', ns: 'a', resource: 'deployments', name: 'web', sub: 'scale', res: true }],
    ['GET', '/api/v1/nodes/n1/status', { verb: 'get', group: '', version: 'v1', ns: '', resource: 'nodes', name: 'n1', sub: 'status', res: true }],
    ['GET', '/apis/apps/v1', { verb: 'get', group: 'apps', version: 'v1', ns: '', resource: '', name: '', sub: '', res: false }],
    ['GET', '/healthz', { verb: 'get', group: '', version: '', ns: '', resource: '', name: '', sub: '', res: false }],
  ]
  for (const [method, path, want] of cases) {
    it(`${method} ${path}`, () => assert.deepEqual(info(method, path), want))
  }
})
