// Two of the clients a user drives a cluster with, behind one interface, for the "clients"
// feature: kubectl (support/kubectl.ts) and the official Python client (python3-kubernetes, run
// with /usr/bin/python3 on support/pyclient.py, which prints JSON lines). Each operation returns
// what the client itself reported (its output, its exit code, the events its watch saw), so a
// step can compare that with what the API holds. Patch types are each client's own: kubectl
// sends merge, JSON, strategic merge patches and server-side apply; this Python client version
// only JSON and strategic merge patches.

import { execa, type ResultPromise } from 'execa'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kubectlArgs, splitWords } from './kubectl.js'

export type ClientName = 'kubectl' | 'python'
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply'

export const PYTHON = process.env.OCK_PYTHON ?? '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('./pyclient.py', import.meta.url))

/** The scenario's kubeconfig file and namespace (its context's namespace). */
export interface ClientContext {
  kubeconfigFile: string
  namespace: string
}

/** What a client reported for an exec: its output and the exit code it saw. */
export interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number | null
}

export interface WatchEvent {
  type: string
  name: string
}

/** A watch a client keeps open: the events it printed so far; stop() ends it. */
export interface ClientWatch {
  events(): WatchEvent[]
  stop(): Promise<void>
}

/** The patch types each client can send (as the features name them). */
export const PATCH_TYPES: Record<ClientName, PatchType[]> = { kubectl: ['merge', 'json', 'strategic', 'apply'], python: ['json', 'strategic'] }

const probes = new Map<ClientName, Promise<string | undefined>>()

/** Why this client cannot run here (not installed), or undefined when it can. */
export function clientMissing(client: ClientName): Promise<string | undefined> {
  let p = probes.get(client)
  if (!p) {
    p = (async () => {
      const [cmd, args, hint] =
        client === 'kubectl'
          ? ['kubectl', ['version', '--client'], 'kubectl is not on PATH']
          : [
              PYTHON,
              ['-c', 'import importlib.util, sys; sys.exit(importlib.util.find_spec("kubernetes") is None)'],
              `no official Python client at ${PYTHON} (apt-get install python3-kubernetes)`,
            ]
      const r = await execa(cmd, args, { reject: false, timeout: 20_000 })
      return r.exitCode === 0
        ? undefined
        : `${hint}: ${String(r.stderr || r.message)
            .trim()
            .split('\n')
            .at(-1)}`
    })()
    probes.set(client, p)
  }
  return p
}

/**
 * The scenario's Python client: one process of support/pyclient.py (importing the client takes
 * about a second), sent one request a line; its watch events arrive on the same output.
 */
export class PythonClient {
  private readonly child: ResultPromise
  private readonly pending = new Map<number, { resolve: (o: Record<string, unknown>) => void; reject: (e: Error) => void; what: string }>()
  private nextId = 1
  private out = ''
  private err = ''
  /** The watch events the client printed so far. */
  readonly events: WatchEvent[] = []

  /** The process's own temp dir (the client writes the kubeconfig's certificates there), removed when it ends. */
  private readonly tmp = mkdtempSync(join(tmpdir(), 'ock-pyclient-'))

  constructor(ctx: ClientContext) {
    this.child = execa(PYTHON, [SCRIPT, ctx.kubeconfigFile, ctx.namespace], { reject: false, stdin: 'pipe', timeout: 120_000, env: { TMPDIR: this.tmp } })
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString()
      const lines = this.out.split('\n')
      this.out = lines.pop()!
      for (const line of lines.filter(Boolean)) {
        const o = JSON.parse(line) as { id?: number; reply?: Record<string, unknown>; error?: string; event?: WatchEvent }
        if (o.event) this.events.push(o.event)
        const p = o.id === undefined ? undefined : this.pending.get(o.id)
        if (!p) continue
        this.pending.delete(o.id!)
        if (o.error !== undefined) p.reject(new Error(`the Python client failed (${p.what}): ${o.error}`))
        else p.resolve(o.reply!)
      }
    })
    this.child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()))
    void this.child.then((r) => {
      rmSync(this.tmp, { recursive: true, force: true })
      for (const p of this.pending.values()) p.reject(new Error(`the Python client ended (exit code ${r.exitCode}) during ${p.what}:\n${this.err}`))
      this.pending.clear()
    })
  }

  /** Runs one action (see support/pyclient.py); its reply, or throws with the client's error. */
  call(action: string, args: string[]): Promise<Record<string, unknown>> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what: `${action} ${args.join(' ')}` })
      this.child.stdin!.write(`${JSON.stringify({ id, action, args })}\n`)
    })
  }

  async close(): Promise<void> {
    this.child.stdin!.end()
    this.child.kill('SIGTERM')
    await this.child
  }
}

/** A scenario's clients: kubectl runs per command; the Python client is one process, started on first use. */
export class Clients {
  private py?: PythonClient
  constructor(readonly ctx: ClientContext) {}

  get python(): PythonClient {
    return (this.py ??= new PythonClient(this.ctx))
  }

  async close(): Promise<void> {
    await this.py?.close()
  }
}

