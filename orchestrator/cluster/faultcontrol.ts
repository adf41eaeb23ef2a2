// Where `ock up`'s processes are, and how a fault provider reaches them from outside: the
// running cluster writes <dir>/processes.json (node -> kubelet pid, master -> the pid its API
// server, controller manager and scheduler run in, etcd member -> pid; null when stopped) and
// answers fault requests on a Unix socket, <dir>/control.sock (mode 0600; in the temp dir when
// that path is too long for a socket). `ock fault OPERATION
// [NAME] [VALUE] [--dir DIR]` is the client: it freezes and thaws a node by signalling its
// kubelet's pid itself (SIGSTOP, SIGCONT, as `kill -STOP` would), and asks the cluster for the
// rest, because starting a process again needs its parent (stopKubelet SIGKILLs the kubelet
// there, as a crash; its containers keep running). Three operations take a value, checked on
// both sides against a strict pattern: a node's pressure (`setPressure node-2 DiskPressure`,
// sent to its kubelet process, which reports it), its kubelet's version (`setKubeletVersion
// node-2 v1.28.9` restarts the kubelet process as that version; `resetKubeletVersion node-2` as
// its own), and the CronJob controller's schedule clock (`advanceScheduleClock 3600`, whole
// seconds forward; it never goes back, and needs no healing: only that controller reads it,
// ./scheduleclock.ts). faultCommandsFor(dir) is the `faults` section of a target
// configuration (support/targets/config.ts, provider `commands`) over these commands: argv
// lists, never a shell. Mirrors what an operator's scripts do over ssh and systemctl on a real
// cluster's machines. Simplified: masters and their components run inside the `ock up` process,
// so their operations are the in-process doors (the masters' pid is `ock up`'s own).

import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createConnection, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PRESSURE_CONDITIONS, type PressureCondition } from '../kubelet/faults.js'
import type { Cluster } from './cluster.js'

/** processes.json, as `ock up` writes it. */
export interface ProcessesState {
  /** The `ock up` process. */
  pid: number
  /** The Unix socket that takes fault requests. */
  control: string
  nodes: Record<string, number | null>
  masters: Record<string, { apiServer: number; controllerManager: number; scheduler: number }>
  etcd: Record<string, number | null>
}

type Subject = 'node' | 'member' | 'master'
/** The value an operation takes besides its subject: its placeholder's name (`{condition}`). */
export type FaultParameter = 'condition' | 'version' | 'seconds'
interface OperationShape {
  subject?: Subject
  parameter?: FaultParameter
}

/**
 * The operations `ock fault` performs: what each acts on (none: the cluster as a whole) and the
 * value it takes besides (support/targets/faults/operations.ts names them and their placeholders).
 */
export const FAULT_OPERATIONS = {
  stopKubelet: { subject: 'node' },
  startKubelet: { subject: 'node' },
  restartKubelet: { subject: 'node' },
  freezeHeartbeats: { subject: 'node' },
  unfreezeHeartbeats: { subject: 'node' },
  stopRuntime: { subject: 'node' },
  startRuntime: { subject: 'node' },
  killEtcdMember: { subject: 'member' },
  restartEtcdMember: { subject: 'member' },
  stopMaster: { subject: 'master' },
  startMaster: { subject: 'master' },
  stopControllerManager: { subject: 'master' },
  startControllerManager: { subject: 'master' },
  stopScheduler: { subject: 'master' },
  startScheduler: { subject: 'master' },
  setPressure: { subject: 'node', parameter: 'condition' },
  clearPressure: { subject: 'node', parameter: 'condition' },
  setKubeletVersion: { subject: 'node', parameter: 'version' },
  resetKubeletVersion: { subject: 'node' },
  advanceScheduleClock: { parameter: 'seconds' },
} as const satisfies Record<string, OperationShape>

export type FaultOperation = keyof typeof FAULT_OPERATIONS

/**
 * What a value may be, per parameter: nothing a command line could read as an option (no leading
 * `-`) or a shell word. The cluster target's fault providers check the same before they
 * substitute a value (support/targets/faults/operations.ts).
 */
