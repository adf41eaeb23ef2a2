// The simulated container runtime: an in-process state machine behind the ContainerRuntime
// interface (created -> running -> exited -> removed), with no processes, images or network.
// It plays containerd for scale and speed: thousands of simulated nodes cost a few objects
// each. What a container "does" is scripted by its pod spec, through environment variables:
//
//   OCK_SIM_EXIT_AFTER=2s       the process exits this long after it starts (default: never;
//                               500ms, 2s, 1m are understood)
//   OCK_SIM_EXIT_CODE=1         the exit code when it exits by itself (default 0; given alone,
//                               the process exits as soon as it starts)
//   OCK_SIM_IGNORE_SIGTERM=true the process ignores SIGTERM: stop waits the whole timeout, then
//                               kills it (exit 137)
//   OCK_SIM_STDOUT=text         printed (one line per \n) when the process starts: its logs
//   OCK_SIM_CPU=250m            CPU use that stats() reports (default 1m)
//   OCK_SIM_MEMORY=64Mi         memory use that stats() reports (default 4Mi)
//
// Load: setPodUsage(namespace, pod, { cpuMillis, memoryBytes }) states what a pod uses from now
// on, shared by its running containers, in place of the scripted figures: the door a harness
// uses to put a pod under load, as requests would on a real container. CPU use is integrated
// over time into a counter (stats().cpuUsageCoreSeconds), as the kernel's cgroup accounting is.
//
// Images: every reference pulls (instantly, or after `pullLatencyMs`) except those whose
// registry host is in the reserved `.invalid` domain (RFC 2606), which fail like an unknown
// host does: `registry.invalid/app:1` -> ImagePullError.
// exec understands `true`, `false`, `echo ...` and `sh -c "<cmd>; <cmd>"` with the same
// commands plus `exit N`; anything else exits 127 ("not found"), as a shell would.
// A container whose command is such a shell line, with `sleep N` among its commands
// (`[/bin/sh, -c, "sleep 0.5; exit 1"]`), runs it as its process: it prints what the echoes say,
// and exits after the sleeps with the line's exit code, as the same command does in a real
// container (the env variables above win when given); any other command runs the image's app.
// A process that gets SIGTERM without ignoring it exits at once with 143 (128 + SIGTERM).
// Simplifies: no real resource use, no filesystem, no restart by itself (the kubelet restarts);
// exec with stdin or a terminal, attach and port-forward throw NotSupportedError.
// Over 400 lines: one model of a simulated process (its scripted behaviour, its tiny shell, stop and
// kill semantics) that the runtime contract tests hold beside the Docker runtime.

import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { parseQuantity } from '../../api/quantity.js'
import {
  ContainerNotFoundError,
  ImagePullError,
  NotSupportedError,
  RuntimeUnavailableError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type StreamOptions,
  type StreamSession,
} from '../runtime.js'

export const SIM_RUNTIME_VERSION = 'sim://1.0.0'
const UNSUPPORTED = 'not supported by the simulated runtime: its containers have no processes or sockets (run the node with --runtime docker)'

export interface SimulatedRuntimeOptions {
  /** How long a pull of an image not yet on this node takes. */
  pullLatencyMs?: number
}

interface SimContainer {
  id: string
  config: ContainerConfig
  state: 'created' | 'running' | 'exited'
  createdAt: string
  startedAt?: string
  finishedAt?: string
  exitCode?: number
  reason?: string
  logs: string[]
  timer?: NodeJS.Timeout
  pid: number
  /** The scripted use (OCK_SIM_CPU, OCK_SIM_MEMORY), when no load is stated for the pod. */
  cpuMillis: number
  memoryBytes: number
  /** CPU time used so far (core-seconds) up to `accountedAt` (ms since the epoch). */
  cpuSeconds: number
  accountedAt: number
}

/** What a pod uses under a stated load (undefined fields keep the scripted figures). */
export interface PodUsage {
  cpuMillis?: number
  memoryBytes?: number
}

let nextPid = 1000

