// pods/log and pods/exec end to end on a cluster of simulated nodes (streams on real containers:
// streams.test.ts): the API server reaches the
// pod's kubelet with its kubelet client certificate, the kubelet asks the runtime.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http2 from 'node:http2'
import { WebSocket } from 'ws'
import type { Pod } from '../api/types.js'
import type { ApiClient } from '../client/client.js'
import type { KeyPair } from '../pki/pki.js'
import { Identities } from '../pki/pki.js'
import { Cluster } from './cluster.js'

const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' }

describe('pods/log and pods/exec through the API server', () => {
  let cluster: Cluster
  let admin: ApiClient
  let creds: KeyPair

  before(async () => {
    cluster = await Cluster.start({ nodes: 1, proxy: false, timings: { kubelet: { relistPeriodMs: 100, backOffInitialMs: 100 } } })
    admin = await cluster.client(Identities.admin)
    creds = await cluster.credentials(Identities.admin)
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'talker' },
      spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:1', env: [{ name: 'OCK_SIM_STDOUT', value: 'one\ntwo\nthree' }] }] },
    })
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pair' },
      spec: {
        containers: [
          { name: 'a', image: 'registry.internal/ock/app:1' },
          { name: 'b', image: 'registry.internal/ock/app:1' },
        ],
      },
    })
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'crasher' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.internal/ock/app:1',
            env: [
              { name: 'OCK_SIM_STDOUT', value: 'crashing' },
              { name: 'OCK_SIM_EXIT_AFTER', value: '50ms' },
              { name: 'OCK_SIM_EXIT_CODE', value: '1' },
            ],
          },
        ],
      },
    })
    const deadline = Date.now() + 10_000
    for (;;) {
      const list = (await admin.list<Pod>(pods)).items
      const talkerUp = list.find((p) => p.metadata?.name === 'talker')?.status?.phase === 'Running'
      const crasher = list.find((p) => p.metadata?.name === 'crasher')
      if (talkerUp && (crasher?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1) break
      if (Date.now() > deadline) assert.fail(`pods did not start: ${JSON.stringify(list.map((p) => p.status?.containerStatuses))}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  })

  after(async () => {
    admin?.close()
    await cluster?.stop()
  })

  /** A GET as kubectl sends it (HTTP/2), answering status and text. */
  async function get(path: string): Promise<{ status: number; text: string }> {
    const session = http2.connect(cluster.url, { ca: cluster.ca.certPem, cert: creds.certPem, key: creds.keyPem })
    try {
      return await new Promise((resolve, reject) => {
        const s = session.request({ ':method': 'GET', ':path': path })
        let status = 0
        let text = ''
        s.on('response', (h) => (status = Number(h[':status'])))
        s.setEncoding('utf8')
        s.on('data', (c: string) => (text += c))
        s.on('end', () => resolve({ status, text }))
        s.on('error', reject)
      })
    } finally {
      session.close()
    }
  }

  it("reads a container log, its tail and the previous container's log", async () => {
    assert.deepEqual(await get('/api/v1/namespaces/default/pods/talker/log'), { status: 200, text: 'one\ntwo\nthree\n' })
    assert.deepEqual(await get('/api/v1/namespaces/default/pods/talker/log?container=app&tailLines=2'), { status: 200, text: 'two\nthree\n' })
    assert.deepEqual(await get('/api/v1/namespaces/default/pods/crasher/log?previous=true'), { status: 200, text: 'crashing\n' })
  })

  it('refuses what upstream refuses, with its messages', async () => {
    const status = async (path: string) => {
      const r = await get(path)
      const s = JSON.parse(r.text) as { code: number; reason: string; message: string }
      return [r.status, s.reason, s.message]
    }
    assert.deepEqual(await status('/api/v1/namespaces/default/pods/pair/log'), [
      400,
      'BadRequest',
      'a container name must be specified for pod pair, choose one of: [a b]',
    ])
    assert.deepEqual(await status('/api/v1/namespaces/default/pods/talker/log?container=nope'), [
      400,
      'BadRequest',
      'container nope is not valid for pod talker',
    ])
    assert.deepEqual(await status('/api/v1/namespaces/default/pods/talker/log?previous=true'), [
      400,
      'BadRequest',
      'previous terminated container "app" in pod "talker" not found',
    ])
    assert.deepEqual(await status('/api/v1/namespaces/default/pods/ghost/log'), [404, 'NotFound', 'pods "ghost" not found'])
    assert.deepEqual((await status('/api/v1/namespaces/default/pods/talker/log?tailLines=-1')).slice(0, 2), [422, 'Invalid'])
  })

  it('runs a command without an upgrade and answers with its output and exit code', async () => {
    const r = await admin.request<{ stdout: string; stderr: string; exitCode: number }>(
      'POST',
      `/api/v1/namespaces/default/pods/talker/exec?command=sh&command=-c&command=${encodeURIComponent('echo hi; exit 3')}`,
    )
    assert.deepEqual(r, { stdout: 'hi\n', stderr: '', exitCode: 3 })
  })

  /** kubectl's WebSocket exec: messages by channel, the Status from channel 3. */
  function wsExec(
    query: string,
    protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
  ): Promise<{ protocol: string; out: string; status: Record<string, unknown> } | { httpStatus: number; body: string }> {
    const url = cluster.url.replace(/^https/, 'wss') + `/api/v1/namespaces/default/pods/talker/exec?${query}`
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { ca: cluster.ca.certPem, cert: creds.certPem, key: creds.keyPem })
      let out = ''
      let status: Record<string, unknown> = {}
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString()
        if (m[0] === 3) status = JSON.parse(m.subarray(1).toString()) as Record<string, unknown>
      })
      ws.on('close', () => resolve({ protocol: ws.protocol, out, status }))
      ws.on('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c))
        res.on('end', () => resolve({ httpStatus: res.statusCode ?? 0, body }))
      })
      ws.on('error', (e) => (String(e.message).includes('Unexpected server response') ? undefined : reject(e)))
    })
  }

  it('execs over a WebSocket as kubectl does: output on channel 1, the exit status on channel 3', async () => {
    const ok = await wsExec('command=echo&command=hello&stdout=true&stderr=true')
    assert.deepEqual(ok, { protocol: 'v5.channel.k8s.io', out: 'hello\n', status: { metadata: {}, status: 'Success' } })
    const bad = await wsExec('command=sh&command=-c&command=exit%207&stdout=true')
    assert.ok('status' in bad)
    assert.equal(bad.status.reason, 'NonZeroExitCode')
    assert.deepEqual(bad.status.details, { causes: [{ reason: 'ExitCode', message: '7' }] })
    const v4 = await wsExec('command=true&stdout=1', ['v4.channel.k8s.io'])
    assert.ok('protocol' in v4 && v4.protocol === 'v4.channel.k8s.io')
  })

  it('refuses what the simulated runtime cannot stream, and unknown subprotocols, with a Status', async () => {
    const tty = await wsExec('command=sh&stdin=true&tty=true')
    assert.ok('httpStatus' in tty)
    assert.equal(tty.httpStatus, 400)
    assert.deepEqual(JSON.parse(tty.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'exec with a terminal is not supported by the simulated runtime: its containers have no processes or sockets (run the node with --runtime docker)',
      reason: 'BadRequest',
      code: 400,
    })
    const bogus = await wsExec('command=true&stdout=1', ['bogus.k8s.io'])
    assert.ok('httpStatus' in bogus && bogus.httpStatus === 400)
    assert.match(JSON.parse(bogus.body).message, /^requested protocol\(s\) are not supported: \[bogus.k8s.io\]/)
    // the API server keeps serving
    assert.equal((await get('/api/v1/namespaces/default/pods/talker/log?tailLines=1')).text, 'three\n')
  })
})