async function kubectl(ctx: ClientContext, args: string[], input?: string): Promise<string> {
  const r = await kubectlArgs(args, ctx.kubeconfigFile, { input, timeoutMs: 30_000 })
  if (r.exitCode !== 0) throw new Error(`"${r.command}" failed (exit code ${r.exitCode}):\n${r.stderr}`)
  return r.stdout
}

export async function createConfigMap(client: ClientName, clients: Clients, name: string, pair: string): Promise<void> {
  if (client === 'python') await clients.python.call('create', [name, pair])
  else await kubectl(clients.ctx, ['create', 'configmap', name, `--from-literal=${pair}`])
}

/** The names of the config maps the client lists in the namespace. */
export async function listConfigMaps(client: ClientName, clients: Clients): Promise<string[]> {
  if (client === 'python') return (await clients.python.call('list', [])).names as string[]
  return (await kubectl(clients.ctx, ['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean)
}

/** Sets data[key] of a config map with one patch of this type. */
export async function patchConfigMap(client: ClientName, clients: Clients, name: string, type: PatchType, key: string, value: string): Promise<void> {
  if (!PATCH_TYPES[client].includes(type)) throw new Error(`${client} cannot send a ${type} patch`)
  if (client === 'python') {
    await clients.python.call('patch', [name, type, `${key}=${value}`])
    return
  }
  if (type === 'apply') {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { [key]: value } })
    await kubectl(clients.ctx, ['apply', '--server-side', '-f', '-'], manifest)
    return
  }
  const patch = type === 'json' ? [{ op: 'add', path: `/data/${key}`, value }] : { data: { [key]: value } }
  await kubectl(clients.ctx, ['patch', 'configmap', name, '--type', type, '-p', JSON.stringify(patch)])
}

export async function deleteConfigMap(client: ClientName, clients: Clients, name: string): Promise<void> {
  if (client === 'python') await clients.python.call('delete', [name])
  else await kubectl(clients.ctx, ['delete', 'configmap', name])
}

/**
 * Starts the client's watch of the namespace's config maps and resolves once it is open: the
 * Python client says so after its list (it watches from the list's resourceVersion), kubectl (at
 * -v=6) once it logs the answer to its watch request.
 */
export async function watchConfigMaps(client: ClientName, clients: Clients): Promise<ClientWatch> {
  if (client === 'python') {
    const py = clients.python
    await py.call('watch', [])
    // the watch ends with the client's process (Clients.close)
    return { events: () => [...py.events], stop: async () => {} }
  }
  const child = execa(
    'kubectl',
    [
      '--kubeconfig',
      clients.ctx.kubeconfigFile,
      '-v=6',
      'get',
      'configmaps',
      '--watch',
      '--output-watch-events',
      '-o',
      'jsonpath={.type} {.object.metadata.name}{"\\n"}',
    ],
    { reject: false, timeout: 90_000 },
  )
  const events: WatchEvent[] = []
  let out = ''
  let err = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const lines = out.split('\n')
      out = lines.pop()!
      for (const line of lines.filter(Boolean)) {
        const [type, name] = line.trim().split(/\s+/)
        events.push({ type: type!, name: name! })
      }
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      if (/GET \S+watch=true\S* 200 OK/.test(err)) resolve()
    })
    void child.then((r) => reject(new Error(`kubectl's watch ended before it was open (exit code ${r.exitCode}):\n${err}`)))
  })
  return {
    events: () => [...events],
    stop: async () => {
      child.kill('SIGTERM')
      await child
    },
  }
}

/** Runs a command in the pod's container with this input on stdin; what the client reported. */
export async function execInPod(client: ClientName, clients: Clients, pod: string, commandLine: string, input: string): Promise<ExecResult> {
  const command = splitWords(commandLine)
  if (client === 'python') {
    const o = await clients.python.call('exec', [pod, input, ...command])
    return { stdout: String(o.stdout), stderr: String(o.stderr), exitCode: o.exitCode as number | null }
  }
  const r = await kubectlArgs(['exec', '-i', pod, '--', ...command], clients.ctx.kubeconfigFile, { input, timeoutMs: 30_000 })
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }
}

/** Forwards a local port to the pod's port and asks for this path over HTTP; the answer's body. */
export async function getThroughPortForward(client: ClientName, clients: Clients, pod: string, port: number, path: string): Promise<string> {
  if (client === 'python') return String((await clients.python.call('portforward', [pod, String(port), path])).body)
  const pf = execa('kubectl', ['--kubeconfig', clients.ctx.kubeconfigFile, 'port-forward', pod, `:${port}`], { reject: false, timeout: 60_000 })
  try {
    const local = await new Promise<string>((resolve, reject) => {
      let err = ''
      pf.stderr!.on('data', (d: Buffer) => (err += d.toString()))
      pf.stdout!.on('data', (d: Buffer) => {
        const m = new RegExp(`127\\.0\\.0\\.1:(\\d+) -> ${port}`).exec(d.toString())
        if (m) resolve(m[1]!)
      })
      void pf.then((r) => reject(new Error(`kubectl port-forward ended (exit code ${r.exitCode}): ${err}`)))
    })
    const res = await fetch(`http://127.0.0.1:${local}${path}`)
    return await res.text()
  } finally {
    pf.kill('SIGTERM')
    await pf
  }
}
