// The official Kubernetes Python client (Debian's python3-kubernetes, run by /usr/bin/python3)
// against an OCK API server: a second official client besides client-node, which kubectl and the
// steps use. It lists, creates, gets, patches (strategic merge and JSON patch), replaces, watches, scales and deletes
// (pythonclient.testing.py) and must see what it would see from upstream's API server: the
// objects, the watch events in order, and the Status of each refusal (code, reason, message).
// Skipped with the reason where python3-kubernetes is not installed, unless
// OCK_REQUIRE_CLIENTS=1 (CI, whose .ci/run installs it).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { kubeconfigYaml } from '../cluster/kubeconfig.js'
import { Identities } from '../pki/pki.js'
import { startTestApiServer, type TestApiServer } from './testserver.testing.js'

const PYTHON = process.env.OCK_PYTHON ?? '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('./pythonclient.testing.py', import.meta.url))

const probe = await execa(PYTHON, ['-c', 'import kubernetes; print(kubernetes.__version__)'], { reject: false })
const skip =
  probe.exitCode === 0 || process.env.OCK_REQUIRE_CLIENTS === '1'
    ? false
    : `no official Python client at ${PYTHON} (apt-get install python3-kubernetes): ${
        String(probe.stderr || probe.message || '')
          .split('\n')
          .at(-1) ?? ''
      }`

describe(`the official Python client ${probe.stdout.trim()}`, { skip, timeout: 60_000 }, () => {
  let t: TestApiServer
  let dir: string
  let seen: Record<string, unknown>

  before(async () => {
    t = await startTestApiServer({ bookmarkIntervalMs: 200 })
    const cert = await t.ca.issue({ ...Identities.admin, usage: 'client' })
    dir = mkdtempSync(join(tmpdir(), 'ock-python-client-'))
    const kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      kubeconfigYaml({ clusterName: 'ock', userName: 'admin', server: t.server.url, caPem: t.ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem }),
    )
    const run = await execa(PYTHON, [SCRIPT, kubeconfig, 'default'], { reject: false, timeout: 45_000 })
    assert.equal(run.exitCode, 0, `the Python client failed:\n${run.stderr}`)
    seen = JSON.parse(run.stdout) as Record<string, unknown>
  })
  after(async () => {
    await t?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('reads the version and lists namespaces', () => {
    assert.match(String(seen.version), /^v1\.\d+\.\d+/)
    assert.equal(seen.namespace_listed, true)
  })

  it('creates, gets, patches, replaces and lists by label', () => {
    assert.deepEqual(seen.created, { name: 'py', uid: true, rv: true })
    assert.deepEqual(seen.get, { a: '1' })
    assert.deepEqual(seen.patch, { a: '1', b: '2' })
    assert.deepEqual(seen.replace, { c: '3' })
    assert.deepEqual(seen.list_by_label, ['py'])
  })

  it('gets each refusal as upstream words it', () => {
    assert.deepEqual(seen.duplicate, { status: 409, kind: 'Status', reason: 'AlreadyExists', message: 'configmaps "py" already exists' })
    assert.deepEqual(seen.deleted, { status: 404, kind: 'Status', reason: 'NotFound', message: 'configmaps "py" not found' })
    assert.deepEqual(seen.invalid, {
      status: 422,
      kind: 'Status',
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    })
  })

  it('watches from a resourceVersion: added, modified, deleted, in order', () => {
    assert.deepEqual(seen.watch, [
      ['ADDED', '1'],
      ['MODIFIED', '2'],
      ['DELETED', '2'],
    ])
  })

  it('patches as the client chooses: a strategic merge for a dict (containers merge by name), a JSON patch for a list', () => {
    assert.deepEqual(seen.strategic_merge, [
      ['app', 'registry.internal/ock/app:2'],
      ['side', 'registry.internal/ock/tool:1'],
    ])
    assert.deepEqual(seen.json_patch, { c: '3', j: '4' })
  })

  it('creates a Job through batch/v1 with its defaults and generated selector, and gets its refusal as upstream words it', () => {
    assert.deepEqual(seen.job, {
      completions: 1,
      parallelism: 1,
      backoff_limit: 6,
      selector_keys: ['batch.kubernetes.io/controller-uid'],
      template_labels: ['batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name'],
    })
    assert.deepEqual(seen.job_invalid, {
      status: 422,
      kind: 'Status',
      reason: 'Invalid',
      message: 'Job.batch "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    })
    assert.deepEqual(seen.cronjobs_listed, [])
  })

  it('creates a Deployment with its defaults and scales it through the scale subresource', () => {
    assert.equal(seen.deployment_defaults, 'RollingUpdate')
    assert.equal(seen.scaled, 3)
  })
})