export const FAULT_VALUES: Readonly<Record<FaultParameter, { valid: (v: string) => boolean; is: string; noun: string }>> = {
  condition: {
    valid: (v) => (PRESSURE_CONDITIONS as readonly string[]).includes(v),
    is: `one of ${PRESSURE_CONDITIONS.join(', ')}`,
    noun: 'a pressure condition',
  },
  version: { valid: (v) => /^v\d{1,4}\.\d{1,4}\.\d{1,4}$/.test(v), is: 'a release version such as v1.31.0', noun: 'a kubelet version' },
  seconds: { valid: (v) => /^[1-9]\d{0,9}$/.test(v), is: 'a positive whole number of seconds', noun: 'a number of seconds' },
}

/** The usage line, for a wrong command line. */
function usage(): string {
  const ops = (Object.entries(FAULT_OPERATIONS) as [string, OperationShape][]).map(([op, s]) =>
    [op, s.subject && s.subject.toUpperCase(), s.parameter && s.parameter.toUpperCase()].filter(Boolean).join(' '),
  )
  return `usage: ock fault OPERATION [NAME] [VALUE] [--dir DIR]; operations: ${ops.join(', ')}`
}

/**
 * Splits `ock fault`'s positionals into the operation's subject and value as the operation
 * takes them, checking the value; an error message when they do not fit.
 */
export function faultArguments(op: string, args: string[]): { op: FaultOperation; name?: string; value?: string } | { error: string } {
  const spec: OperationShape | undefined = Object.hasOwn(FAULT_OPERATIONS, op) ? FAULT_OPERATIONS[op as FaultOperation] : undefined
  if (!spec) return { error: `unknown operation "${op}"; ${usage()}` }
  const want = [spec.subject, spec.parameter].filter(Boolean).length
  if (args.length !== want)
    return {
      error: `${op} takes ${[spec.subject && `a ${spec.subject}`, spec.parameter && FAULT_VALUES[spec.parameter].noun].filter(Boolean).join(' and ') || 'nothing'}, got ${args.length} argument(s); ${usage()}`,
    }
  const name = spec.subject ? args[0] : undefined
  const value = spec.parameter ? args[want - 1] : undefined
  if (spec.parameter && !FAULT_VALUES[spec.parameter].valid(value!))
    return { error: `refusing the ${spec.parameter} ${JSON.stringify(value)} for ${op}: expected ${FAULT_VALUES[spec.parameter].is}` }
  return { op: op as FaultOperation, ...(name === undefined ? {} : { name }), ...(value === undefined ? {} : { value }) }
}

/** The `faults` section of a target configuration (the `commands` provider's shape). */
export interface FaultCommands {
  provider: 'commands'
  timeoutMs: number
  commands: Partial<Record<FaultOperation, string[]>>
}

const OCK_BIN = fileURLToPath(new URL('../../bin/ock.js', import.meta.url))
export const PROCESSES_FILE = 'processes.json'
export const CONTROL_SOCKET = 'control.sock'

/**
 * The `faults` section for the `ock up` whose state directory is `dir`: one `ock fault` command
 * per operation, its subject and value as placeholders (`{node} {condition}`); the etcd
 * operations only with `etcd`.
 */
export function faultCommandsFor(dir: string, opts: { etcd?: boolean; timeoutMs?: number } = {}): FaultCommands {
  const commands: FaultCommands['commands'] = {}
  for (const [op, { subject, parameter }] of Object.entries(FAULT_OPERATIONS) as [FaultOperation, OperationShape][]) {
    if (subject === 'member' && !opts.etcd) continue
    const placeholders = [subject, parameter].filter((p) => p !== undefined).map((p) => `{${p}}`)
    commands[op] = [process.execPath, OCK_BIN, 'fault', op, ...placeholders, '--dir', dir]
  }
  return { provider: 'commands', timeoutMs: opts.timeoutMs ?? 60_000, commands }
}

