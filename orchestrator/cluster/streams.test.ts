// Streams end to end on real containers, as a user drives them: kubectl 1.32 (exec -i with an
// exit code, exec -t in a pseudo-terminal, cp both ways, port-forward through its
// SPDY-over-WebSocket tunnel) and the official Python client (exec with its returncode,
// portforward) against a one-node cluster on the Docker runtime. Skipped with the reason where
// the Docker engine, kubectl, `script` or python3-kubernetes is missing, unless
// OCK_REQUIRE_CLIENTS=1 (CI), where a missing one fails.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import type { Pod } from '../api/types.js'
import { Identities } from '../pki/pki.js'
import { Cluster, dockerEngineStatus } from './cluster.js'

const PYTHON = process.env.OCK_PYTHON ?? '/usr/bin/python3'
const missing: string[] = []
const engine = await dockerEngineStatus()
if (!engine.available) missing.push(`no Docker engine (${engine.reason})`)
for (const [cmd, args] of [
  ['kubectl', ['version', '--client']],
  ['script', ['--version']],
  [PYTHON, ['-c', 'import kubernetes']],
] as const)
  if ((await execa(cmd, [...args], { reject: false })).exitCode !== 0) missing.push(`no ${cmd === PYTHON ? 'python3-kubernetes' : cmd}`)
const skip = missing.length && process.env.OCK_REQUIRE_CLIENTS !== '1' ? missing.join('; ') : false

const PY = `
import sys, json
from kubernetes import client, config
from kubernetes.stream import stream, portforward
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
out = {}
ws = stream(v1.connect_get_namespaced_pod_exec, 'p', 'default', command=['sh', '-c', 'echo out; echo err >&2; exit 3'],
            stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
ws.run_forever(timeout=10)
out['exec'] = [ws.read_stdout(), ws.read_stderr(), ws.returncode]
pf = portforward(v1.connect_get_namespaced_pod_portforward, 'p', 'default', ports='8080')
s = pf.socket(8080)
s.setblocking(True)
s.sendall(b'GET /version HTTP/1.0\\r\\nHost: p\\r\\n\\r\\n')
data = b''
while True:
    chunk = s.recv(4096)
    if not chunk: break
    data += chunk
out['portforward'] = data.decode().split('\\r\\n\\r\\n', 1)[-1]
print(json.dumps(out))
`

describe('exec, cp and port-forward on the Docker runtime, from kubectl and the Python client', { skip, timeout: 120_000 }, () => {
  let cluster: Cluster
  let dir: string
  let env: Record<string, string>

  before(async () => {
    cluster = await Cluster.start({ nodes: 1, runtime: 'docker' })
    dir = mkdtempSync(join(tmpdir(), 'ock-streams-'))
    writeFileSync(join(dir, 'kubeconfig'), cluster.adminKubeconfig('default'))
    env = { KUBECONFIG: join(dir, 'kubeconfig') }
    const admin = await cluster.client(Identities.admin)
    const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' }
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:1' }] },
    })
    for (const deadline = Date.now() + 30_000; ;) {
      // eventually: the pod is Running (a bounded poll, not a sleep in the assertion)
      const pod = await admin.get<Pod>({ ...pods, name: 'p' })
      if (pod.status?.phase === 'Running') break
      if (Date.now() > deadline) assert.fail(`pod p is not Running: ${JSON.stringify(pod.status)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    admin.close()
  })
  after(async () => {
    await cluster?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const kubectl = (args: string[], input?: string) => execa('kubectl', args, { env, input, reject: false, timeout: 20_000 })

  it('kubectl exec -i: stdin reaches the command, and its exit code is kubectl’s', async () => {
    const echo = await kubectl(['exec', '-i', 'p', '--', 'cat'], 'hello\n')
    assert.deepEqual([echo.stdout, echo.exitCode], ['hello', 0])
    const failed = await kubectl(['exec', '-i', 'p', '--', 'sh', '-c', 'cat; exit 3'], 'hi\n')
    assert.deepEqual([failed.stdout, failed.stderr, failed.exitCode], ['hi', 'command terminated with exit code 3', 3])
  })

  it('kubectl exec -it: a terminal of the size kubectl has', async () => {
    // a shell in a pseudo-terminal of 100x40; the commands are typed once it prompts (kubectl's
    // first resize races a command that reads the size at once, on a real cluster too)
    const child = execa('script', ['-qfec', 'stty cols 100 rows 40; kubectl exec -it p -- sh', '/dev/null'], { env, reject: false, timeout: 20_000 })
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      const first = !out.includes('# ')
      out += d.toString()
      if (first && out.includes('# ')) child.stdin!.write('tty; stty size; exit 5\r')
    })
    const r = await child
    assert.match(out, /\/dev\/pts\/\d+\r?\n40 100/)
    assert.equal(r.exitCode, 5)
  })

  it('kubectl cp copies a file into the container and back, byte for byte', async () => {
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256))
    writeFileSync(join(dir, 'in.bin'), data)
    assert.equal((await kubectl(['cp', join(dir, 'in.bin'), 'p:/tmp/in.bin'])).exitCode, 0)
    assert.equal((await kubectl(['cp', 'p:/tmp/in.bin', join(dir, 'back.bin')])).exitCode, 0)
    assert.deepEqual(readFileSync(join(dir, 'back.bin')), data)
  })

  it('kubectl port-forward reaches the pod’s port', async () => {
    const pf = execa('kubectl', ['port-forward', 'p', ':8080'], { env, reject: false })
    try {
      const port = await new Promise<string>((resolve, reject) => {
        pf.stdout!.on('data', (d: Buffer) => {
          const m = /127\.0\.0\.1:(\d+) -> 8080/.exec(d.toString())
          if (m) resolve(m[1]!)
        })
        void pf.then((r) => reject(new Error(`kubectl port-forward ended: ${r.stderr}`)))
      })
      const res = await fetch(`http://127.0.0.1:${port}/version`)
      assert.equal((await res.text()).trim(), '1')
    } finally {
      pf.kill('SIGTERM')
      await pf
    }
  })

  it('the Python client: exec with output and returncode, and portforward', async () => {
    const r = await execa(PYTHON, ['-c', PY, env.KUBECONFIG!], { reject: false, timeout: 30_000 })
    assert.equal(r.exitCode, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), { exec: ['out\n', 'err\n', 3], portforward: '1\n' })
  })
})
