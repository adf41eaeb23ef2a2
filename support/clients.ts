// Two of the clients a user drives a cluster with, behind one interface, for the "clients"
// feature: kubectl (support/kubectl.ts) and the official Python client (python3-kubernetes, run
// with /usr/bin/python3 on support/pyclient.py, which prints JSON lines). Each operation returns
// what the client itself reported (its output, its exit code, the events its watch saw), so a
// step can compare that with what the API holds. Patch types are each client's own: kubectl
// sends merge, JSON, strategic merge patches and server-side apply; this Python client version
// only JSON and strategic merge patches.

import { execa, type ResultPromise } from 'execa'
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
          : [PYTHON, ['-c', 'import kubernetes'], `no official Python client at ${PYTHON} (apt-get install python3-kubernetes)`]
      const r = await execa(cmd, args, { reject: false, timeout: 20_000 })
      return r.exitCode === 0 ? undefined : `${hint}: ${String(r.stderr || r.message).trim().split('\n').at(-1)}`
    })()
    probes.set(client, p)
  }
  return p
}

/** Runs one action of support/pyclient.py; returns its JSON lines, or throws with its stderr. */
async function python(ctx: ClientContext, action: string, args: string[]): Promise<Record<string, unknown>> {
  const r = await execa(PYTHON, [SCRIPT, ctx.kubeconfigFile, ctx.namespace, action, ...args], { reject: false, timeout: 40_000 })
  if (r.exitCode !== 0) throw new Error(`the Python client failed (${action} ${args.join(' ')}):\n${r.stderr}`)
  const lines = String(r.stdout).trim().split('\n')
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>
}

async function kubectl(ctx: ClientContext, args: string[], input?: string): Promise<string> {
  const r = await kubectlArgs(args, ctx.kubeconfigFile, { input, timeoutMs: 30_000 })
  if (r.exitCode !== 0) throw new Error(`"${r.command}" failed (exit code ${r.exitCode}):\n${r.stderr}`)
  return r.stdout
}

export async function createConfigMap(client: ClientName, ctx: ClientContext, name: string, pair: string): Promise<void> {
  if (client === 'python') await python(ctx, 'create', [name, pair])
  else await kubectl(ctx, ['create', 'configmap', name, `--from-literal=${pair}`])
}

/** The names of the config maps the client lists in the namespace. */
export async function listConfigMaps(client: ClientName, ctx: ClientContext): Promise<string[]> {
  if (client === 'python') return (await python(ctx, 'list', [])).names as string[]
  return (await kubectl(ctx, ['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean)
}

/** Sets data[key] of a config map with one patch of this type. */
export async function patchConfigMap(client: ClientName, ctx: ClientContext, name: string, type: PatchType, key: string, value: string): Promise<void> {
  if (!PATCH_TYPES[client].includes(type)) throw new Error(`${client} cannot send a ${type} patch`)
  if (client === 'python') {
    await python(ctx, 'patch', [name, type, `${key}=${value}`])
    return
  }
  if (type === 'apply') {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { [key]: value } })
    await kubectl(ctx, ['apply', '--server-side', '-f', '-'], manifest)
    return
  }
  const patch = type === 'json' ? [{ op: 'add', path: `/data/${key}`, value }] : { data: { [key]: value } }
  await kubectl(ctx, ['patch', 'configmap', name, '--type', type, '-p', JSON.stringify(patch)])
}

export async function deleteConfigMap(client: ClientName, ctx: ClientContext, name: string): Promise<void> {
  if (client === 'python') await python(ctx, 'delete', [name])
  else await kubectl(ctx, ['delete', 'configmap', name])
}

/**
 * Starts the client's watch of the namespace's config maps and resolves once it is open: the
 * Python helper says so after its list, kubectl (at -v=6) once it logs the watch request's answer.
 */
export async function watchConfigMaps(client: ClientName, ctx: ClientContext): Promise<ClientWatch> {
  const child: ResultPromise =
    client === 'python'
      ? execa(PYTHON, [SCRIPT, ctx.kubeconfigFile, ctx.namespace, 'watch'], { reject: false, timeout: 90_000 })
      : execa(
          'kubectl',
          ['--kubeconfig', ctx.kubeconfigFile, '-v=6', 'get', 'configmaps', '--watch', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name}{"\\n"}'],
          { reject: false, timeout: 90_000 },
        )
  const events: WatchEvent[] = []
  let out = ''
  let err = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const lines = out.split('\n')
      out = lines.pop()!
      for (const line of lines.filter(Boolean)) {
        if (client === 'python') {
          const o = JSON.parse(line) as { ready?: string; type?: string; name?: string }
          if (o.ready !== undefined) resolve()
          else events.push({ type: o.type!, name: o.name! })
        } else {
          const [type, name] = line.trim().split(/\s+/)
          events.push({ type: type!, name: name! })
        }
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      if (client === 'kubectl' && /GET \S+watch=true\S* 200 OK/.test(err)) resolve()
    })
    void child.then((r) => reject(new Error(`the ${client} watch ended before it was open (exit code ${r.exitCode}):\n${err}`)))
  })
  await ready
  return {
    events: () => [...events],
    stop: async () => {
      child.kill('SIGTERM')
      await child
    },
  }
}

/** Runs a command in the pod's container with this input on stdin; what the client reported. */
export async function execInPod(client: ClientName, ctx: ClientContext, pod: string, commandLine: string, input: string): Promise<ExecResult> {
  const command = splitWords(commandLine)
  if (client === 'python') {
    const o = await python(ctx, 'exec', [pod, input, ...command])
    return { stdout: String(o.stdout), stderr: String(o.stderr), exitCode: o.exitCode as number | null }
  }
  const r = await kubectlArgs(['exec', '-i', pod, '--', ...command], ctx.kubeconfigFile, { input, timeoutMs: 30_000 })
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }
}

/** Forwards a local port to the pod's port and asks for this path over HTTP; the answer's body. */
export async function getThroughPortForward(client: ClientName, ctx: ClientContext, pod: string, port: number, path: string): Promise<string> {
  if (client === 'python') return String((await python(ctx, 'portforward', [pod, String(port), path])).body)
  const pf = execa('kubectl', ['--kubeconfig', ctx.kubeconfigFile, 'port-forward', pod, `:${port}`], { reject: false, timeout: 60_000 })
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