/** Parses 500ms / 2s / 1.5m / 1h; undefined when absent or malformed. */
export function parseSimDuration(s: string | undefined): number | undefined {
  if (s === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(s.trim())
  if (!m) return undefined
  const n = Number(m[1])
  switch (m[2]) {
    case 'ms':
      return n
    case 'm':
      return n * 60_000
    case 'h':
      return n * 3_600_000
    default:
      return n * 1000
  }
}

export class SimulatedRuntime implements ContainerRuntime {
  readonly name = 'simulated'
  private readonly containers = new Map<string, SimContainer>()
  private readonly images = new Map<string, string>()
  /** Stated load per pod (`<namespace>/<name>`). */
  private readonly podUsage = new Map<string, PodUsage>()
  private closed = false
  private available = true
  private readonly pullLatencyMs: number

  constructor(opts: SimulatedRuntimeOptions = {}) {
    this.pullLatencyMs = opts.pullLatencyMs ?? 0
  }

  /** Fault door: a runtime that is "down" answers every call with RuntimeUnavailableError. */
  setAvailable(available: boolean): void {
    this.available = available
  }

  async version(): Promise<string> {
    this.check()
    return SIM_RUNTIME_VERSION
  }

  async status(): Promise<{ ready: boolean; message?: string }> {
    if (this.closed) return { ready: false, message: 'runtime is closed' }
    return this.available ? { ready: true } : { ready: false, message: 'container runtime is down' }
  }

  async pullImage(image: string): Promise<{ imageId: string }> {
    this.check()
    const known = this.images.get(image)
    if (known) return { imageId: known }
    const host = registryHost(image)
    if (host && (host === 'invalid' || host.endsWith('.invalid'))) {
      throw new ImagePullError(
        image,
        `failed to pull and unpack image "${image}": failed to resolve reference "${image}": dial tcp: lookup ${host}: no such host`,
      )
    }
    if (this.pullLatencyMs > 0) await new Promise((r) => setTimeout(r, this.pullLatencyMs))
    this.check()
    const imageId = `sha256:${randomBytes(32).toString('hex')}`
    this.images.set(image, imageId)
    return { imageId }
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    this.check()
    const env = config.env ?? {}
    const id = randomBytes(32).toString('hex')
    this.containers.set(id, {
      id,
      config: structuredClone(config),
      state: 'created',
      createdAt: new Date().toISOString(),
      logs: [],
      pid: 0,
      cpuMillis: Math.round((parseQuantity(env.OCK_SIM_CPU ?? '1m') ?? 0.001) * 1000),
      memoryBytes: parseQuantity(env.OCK_SIM_MEMORY ?? '4Mi') ?? 4 * 1024 * 1024,
      cpuSeconds: 0,
      accountedAt: Date.now(),
    })
    return id
  }

  async startContainer(id: string): Promise<void> {
    this.check()
    const c = this.find(id)
    if (c.state !== 'created') throw new Error(`container ${id} cannot be started: it is ${c.state}`)
    this.accountPod(c)
    c.state = 'running'
    c.startedAt = new Date().toISOString()
    c.pid = nextPid++
    const env = c.config.env ?? {}
    if (env.OCK_SIM_STDOUT) for (const line of env.OCK_SIM_STDOUT.split('\n')) c.logs.push(line)
    const after = parseSimDuration(env.OCK_SIM_EXIT_AFTER) ?? (env.OCK_SIM_EXIT_CODE !== undefined ? 0 : undefined)
    const script = after === undefined ? mainScript([...(c.config.command ?? []), ...(c.config.args ?? [])]) : undefined
    if (after !== undefined) {
      const code = Number(env.OCK_SIM_EXIT_CODE ?? 0) || 0
      c.timer = setTimeout(() => this.exit(c, code), after)
    } else if (script) {
      c.logs.push(...script.stdout)
      c.timer = setTimeout(() => this.exit(c, script.exitCode), script.afterMs)
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.check()
    const c = this.find(id)
    if (c.state === 'created') {
      this.exit(c, 0, 'Completed')
      return
    }
    if (c.state !== 'running') return
    if (c.config.env?.OCK_SIM_IGNORE_SIGTERM !== 'true') {
      this.exit(c, 143)
      return
    }
    // SIGTERM is ignored: wait out the grace period (or until it exits by itself), then SIGKILL
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(
        () => {
          clearInterval(poll)
          resolve()
        },
        Math.max(0, timeoutSeconds) * 1000,
      )
      const poll = setInterval(() => {
        if (c.state !== 'running') {
          clearTimeout(deadline)
          clearInterval(poll)
          resolve()
        }
      }, 20)
    })
    if (c.state === 'running') this.exit(c, 137)
  }

  async removeContainer(id: string): Promise<void> {
    this.check()
    const c = this.find(id)
    if (c.state === 'running') throw new Error(`container ${id} is running: stop it before removing it`)
    clearTimeout(c.timer)
    this.containers.delete(id)
    const key = podKey(c)
    if (![...this.containers.values()].some((o) => podKey(o) === key)) this.podUsage.delete(key)
  }

  async listContainers(filter: { podUid?: string } = {}): Promise<ContainerStatus[]> {
    this.check()
    const out: ContainerStatus[] = []
    for (const c of this.containers.values()) {
      if (filter.podUid && c.config.podUid !== filter.podUid) continue
      out.push(this.statusOf(c))
    }
    return out
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    this.check()
    const c = this.find(id)
    if (c.state !== 'running') throw new Error(`container ${id} is not running`)
    return runScript(command)
  }

  /** A non-interactive exec streams its scripted result; stdin, a terminal, attach and port-forward need a process or a socket. */
  async execStream(id: string, command: string[], opts: StreamOptions): Promise<StreamSession> {
    if (opts.stdin || opts.tty) throw new NotSupportedError(`exec with ${opts.tty ? 'a terminal' : 'stdin'} is ${UNSUPPORTED}`)
    const r = await this.exec(id, command)
    const out = (text: string, wanted: boolean) => (wanted ? Readable.from(text ? [Buffer.from(text)] : []) : undefined)
    return {
      stdout: out(r.stdout, opts.stdout),
      stderr: out(r.stderr, opts.stderr),
      resize: async () => undefined,
      exitCode: Promise.resolve(r.exitCode),
      close: () => undefined,
    }
  }

  async attach(): Promise<StreamSession> {
    throw new NotSupportedError(`attach is ${UNSUPPORTED}`)
  }

  async portForward(): ReturnType<ContainerRuntime['portForward']> {
    throw new NotSupportedError(`port-forward is ${UNSUPPORTED}`)
  }

  async logs(id: string, opts: { tailLines?: number } = {}): Promise<string> {
    this.check()
    const lines = this.find(id).logs
    const shown = opts.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - opts.tailLines)) : lines
    return shown.length ? shown.join('\n') + '\n' : ''
  }

  async stats(id: string): Promise<ContainerStats> {
    this.check()
    const c = this.find(id)
    const now = Date.now()
    this.account(c, now)
    const use = this.usageOf(c)
    return { cpuMillis: use.cpuMillis, cpuUsageCoreSeconds: c.cpuSeconds, memoryBytes: use.memoryBytes, timestamp: new Date(now).toISOString() }
  }

  /**
   * The load door: from now on the pod `namespace/name` uses `usage` (shared evenly by its
   * running containers) instead of what its containers are scripted to use; undefined goes
   * back to the scripted figures. Pods this runtime does not run are remembered for when they
   * start here.
   */
  setPodUsage(namespace: string, name: string, usage: PodUsage | undefined): void {
    const key = `${namespace}/${name}`
    const now = Date.now()
    for (const c of this.containers.values()) if (podKey(c) === key) this.account(c, now)
    if (usage) this.podUsage.set(key, { ...usage })
    else this.podUsage.delete(key)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const c of this.containers.values()) clearTimeout(c.timer)
    this.containers.clear()
    this.images.clear()
    this.podUsage.clear()
  }

  // -------------------------------------------------------------------------------------------

  private check(): void {
    if (this.closed) throw new RuntimeUnavailableError('the simulated runtime is closed')
    if (!this.available) throw new RuntimeUnavailableError('the simulated runtime is down')
  }

  private find(id: string): SimContainer {
    const c = this.containers.get(id)
    if (!c) throw new ContainerNotFoundError(id)
    return c
  }

  private exit(c: SimContainer, code: number, reason?: string): void {
    if (c.state === 'exited') return
    this.accountPod(c)
    clearTimeout(c.timer)
    c.timer = undefined
    c.state = 'exited'
    c.exitCode = code
    c.reason = reason ?? (code === 0 ? 'Completed' : 'Error')
    c.finishedAt = new Date().toISOString()
  }

  /** What a container uses now: its share of the pod's stated load, or its scripted figures. */
  private usageOf(c: SimContainer): { cpuMillis: number; memoryBytes: number } {
    if (c.state !== 'running') return { cpuMillis: 0, memoryBytes: 0 }
    const stated = this.podUsage.get(podKey(c))
    if (!stated) return { cpuMillis: c.cpuMillis, memoryBytes: c.memoryBytes }
    const key = podKey(c)
    let running = 0
    for (const o of this.containers.values()) if (o.state === 'running' && podKey(o) === key) running++
    return {
      cpuMillis: stated.cpuMillis === undefined ? c.cpuMillis : stated.cpuMillis / running,
      memoryBytes: stated.memoryBytes === undefined ? c.memoryBytes : Math.round(stated.memoryBytes / running),
    }
  }

  /** Adds the CPU used since the last accounting to the container's counter. */
  private account(c: SimContainer, now: number): void {
    const elapsed = Math.max(0, now - c.accountedAt)
    c.cpuSeconds += (this.usageOf(c).cpuMillis / 1000) * (elapsed / 1000)
    c.accountedAt = now
  }

  /** Accounts every container of c's pod: their shares change when one starts or stops. */
  private accountPod(c: SimContainer): void {
    const key = podKey(c)
    const now = Date.now()
    for (const o of this.containers.values()) if (podKey(o) === key) this.account(o, now)
  }

  private statusOf(c: SimContainer): ContainerStatus {
    const s: ContainerStatus = {
      id: c.id,
      podUid: c.config.podUid,
      name: c.config.name,
      image: c.config.image,
      imageId: this.images.get(c.config.image),
      attempt: c.config.attempt,
      state: c.state,
      createdAt: c.createdAt,
    }
    if (c.startedAt) s.startedAt = c.startedAt
    if (c.finishedAt) s.finishedAt = c.finishedAt
    if (c.exitCode !== undefined) s.exitCode = c.exitCode
    if (c.reason) s.reason = c.reason
    if (c.state === 'running') s.pid = c.pid
    return s
  }
}

