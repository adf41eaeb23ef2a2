import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'
import type { Cluster } from './cluster.js'
import { FAULT_OPERATIONS, FaultControl, faultCommandsFor, type ProcessesState } from './faultcontrol.js'

const OCK = fileURLToPath(new URL('../../bin/ock.js', import.meta.url))

test('faultCommandsFor: one `ock fault` argv per operation, its subject as the placeholder, etcd only with etcd', () => {
  const plain = faultCommandsFor('/x/.ock')
  assert.equal(plain.provider, 'commands')
  assert.deepEqual(plain.commands.stopKubelet, [process.execPath, OCK, 'fault', 'stopKubelet', '{node}', '--dir', '/x/.ock'])
  assert.equal(plain.commands.killEtcdMember, undefined)
  const withEtcd = faultCommandsFor('/x/.ock', { etcd: true })
  const cases: [keyof typeof FAULT_OPERATIONS, string][] = [
    ['freezeHeartbeats', '{node}'],
    ['stopRuntime', '{node}'],
    ['killEtcdMember', '{member}'],
    ['restartEtcdMember', '{member}'],
    ['stopMaster', '{master}'],
    ['startScheduler', '{master}'],
  ]
  for (const [op, placeholder] of cases) assert.deepEqual(withEtcd.commands[op]?.slice(2), ['fault', op, placeholder, '--dir', '/x/.ock'], op)
  assert.equal(Object.keys(withEtcd.commands).length, Object.keys(FAULT_OPERATIONS).length)
})

// the socket's side against a cluster that records what it was asked; `ock fault` as a process
let dir: string
let control: FaultControl
const calls: string[] = []
const sleeper = spawn('sleep', ['60'])

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ock-faultcontrol-'))
  const record =
    (what: string) =>
    async (...args: unknown[]): Promise<void> => {
      calls.push(`${what} ${args.join(' ')}`)
    }
  const fake = {
    nodeNames: ['node-2', 'node-1'],
    masters: [{ name: 'master-0' }],
    etcd: undefined,
    nodes: { processes: { pids: () => ({ 'node-1': sleeper.pid }), onChange: () => () => undefined } },
    startKubelet: record('startKubelet'),
    crashScheduler: record('crashScheduler'),
    setRuntimeReachable: record('setRuntimeReachable'),
  } as unknown as Cluster
  control = await FaultControl.serve(fake, dir)
})

after(async () => {
  await control.close()
  sleeper.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

function ockFault(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  // asynchronously: the control socket is served by this process
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [OCK, 'fault', ...args, '--dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    c.on('exit', (status) => resolve({ status, stderr }))
  })
}

test('processes.json lists the nodes in order with their kubelet pids, the masters with the pid they run in', async () => {
  const s = JSON.parse(await readFile(join(dir, 'processes.json'), 'utf8')) as ProcessesState
  assert.deepEqual(s.nodes, { 'node-1': sleeper.pid, 'node-2': null })
  assert.deepEqual(s.masters, { 'master-0': { apiServer: process.pid, controllerManager: process.pid, scheduler: process.pid } })
  assert.equal(s.control, join(dir, 'control.sock'))
})

test('processes.json reads whole from another process while operations rewrite it side by side', async () => {
  const file = join(dir, 'processes.json')
  // a reader in its own process, as `ock fault` is: it counts the reads that found no whole file
  const reader = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); let bad = 0, n = 0; const end = Date.now() + 1500; while (Date.now() < end) { n++; try { JSON.parse(fs.readFileSync(process.argv[1], 'utf8')) } catch { bad++ } } console.log(JSON.stringify({ n, bad }))`,
      file,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  reader.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise((resolve) => reader.on('exit', resolve))
  while (reader.exitCode === null && !out) await control.writeState()
  await exited
  const { n, bad } = JSON.parse(out) as { n: number; bad: number }
  assert.ok(n > 0)
  assert.equal(bad, 0, `${bad} of ${n} reads found processes.json half-written`)
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.startsWith('.')),
    [],
    'no file written aside is left',
  )
})

test('ock fault: requests through the socket, freezes by signal, refuses unknown subjects with a message', async () => {
  const cases: [string[], number, RegExp | undefined, string | undefined][] = [
    [['startKubelet', 'node-2'], 0, undefined, 'startKubelet node-2'],
    [['stopScheduler', 'master-0'], 0, undefined, 'crashScheduler master-0'],
    [['stopRuntime', 'node-1'], 0, undefined, 'setRuntimeReachable node-1 false'],
    [['startKubelet', 'node-9'], 1, /no node named "node-9" in this cluster \(nodes: node-2, node-1\)/, undefined],
    [['killEtcdMember', 'etcd-0'], 1, /no member named "etcd-0" in this cluster \(members: none\)/, undefined],
    [['freezeHeartbeats', 'node-2'], 1, /the kubelet of node-2 is not running/, undefined],
    [['reboot', 'node-1'], 1, /usage: ock fault OPERATION NAME/, undefined],
  ]
  for (const [args, status, stderr, call] of cases) {
    calls.length = 0
    const r = await ockFault(...args)
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`)
    if (stderr) assert.match(r.stderr, stderr)
    assert.deepEqual(calls, call ? [call] : [], args.join(' '))
  }
  const stat = (): string => spawnSync('ps', ['-o', 'stat=', '-p', String(sleeper.pid)], { encoding: 'utf8' }).stdout.trim()
  assert.equal((await ockFault('freezeHeartbeats', 'node-1')).status, 0)
  assert.match(stat(), /^T/)
  assert.equal((await ockFault('unfreezeHeartbeats', 'node-1')).status, 0)
  assert.match(stat(), /^S/)
})