/** The running cluster's side: keeps processes.json current and answers fault requests until close(). */
export class FaultControl {
  private constructor(
    private readonly cluster: Cluster,
    private readonly dir: string,
    private readonly socket: string,
    private readonly server: Server,
    private readonly unsubscribe: () => void,
  ) {}

  static async serve(cluster: Cluster, dir: string): Promise<FaultControl> {
    // a Unix socket's path holds about 100 bytes: a deep state directory gets one in the temp dir
    // (processes.json names it either way)
    const socket = join(dir, CONTROL_SOCKET).length < 100 ? join(dir, CONTROL_SOCKET) : join(tmpdir(), `ock-control-${process.pid}.sock`)
    await rm(socket, { force: true })
    const server = createServer((conn) => {
      let buf = ''
      conn.setEncoding('utf8')
      conn.on('data', (chunk: string) => {
        buf += chunk
        const nl = buf.indexOf('\n')
        if (nl < 0) return
        let request: { op?: string; name?: string; value?: string }
        try {
          request = JSON.parse(buf.slice(0, nl)) as { op?: string; name?: string; value?: string }
        } catch {
          conn.end(`${JSON.stringify({ ok: false, error: 'not a JSON request' })}\n`)
          return
        }
        void control
          .perform(
            String(request.op),
            request.name === undefined ? undefined : String(request.name),
            request.value === undefined ? undefined : String(request.value),
          )
          .then(
            () => ({ ok: true }),
            (e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }),
          )
          .then((reply) => conn.end(`${JSON.stringify(reply)}\n`))
      })
      conn.on('error', () => undefined)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socket, () => resolve())
    })
    await chmod(socket, 0o600)
    const unsubscribe = cluster.nodes.processes?.onChange(() => void control.writeState()) ?? (() => undefined)
    const control: FaultControl = new FaultControl(cluster, dir, socket, server, unsubscribe)
    await control.writeState()
    return control
  }

  /** What processes.json says now. */
  state(): ProcessesState {
    const c = this.cluster
    const pids = c.nodes.processes?.pids() ?? {}
    return {
      pid: process.pid,
      control: this.socket,
      nodes: Object.fromEntries([...c.nodeNames].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => [n, pids[n] ?? null])),
      masters: Object.fromEntries(c.masters.map((m) => [m.name, { apiServer: process.pid, controllerManager: process.pid, scheduler: process.pid }])),
      etcd: Object.fromEntries((c.etcd?.members ?? []).map((m) => [m.name, m.process && !m.exited ? (m.process.pid ?? null) : null])),
    }
  }

  /**
   * Replaces processes.json at once (written aside, then renamed over it): `ock fault` clients
   * read it while operations run side by side, and a file being rewritten in place reads empty.
   */
  async writeState(): Promise<void> {
    const aside = join(this.dir, `.${PROCESSES_FILE}.${process.pid}.${++this.writes}`)
    await writeFile(aside, `${JSON.stringify(this.state(), null, 2)}\n`)
    await rename(aside, join(this.dir, PROCESSES_FILE))
  }

  private writes = 0

  /** Performs one operation on one subject (none for the clock), with its value; throws with a message for the caller. */
  async perform(op: string, name: string | undefined, value?: string): Promise<void> {
    const args = faultArguments(
      op,
      [name, value].filter((a): a is string => a !== undefined),
    )
    if ('error' in args) throw new Error(args.error)
    const operation = args.op
    const c = this.cluster
    const subject = (FAULT_OPERATIONS[operation] as OperationShape).subject
    if (subject) {
      const known = subject === 'node' ? c.nodeNames : subject === 'master' ? c.masters.map((m) => m.name) : (c.etcd?.members.map((m) => m.name) ?? [])
      if (!known.includes(args.name!)) throw new Error(`no ${subject} named "${args.name}" in this cluster (${subject}s: ${known.join(', ') || 'none'})`)
    }
    name = args.name!
    try {
      switch (operation) {
        case 'stopKubelet':
          // a crash: SIGKILL, the containers keep running
          return c.nodes.processes ? await c.nodes.processes.stop(name, 'SIGKILL') : await c.stopKubelet(name)
        case 'startKubelet':
          return await c.startKubelet(name)
        case 'restartKubelet':
          return await c.restartKubelet(name)
        case 'freezeHeartbeats':
          return c.freezeHeartbeats(name, true)
        case 'unfreezeHeartbeats':
          return c.freezeHeartbeats(name, false)
        case 'stopRuntime':
          return c.setRuntimeReachable(name, false)
        case 'startRuntime':
          return c.setRuntimeReachable(name, true)
        case 'killEtcdMember':
          return await c.etcd!.kill(name)
        case 'restartEtcdMember':
          return await c.etcd!.restart(name)
        case 'stopMaster':
          return await c.killApiServer(name)
        case 'startMaster':
          return await c.restartApiServer(name)
        case 'stopControllerManager':
          return await c.crashControllerManager(name)
        case 'startControllerManager':
          return await c.startControllerManager(name)
        case 'stopScheduler':
          return await c.crashScheduler(name)
        case 'startScheduler':
          return await c.startScheduler(name)
        case 'setPressure':
          return c.setPressure(name, args.value as PressureCondition, true)
        case 'clearPressure':
          return c.setPressure(name, args.value as PressureCondition, false)
        case 'setKubeletVersion':
          return await c.setKubeletVersion(name, args.value)
        case 'resetKubeletVersion':
          return await c.setKubeletVersion(name, undefined)
        case 'advanceScheduleClock':
          return c.advanceScheduleClock(Number(args.value) * 1000)
      }
    } finally {
      await this.writeState()
    }
  }

  /** Stops answering and removes the socket and processes.json. */
  async close(): Promise<void> {
    this.unsubscribe()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await rm(this.socket, { force: true })
    await rm(join(this.dir, PROCESSES_FILE), { force: true })
  }
}

