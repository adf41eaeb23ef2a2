// Server-side apply with the real kubectl against an OCK API server, as a user would do it:
// `kubectl apply --server-side` of a Deployment, `kubectl scale` (an Update by another manager,
// on the scale subresource), a re-apply with other replicas refused with the conflict kubectl
// prints against a real cluster, `--force-conflicts` taking the field over, and the
// managedFields that `kubectl get --show-managed-fields` shows at each step.
// Skipped with the reason where kubectl is not installed, unless OCK_REQUIRE_CLIENTS=1.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { kubeconfigYaml } from '../../cluster/kubeconfig.js'
import { Identities } from '../../pki/pki.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'
import type { ManagedFieldsEntry } from './fieldmanager.js'

const KUBECTL = process.env.OCK_KUBECTL ?? 'kubectl'
const probe = await execa(KUBECTL, ['version', '--client', '-o', 'json'], { reject: false })
const skip =
  probe.exitCode === 0 || process.env.OCK_REQUIRE_CLIENTS === '1' ? false : `no kubectl on PATH (${KUBECTL}): ${String(probe.message ?? '').split('\n')[0]}`

const manifest = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: registry.internal/ock/app:1
        ports: [{containerPort: 8080}]
`

/** The conflict as kubectl 1.32 prints it against a real cluster (its own advice follows the server's message). */
const CONFLICT = `error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`

describe('server-side apply with kubectl', { skip, timeout: 60_000 }, () => {
  let t: TestApiServer
  let dir: string
  const kubectl = (...args: string[]) => execa(KUBECTL, ['--kubeconfig', join(dir, 'kubeconfig'), '-n', 'default', ...args], { reject: false, timeout: 20_000 })
  const apply = (replicas: number, ...flags: string[]) => {
    writeFileSync(join(dir, 'web.yaml'), manifest(replicas))
    return kubectl('apply', '--server-side', ...flags, '-f', join(dir, 'web.yaml'))
  }
  const managed = async (): Promise<Array<Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'subresource' | 'fieldsV1'>>> => {
    const r = await kubectl('get', 'deployment', 'web', '-o', 'json', '--show-managed-fields')
    assert.equal(r.exitCode, 0, r.stderr)
    const entries = (JSON.parse(r.stdout) as { metadata: { managedFields: ManagedFieldsEntry[] } }).metadata.managedFields
    return entries.map(({ manager, operation, subresource, fieldsV1 }) => ({ manager, operation, subresource, fieldsV1 }))
  }
  const replicasOf = (fieldsV1: unknown): unknown => (fieldsV1 as { 'f:spec'?: { 'f:replicas'?: unknown } })['f:spec']?.['f:replicas']

  before(async () => {
    t = await startTestApiServer()
    const cert = await t.ca.issue({ ...Identities.admin, usage: 'client' })
    dir = mkdtempSync(join(tmpdir(), 'ock-kubectl-ssa-'))
    writeFileSync(
      join(dir, 'kubeconfig'),
      kubeconfigYaml({ clusterName: 'ock', userName: 'admin', server: t.server.url, caPem: t.ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem }),
    )
  })
  after(async () => {
    await t?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('applies a Deployment: kubectl owns its configuration', async () => {
    const r = await apply(2)
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'deployment.apps/web serverside-applied')
    const [entry, ...rest] = await managed()
    assert.deepEqual(rest, [])
    assert.deepEqual(entry, {
      manager: 'kubectl',
      operation: 'Apply',
      subresource: undefined,
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"app"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    })
  })

  it('kubectl scale takes .spec.replicas on the scale subresource', async () => {
    const r = await kubectl('scale', 'deployment', 'web', '--replicas=4')
    assert.equal(r.exitCode, 0, r.stderr)
    const entries = await managed()
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, e.subresource ?? '', replicasOf(e.fieldsV1) !== undefined]),
      [
        ['kubectl', 'Apply', '', false],
        ['kubectl', 'Update', 'scale', true],
      ],
    )
  })

  it('a re-apply with other replicas is refused with the conflict kubectl prints against a real cluster', async () => {
    const r = await apply(3)
    assert.equal(r.exitCode, 1)
    assert.equal(r.stderr.trim(), CONFLICT)
    const get = await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')
    assert.equal(get.stdout, '4', 'a refused apply changes nothing')
  })

  it('the same replicas as the scaler: shared, no conflict', async () => {
    const r = await apply(4)
    assert.equal(r.exitCode, 0, r.stderr)
    const entries = await managed()
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, replicasOf(e.fieldsV1) !== undefined]),
      [
        ['kubectl', 'Apply', true],
        ['kubectl', 'Update', true],
      ],
    )
  })

  it('--force-conflicts takes the field over: the scaler no longer owns it', async () => {
    await kubectl('scale', 'deployment', 'web', '--replicas=6')
    const r = await apply(3, '--force-conflicts')
    assert.equal(r.exitCode, 0, r.stderr)
    const get = await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')
    assert.equal(get.stdout, '3')
    const entries = await managed()
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, replicasOf(e.fieldsV1) !== undefined]),
      [['kubectl', 'Apply', true]],
    )
  })

  it('kubectl get -o yaml hides managedFields unless asked', async () => {
    const plain = await kubectl('get', 'deployment', 'web', '-o', 'yaml')
    assert.doesNotMatch(plain.stdout, /managedFields/)
    const shown = await kubectl('get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields')
    assert.match(shown.stdout, /managedFields:\n {2}- apiVersion: apps\/v1\n {4}fieldsType: FieldsV1/)
  })
})
