// The real kubectl against an OCK API server's OpenAPI: `kubectl explain` prints upstream's
// descriptions, `kubectl apply` with its default validation creates a Deployment and a ConfigMap,
// an unknown field is refused as a real cluster refuses it (server-side through fieldValidation,
// client-side through /openapi/v2 in protobuf for a `kind: List`), and the documents are served
// with kube-openapi's caching headers. Skipped with the reason where kubectl is not installed,
// unless OCK_REQUIRE_CLIENTS=1 (CI).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { kubeconfigYaml } from '../../cluster/kubeconfig.js'
import { Identities } from '../../pki/pki.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'
import { negotiate, V2_PROTOBUF } from './handler.js'

const KUBECTL = process.env.OCK_KUBECTL ?? 'kubectl'
const probe = await execa(KUBECTL, ['version', '--client', '-o', 'json'], { reject: false })
const skip =
  probe.exitCode === 0 || process.env.OCK_REQUIRE_CLIENTS === '1'
    ? false
    : `kubectl is not installed (${KUBECTL}): ${String(probe.message ?? probe.stderr).split('\n')[0]}`
const clientVersion = probe.exitCode === 0 ? String((JSON.parse(probe.stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion) : ''

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: registry.internal/ock/app:1
`

describe('negotiating /openapi/v2', () => {
  const cases: [string, string | undefined][] = [
    ['', 'application/json'],
    ['application/json', 'application/json'],
    [V2_PROTOBUF[0]!, V2_PROTOBUF[0]],
    [`${V2_PROTOBUF[1]}, application/json`, V2_PROTOBUF[0]],
    ['*/*', 'application/json'],
    ['text/html', undefined],
  ]
  for (const [accept, want] of cases) it(`Accept: ${accept || '(none)'} -> ${want}`, () => assert.equal(negotiate(accept), want))
})

describe(`kubectl ${clientVersion} against the OpenAPI documents`, { skip, timeout: 180_000 }, () => {
  let t: TestApiServer
  let dir: string
  let kubeconfig: string
  let get: (path: string, headers?: Record<string, string>) => Promise<{ code: number; headers: Record<string, unknown>; body: Buffer }>
  const kubectl = (args: string[], input?: string) => execa(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { reject: false, input, timeout: 60_000 })

  before(async () => {
    t = await startTestApiServer()
    const cert = await t.ca.issue({ ...Identities.admin, usage: 'client' })
    dir = mkdtempSync(join(tmpdir(), 'ock-kubectl-openapi-'))
    kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      kubeconfigYaml({ clusterName: 'ock', userName: 'admin', server: t.server.url, caPem: t.ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem }),
    )
    get = (path, headers = {}) =>
      new Promise((resolve, reject) => {
        const u = new URL(path, t.server.url)
        const req = https.get(
          { hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, ca: t.ca.certPem, cert: cert.certPem, key: cert.keyPem, headers },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
          },
        )
        req.on('error', reject)
      })
  })
  after(async () => {
    await t?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('explains pod.spec.containers with upstream descriptions', async () => {
    const r = await kubectl(['explain', 'pod.spec.containers'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /FIELD: containers <\[\]Container>/)
    assert.match(r.stdout, /List of containers belonging to the pod\. Containers cannot currently be\s+added or removed/)
    assert.match(r.stdout, /livenessProbe\t<Probe>/)
  })

  it('names IntOrString and Quantity fields as against a real cluster', async () => {
    const ports = await kubectl(['explain', 'service.spec.ports'])
    assert.match(ports.stdout, /targetPort\t<IntOrString>/)
    const resources = await kubectl(['explain', 'pod.spec.containers.resources'])
    assert.match(resources.stdout, /limits\t<map\[string\]Quantity>/)
  })

  it('explains deployment.spec.strategy with its fields and enum', async () => {
    const r = await kubectl(['explain', 'deployment.spec.strategy'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /GROUP:\s+apps/)
    assert.match(r.stdout, /rollingUpdate\t<RollingUpdateDeployment>/)
    assert.match(r.stdout, /enum: Recreate, RollingUpdate/)
  })

  it('applies a Deployment and a ConfigMap with the default validation, and applies a change', async () => {
    const d = await kubectl(['apply', '-f', '-'], DEPLOYMENT)
    assert.equal(d.exitCode, 0, d.stderr)
    assert.equal(d.stdout.trim(), 'deployment.apps/web created')
    const c = await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n')
    assert.equal(c.exitCode, 0, c.stderr)
    assert.equal(c.stdout.trim(), 'configmap/cfg created')
    const again = await kubectl(['apply', '-f', '-'], DEPLOYMENT.replace('replicas: 1', 'replicas: 2'))
    assert.equal(again.exitCode, 0, again.stderr)
    assert.equal(again.stdout.trim(), 'deployment.apps/web configured')
  })

  it('refuses an unknown field as a real cluster does: strict decoding on the server', async () => {
    const r = await kubectl(['apply', '-f', '-'], DEPLOYMENT.replace('name: web', 'name: bad').replace('  replicas: 1', '  foo: 1'))
    assert.equal(r.exitCode, 1)
    assert.equal(
      r.stderr.trim(),
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    )
  })

  it('validates a List client-side against /openapi/v2 (protobuf), as kubectl does for a kind the v3 verifier cannot answer', async () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: l1}
  bogus: 1
`
    const r = await kubectl(['apply', '-f', '-'], list)
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr, /error validating data: ValidationError\(ConfigMap\): unknown field "bogus" in io\.k8s\.api\.core\.v1\.ConfigMap/)
    const ok = await kubectl(['apply', '-f', '-'], list.replace('  bogus: 1\n', ''))
    assert.equal(ok.exitCode, 0, ok.stderr)
  })

  it('serves v2 in protobuf or JSON, with an ETag that answers 304', async () => {
    const pb = await get('/openapi/v2', { Accept: V2_PROTOBUF[0]! })
    assert.equal(pb.code, 200)
    assert.equal(pb.headers['content-type'], V2_PROTOBUF[1])
    const json = await get('/openapi/v2', { Accept: 'application/json' })
    assert.equal(json.code, 200)
    assert.equal((JSON.parse(json.body.toString()) as { swagger: string }).swagger, '2.0')
    assert.equal(pb.headers.etag, json.headers.etag)
    assert.equal((await get('/openapi/v2', { 'If-None-Match': String(json.headers.etag) })).code, 304)
    assert.equal((await get('/openapi/v2', { Accept: 'text/html' })).code, 406)
  })

  it('serves a v3 document at its root hash as immutable, and redirects a stale hash', async () => {
    const root = JSON.parse((await get('/openapi/v3')).body.toString()) as { paths: Record<string, { serverRelativeURL: string }> }
    const url = root.paths['apis/apps/v1']!.serverRelativeURL
    const doc = await get(url)
    assert.equal(doc.code, 200)
    assert.equal(doc.headers['cache-control'], 'public, immutable')
    assert.equal(doc.headers.etag, `"${new URL(url, t.server.url).searchParams.get('hash')}"`)
    const stale = await get('/openapi/v3/apis/apps/v1?hash=0123')
    assert.equal(stale.code, 301)
    assert.equal(stale.headers.location, url)
    assert.equal((await get('/openapi/v3/apis/nothing.example/v1')).code, 404)
  })
})
