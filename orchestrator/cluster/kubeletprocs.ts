// The parent's side of kubelets as OS processes (`ock up`): for each node it writes what a
// joined machine keeps on disk (the cluster CA, the kubelet's client certificate and key, its
// serving certificate and key, its configuration; files mode 0600 under <dir>/nodes/<name>/),
// spawns `node bin/ock.js kubelet --config FILE` (./kubeletproc.ts) with an IPC channel, waits
// until the kubelet reports it started, and signals, stops and starts it again on request, as a
// machine's service manager does. A kubelet that exits by itself (a crash, a SIGKILL from
// `ock fault`) is recorded as stopped, not restarted: starting it again is a request too.
// Nothing outlives the parent: stop() SIGCONTs then SIGTERMs each kubelet (SIGKILL after a
// grace period), the parent's exit SIGKILLs any left, and a kubelet exits by itself when its
// IPC channel closes (./kubeletproc.ts), so also after `kill -9` of the parent (a kubelet
// frozen by SIGSTOP is woken by the kernel for that: setpriv --pdeathsig CONT, where installed).
// Mirrors a systemd unit per node (Restart=no), without systemd.

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubeletProcessConfig, KubeletProcessReport, KubeletProcessRequest } from './kubeletproc.js'

const SETPRIV = '/usr/bin/setpriv'

/** The command that starts one kubelet process (the config file's path is appended after --config). */
export const KUBELET_COMMAND: readonly string[] = [process.execPath, fileURLToPath(new URL('../../bin/ock.js', import.meta.url)), 'kubelet']

/** What a node's kubelet process needs besides its files' contents. */
export interface KubeletProcessSpec extends Omit<KubeletProcessConfig, 'caFile' | 'clientCertFile' | 'clientKeyFile' | 'servingCertFile' | 'servingKeyFile'> {
  caPem: string
  client: { certPem: string; keyPem: string }
  serving: { certPem: string; keyPem: string }
}

interface Running {
  child: ChildProcess
  exited: Promise<void>
}

export class KubeletProcesses {
  private readonly running = new Map<string, Running>()
  private readonly listeners = new Set<() => void>()
  private readonly killOnExit = (): void => {
    for (const r of this.running.values()) r.child.kill('SIGKILL')
  }

  constructor(
    /** The cluster's state directory (`.ock` of `ock up`). */
    private readonly dir: string,
    private readonly command: readonly string[] = KUBELET_COMMAND,
    private readonly startTimeoutMs = 60_000,
  ) {
    process.on('exit', this.killOnExit)
  }

  /** The pid of each node's kubelet that runs now. */
  pids(): Record<string, number> {
    return Object.fromEntries([...this.running].map(([name, r]) => [name, r.child.pid!]))
  }

  pid(name: string): number | undefined {
    return this.running.get(name)?.child.pid
  }

  isRunning(name: string): boolean {
    return this.running.has(name)
  }

  /** Calls `fn` after a kubelet process started or exited; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Writes the node's files and starts its kubelet; resolves with the endpoint's port once it runs. A no-op returning undefined if it runs. */
  async start(spec: KubeletProcessSpec): Promise<number | undefined> {
    const name = spec.kubelet.nodeName
    if (this.running.has(name)) return undefined
    const file = await this.writeFiles(spec)
    // a kubelet frozen with SIGSTOP cannot notice its parent's death: the kernel wakes it then
    // (PR_SET_PDEATHSIG SIGCONT, through util-linux's setpriv), and it stops as below
    const [bin, ...args] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'CONT', ...this.command] : this.command
    const child = spawn(bin!, [...args, '--config', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    this.running.set(name, { child, exited })
    void exited.then(() => {
      if (this.running.get(name)?.child === child) this.running.delete(name)
      this.changed()
    })
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the kubelet of ${name} did not start within ${this.startTimeoutMs} ms`)), this.startTimeoutMs)
        child.on('message', (m: KubeletProcessReport) => {
          if (m.type === 'started') resolve(m.port)
          else if (m.type === 'failed') reject(new Error(`the kubelet of ${name} failed to start: ${m.message}`))
        })
        child.once('error', reject)
        void exited.then(() => reject(new Error(`the kubelet of ${name} exited before it started (code ${child.exitCode}, signal ${child.signalCode})`)))
        void exited.finally(() => clearTimeout(timer))
        child.once('message', () => clearTimeout(timer))
      })
      this.changed()
      return port
    } catch (e) {
      child.kill('SIGKILL')
      throw e
    }
  }

  /** Sends `signal` to the node's kubelet (SIGSTOP freezes it, SIGCONT thaws it); false when it does not run. */
  signal(name: string, signal: NodeJS.Signals): boolean {
    const r = this.running.get(name)
    return r ? r.child.kill(signal) : false
  }

  /** A fault request the kubelet applies itself (an unreachable runtime, pressure). */
  send(name: string, request: KubeletProcessRequest): void {
    const r = this.running.get(name)
    if (r?.child.connected) r.child.send(request)
  }

  /** Stops the node's kubelet with `signal` (thawed first) and waits until it is gone, SIGKILL after `graceMs`. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const r = this.running.get(name)
    if (!r) return
    r.child.kill('SIGCONT')
    r.child.kill(signal)
    const timer = setTimeout(() => r.child.kill('SIGKILL'), graceMs)
    await r.exited
    clearTimeout(timer)
  }

  /** Stops every kubelet and removes the nodes' files; afterwards the parent's exit no longer needs to. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((n) => this.stop(n)))
    process.off('exit', this.killOnExit)
    await rm(join(this.dir, 'nodes'), { recursive: true, force: true })
  }

  private async writeFiles(spec: KubeletProcessSpec): Promise<string> {
    const dir = join(this.dir, 'nodes', spec.kubelet.nodeName)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const files = {
      caFile: ['ca.crt', spec.caPem],
      clientCertFile: ['kubelet-client.crt', spec.client.certPem],
      clientKeyFile: ['kubelet-client.key', spec.client.keyPem],
      servingCertFile: ['kubelet.crt', spec.serving.certPem],
      servingKeyFile: ['kubelet.key', spec.serving.keyPem],
    } as const
    const config: Partial<KubeletProcessConfig> = {}
    for (const [key, [file, pem]] of Object.entries(files)) {
      const path = join(dir, file)
      await writePrivate(path, pem)
      config[key as keyof typeof files] = path
    }
    const { caPem: _ca, client: _client, serving: _serving, ...rest } = spec
    const file = join(dir, 'config.json')
    await writePrivate(file, JSON.stringify({ ...rest, ...config } as KubeletProcessConfig, null, 2))
    return file
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }
}

/** A file only its owner may read, also when it existed with looser permissions. */
async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 })
  await chmod(path, 0o600)
}