function podKey(c: SimContainer): string {
  return `${c.config.podNamespace}/${c.config.podName}`
}

/** The registry host of an image reference, if it names one (`registry.internal/ock/app:1`). */
export function registryHost(image: string): string | undefined {
  const first = image.split('/')[0]!
  if (!image.includes('/')) return undefined
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first.split(':')[0] : undefined
}

/**
 * A container command the simulated runtime runs as its process: `sh -c` (or `/bin/sh -c`) with a
 * line of `sleep N`, `echo ...`, `true`, `false` and `exit N`, at least one sleep or exit among
 * them: how long it runs, what it prints (lines) and its exit code. Undefined for any other
 * command (the image's app runs, as before).
 */
export function mainScript(argv: string[]): { afterMs: number; exitCode: number; stdout: string[] } | undefined {
  const [cmd, flag, line, ...rest] = argv
  if ((cmd !== 'sh' && cmd !== '/bin/sh') || flag !== '-c' || line === undefined || rest.length) return undefined
  let afterMs = 0
  let exitCode = 0
  let ends = false
  const stdout: string[] = []
  for (const part of line
    .split(/;|&&|\n/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const words = part.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? []
    if (words[0] === 'sleep' && words.length === 2 && /^\d+(\.\d+)?$/.test(words[1]!)) {
      afterMs += Number(words[1]) * 1000
      ends = true
      continue
    }
    if (words[0] === 'exit' && words.length <= 2 && /^\d*$/.test(words[1] ?? '')) return { afterMs, exitCode: Number(words[1] ?? 0), stdout }
    if (!['true', 'false', 'echo'].includes(words[0] ?? '')) return undefined
    const r = runWords(words)
    stdout.push(...r.stdout.split('\n').slice(0, -1))
    exitCode = r.exitCode
  }
  return ends ? { afterMs, exitCode, stdout } : undefined
}

/** The tiny shell of the simulated containers (see the file header). */
export function runScript(command: string[]): ExecResult {
  const [cmd, ...args] = command
  if (cmd === 'sh' && args[0] === '-c') return runLine(args.slice(1).join(' '))
  return runWords([cmd ?? '', ...args])
}

function runLine(line: string): ExecResult {
  let stdout = ''
  let stderr = ''
  let exitCode = 0
  for (const part of line
    .split(/;|&&/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const words = part.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? []
    if (words[0] === 'exit') return { exitCode: Number(words[1] ?? 0) || 0, stdout, stderr }
    const r = runWords(words)
    stdout += r.stdout
    stderr += r.stderr
    exitCode = r.exitCode
  }
  return { exitCode, stdout, stderr }
}

function runWords([cmd, ...args]: string[]): ExecResult {
  switch (cmd) {
    case 'true':
      return { exitCode: 0, stdout: '', stderr: '' }
    case 'false':
      return { exitCode: 1, stdout: '', stderr: '' }
    case 'echo':
      return { exitCode: 0, stdout: args.join(' ') + '\n', stderr: '' }
    default:
      return { exitCode: 127, stdout: '', stderr: `sh: ${cmd}: not found\n` }
  }
}
