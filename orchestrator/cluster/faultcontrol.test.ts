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

test('faultCommandsFor: one `ock fault` argv per operation, its subject and value as placeholders, etcd only with etcd', () => {
  const plain = faultCommandsFor('/x/.ock')
  assert.equal(plain.provider, 'commands')
  assert.deepEqual(plain.commands.stopKubelet, [process.execPath, OCK, 'fault', 'stopKubelet', '{node}', '--dir', '/x/.ock'])
  assert.equal(plain.commands.killEtcdMember, undefined)
  const withEtcd = faultCommandsFor('/x/.ock', { etcd: true })
  const cases: [keyof typeof FAULT_OPERATIONS, string[]][] = [
    ['freezeHeartbeats', ['{node}']],
    ['stopRuntime', ['{node}']],
    ['killEtcdMember', ['{member}']],
    ['restartEtcdMember', ['{member}']],
    ['stopMaster', ['{master}']],
    ['startScheduler', ['{master}']],
    ['setPressure', ['{node}', '{condition}']],
    ['clearPressure', ['{node}', '{condition}']],
    ['setKubeletVersion', ['{node}', '{version}']],
    ['resetKubeletVersion', ['{node}']],
    ['advanceScheduleClock', ['{seconds}']],
  ]
  for (const [op, placeholders] of cases) assert.deepEqual(withEtcd.commands[op]?.slice(2), ['fault', op, ...placeholders, '--dir', '/x/.ock'], op)
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
    setPressure: record('setPressure'),
    setKubeletVersion: record('setKubeletVersion'),
    advanceScheduleClock: record('advanceScheduleClock'),
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
    [['reboot', 'node-1'], 1, /unknown operation "reboot"; usage: ock fault OPERATION \[NAME\] \[VALUE\]/, undefined],
    [['setPressure', 'node-2', 'DiskPressure'], 0, undefined, 'setPressure node-2 DiskPressure true'],
    [['clearPressure', 'node-2', 'PIDPressure'], 0, undefined, 'setPressure node-2 PIDPressure false'],
    [['setKubeletVersion', 'node-1', 'v1.28.9'], 0, undefined, 'setKubeletVersion node-1 v1.28.9'],
    [['resetKubeletVersion', 'node-1'], 0, undefined, 'setKubeletVersion node-1 '],
    [['advanceScheduleClock', '3600'], 0, undefined, 'advanceScheduleClock 3600000'],
    [
      ['setPressure', 'node-2', 'NetworkPressure'],
      1,
      /refusing the condition "NetworkPressure" for setPressure: expected one of MemoryPressure, DiskPressure, PIDPressure/,
      undefined,
    ],
    [['setPressure', 'node-2'], 1, /setPressure takes a node and a pressure condition, got 1 argument/, undefined],
    [['setPressure', 'node-9', 'DiskPressure'], 1, /no node named "node-9"/, undefined],
    [['setKubeletVersion', 'node-1', 'v1.28'], 1, /refusing the version "v1\.28" for setKubeletVersion: expected a release version/, undefined],
    [['setKubeletVersion', 'node-1', '1.28.9;reboot'], 1, /refusing the version "1\.28\.9;reboot"/, undefined],
    [['resetKubeletVersion', 'node-1', 'v1.31.0'], 1, /resetKubeletVersion takes a node, got 2 argument/, undefined],
    [['advanceScheduleClock', '0'], 1, /refusing the seconds "0" for advanceScheduleClock: expected a positive whole number of seconds/, undefined],
    [['advanceScheduleClock', '1.5'], 1, /refusing the seconds "1\.5"/, undefined],
    [['advanceScheduleClock', 'master-0', '60'], 1, /advanceScheduleClock takes a number of seconds, got 2 argument/, undefined],
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

test('the control socket checks what it is sent as the command line does (a client other than ock fault)', async () => {
  const cases: [op: string, name: string | undefined, value: string | undefined, error: RegExp | undefined, call: string | undefined][] = [
    ['setPressure', 'node-2', 'MemoryPressure', undefined, 'setPressure node-2 MemoryPressure true'],
    ['setPressure', 'node-2', '--all', /refusing the condition "--all"/, undefined],
    ['setKubeletVersion', 'node-2', undefined, /setKubeletVersion takes a node and a kubelet version, got 1 argument/, undefined],
    ['advanceScheduleClock', undefined, '-5', /refusing the seconds "-5"/, undefined],
    ['advanceScheduleClock', undefined, '60', undefined, 'advanceScheduleClock 60000'],
  ]
  for (const [op, name, value, error, call] of cases) {
    calls.length = 0
    const done = control.perform(op, name, value)
    if (error) await assert.rejects(done, error, op)
    else await done
    assert.deepEqual(calls, call ? [call] : [], `${op} ${name} ${value}`)
  }
})