function fail(message: string): never {
  process.stderr.write(`ock fault: ${message}\n`)
  process.exit(1)
}

/** `ock fault OPERATION [NAME] [VALUE] [--dir DIR]`: the client (a fault provider's command). */
export async function main(argv: string[]): Promise<void> {
  const { parseArgs } = await import('node:util')
  const { values, positionals } = parseArgs({ args: argv, options: { dir: { type: 'string', default: '.ock' } }, allowPositionals: true, strict: true })
  const [op, ...rest] = positionals
  if (!op) fail(usage())
  const args = faultArguments(op, rest)
  if ('error' in args) fail(args.error)
  const { name, value } = args
  const dir = values.dir
  let state: ProcessesState
  try {
    state = JSON.parse(await readFile(join(dir, PROCESSES_FILE), 'utf8')) as ProcessesState
  } catch {
    fail(`no cluster from 'ock up' runs with its state in ${dir} (no ${PROCESSES_FILE})`)
  }
  if ((op === 'freezeHeartbeats' || op === 'unfreezeHeartbeats') && name !== undefined) {
    if (!Object.hasOwn(state.nodes, name)) fail(`no node named "${name}" (nodes: ${Object.keys(state.nodes).join(', ')})`)
    const pid = state.nodes[name]
    if (!pid) fail(`the kubelet of ${name} is not running`)
    process.kill(pid, op === 'freezeHeartbeats' ? 'SIGSTOP' : 'SIGCONT')
    return
  }
  const reply = await new Promise<{ ok: boolean; error?: string }>((resolve, reject) => {
    const conn = createConnection(state.control)
    let buf = ''
    conn.setEncoding('utf8')
    conn.on('connect', () => conn.write(`${JSON.stringify({ op, name, value })}\n`))
    conn.on('data', (chunk: string) => (buf += chunk))
    conn.on('end', () => {
      try {
        resolve(JSON.parse(buf) as { ok: boolean; error?: string })
      } catch {
        reject(new Error(`the cluster answered ${JSON.stringify(buf)}`))
      }
    })
    conn.on('error', reject)
  }).catch((e: unknown) => fail(`cannot reach the cluster at ${state.control}: ${e instanceof Error ? e.message : String(e)}`))
  if (!reply.ok) fail(reply.error ?? 'failed')
}
