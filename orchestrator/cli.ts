// `ock up | down | status`: runs a reference cluster in the foreground and writes an admin
// kubeconfig, so kubectl and the `cluster` target can talk to it like any Kubernetes API.
// Shuts down cleanly on SIGINT / SIGTERM, leaving no process, container or temp dir behind.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Cluster, UnsupportedTopologyError, type RuntimeKind, type StoreKind } from './cluster/cluster.js'

const USAGE = `Usage: ock <command> [flags]

Commands:
  up       run a reference cluster in the foreground (Ctrl-C stops it)
  down     stop the cluster started by 'ock up' in this directory
  status   tell whether a cluster from 'ock up' is running

Flags for 'up':
  --kubeconfig PATH   where to write the admin kubeconfig (default reports/kubeconfig)
  --nodes N           number of worker nodes (kubelets on the simulated runtime; default 3)
  --runtime sim|docker  simulated containers or real ones on the Docker engine (default sim)
  --store memory|etcd   embedded store or a real etcd cluster (default memory)
  --port N            API server port on 127.0.0.1 (default: a free port)
  -h, --help          this text
`

const STATE_FILE = resolve('.ock/up.json')

interface UpState {
  pid: number
  url: string
  kubeconfig: string
  startedAt: string
}

function fail(message: string, code = 2): never {
  process.stderr.write(`ock: ${message}\n`)
  process.exit(code)
}

async function readState(): Promise<UpState | undefined> {
  try {
    return JSON.parse(await readFile(STATE_FILE, 'utf8')) as UpState
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string', default: 'reports/kubeconfig' },
      nodes: { type: 'string', default: '3' },
      runtime: { type: 'string', default: 'sim' },
      store: { type: 'string', default: 'memory' },
      masters: { type: 'string', default: '1' },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  const nodes = Number(values.nodes)
  const port = Number(values.port)
  if (!Number.isInteger(nodes) || nodes < 0) fail(`--nodes must be a whole number >= 0, not "${values.nodes}"`)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}"`)
  const existing = await readState()
  if (existing && alive(existing.pid)) fail(`a cluster is already running here (pid ${existing.pid}, ${existing.url}); stop it with 'npx ock down'`)

  const kubeconfig = resolve(values.kubeconfig)
  let cluster: Cluster
  try {
    cluster = await Cluster.start({
      nodes,
      runtime: values.runtime as RuntimeKind,
      store: values.store as StoreKind,
      masters: Number(values.masters),
      port,
    })
  } catch (e) {
    if (e instanceof UnsupportedTopologyError) fail(e.message)
    throw e
  }
  await mkdir(dirname(kubeconfig), { recursive: true })
  await writeFile(kubeconfig, cluster.adminKubeconfig(), { mode: 0o600 })
  await mkdir(dirname(STATE_FILE), { recursive: true })
  await writeFile(STATE_FILE, JSON.stringify({ pid: process.pid, url: cluster.url, kubeconfig, startedAt: new Date().toISOString() } satisfies UpState))

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\nock: ${signal} received, stopping the cluster...\n`)
    await cluster.stop()
    await rm(STATE_FILE, { force: true })
    process.stdout.write('ock: stopped; nothing left running.\n')
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  const rel = values.kubeconfig
  process.stdout.write(
    [
      `OCK reference cluster is up.`,
      `  API server:  ${cluster.url}`,
      `  runtime:     ${values.runtime}   store: ${values.store}   nodes: ${nodes}`,
      `  kubeconfig:  ${kubeconfig}`,
      ``,
      `Try:`,
      `  kubectl --kubeconfig ${rel} get namespaces`,
      `  KUBECONFIG=${rel} npx cucumber-js -p cluster`,
      ``,
      `Press Ctrl-C to stop.`,
      ``,
    ].join('\n'),
  )
}

async function down(): Promise<void> {
  const state = await readState()
  if (!state || !alive(state.pid)) {
    await rm(STATE_FILE, { force: true })
    process.stdout.write('ock: no cluster is running here.\n')
    return
  }
  process.kill(state.pid, 'SIGTERM')
  const deadline = Date.now() + 30_000
  while (alive(state.pid)) {
    if (Date.now() > deadline) fail(`cluster process ${state.pid} did not stop within 30 s`, 1)
    await new Promise((r) => setTimeout(r, 100))
  }
  process.stdout.write(`ock: stopped the cluster at ${state.url}.\n`)
}

async function status(): Promise<void> {
  const state = await readState()
  if (!state || !alive(state.pid)) {
    process.stdout.write('ock: no cluster is running here.\n')
    process.exitCode = 1
    return
  }
  process.stdout.write(`ock: running (pid ${state.pid}) at ${state.url}\n  kubeconfig: ${state.kubeconfig}\n  since: ${state.startedAt}\n`)
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'up':
      return up(rest)
    case 'down':
      return down()
    case 'status':
      return status()
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE)
      return
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`)
  }
}
