// bench:boot — how long a reference cluster takes from "start" to usable, for the ways OCK
// starts one: the in-process Cluster (3 simulated nodes, in this process, as the cucumber world
// boots it: support/targets/builtin.ts), `ock up --nodes 3` as a child process, `ock up --nodes 3
// --store etcd --masters 3` (stacked etcd, a load balancer in front of 3 API servers) and
// `ock up --nodes 3 --runtime docker`. Milestones, each measured from the start (the call to
// Cluster.start, or the spawn of `node bin/ock.js up`):
//   apiAnswers   GET /readyz on the cluster's address answers 200 (anonymous; the API server listens)
//   apiReady     the first authenticated request (a list of nodes) succeeds with the admin
//                credentials: in process at once, for `ock up` once its kubeconfig is written
//   nodesReady   all 3 Node objects have Ready=True (polled through the API every 10 ms)
//   podRunning   one pod of registry.internal/ock/app:1, created once the nodes are Ready, has
//                status.phase Running
// Each configuration runs --runs times (p50 and max per milestone). As a baseline, the same run
// measures the bare cost of starting a process: `node bin/ock.js --help` (and `node -e 0`).
// Target (reported, not enforced): the in-process cluster has every node Ready in under 1 s
// (p50): meetsTarget. A configuration this machine cannot run (no etcd, no Docker engine) reports
// null and why. Every process, container and temp dir it starts is removed, on failure and on
// Ctrl-C too.
// Writes reports/bench/boot.json and prints a table.
// Usage: npm run bench:boot [-- --runs 5 --configs in-process,ock-up,ock-up-etcd,ock-up-docker --out F]
// Over 400 lines: four cluster configurations, each with its milestones and its own teardown,
// measured against one baseline in one run.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import net from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { KubeConfig } from '@kubernetes/client-node'
import type { KObject } from '../orchestrator/api/meta.js'
import { ApiClient } from '../orchestrator/client/client.js'
import { Cluster, dockerEngineStatus } from '../orchestrator/cluster/cluster.js'
import { etcdAvailable } from '../orchestrator/cluster/etcdmember.js'
import { LABELS } from '../orchestrator/runtime/docker/engine.js'
import { images } from '../orchestrator/runtime/docker/images.js'
import { createCertificateAuthority, Identities } from '../orchestrator/pki/pki.js'
import { clusterTopology } from '../support/targets/builtin.js'
import { percentile } from './stats.js'

const CONFIGS = ['in-process', 'ock-up', 'ock-up-etcd', 'ock-up-docker'] as const
type ConfigName = (typeof CONFIGS)[number]
const MILESTONES = ['apiAnswers', 'apiReady', 'nodesReady', 'podRunning'] as const
type Milestone = (typeof MILESTONES)[number]

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    configs: { type: 'string', default: CONFIGS.join(',') },
    'timeout-seconds': { type: 'string', default: '120' },
    out: { type: 'string', default: 'reports/bench/boot.json' },
  },
})
const RUNS = Number(values.runs)
const TIMEOUT_MS = Number(values['timeout-seconds']) * 1000
const SELECTED = values
  .configs!.split(',')
  .map((c) => c.trim())
  .filter(Boolean) as ConfigName[]
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100) throw new Error(`--runs must be 1..100, not ${values.runs}`)
if (!(TIMEOUT_MS > 0)) throw new Error(`--timeout-seconds must be > 0, not ${values['timeout-seconds']}`)
for (const c of SELECTED) if (!CONFIGS.includes(c)) throw new Error(`unknown config "${c}": use ${CONFIGS.join(', ')}`)

const NODES = 3
const IMAGE = 'registry.internal/ock/app:1'
const TARGET_MS = 1000
const POLL_MS = 10
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const OCK = join(REPO, 'bin', 'ock.js')

const round = (n: number): number => Math.round(n * 10) / 10
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

// ---------------------------------------------------------------------------------------------
// cleanup: whatever is running is stopped on failure and on Ctrl-C too

const cleanups = new Set<() => Promise<void>>()
async function cleanupAll(): Promise<void> {
  for (const c of [...cleanups].reverse()) {
    cleanups.delete(c)
    await c().catch((e: unknown) => process.stderr.write(`bench:boot: cleanup failed: ${errorText(e)}\n`))
  }
}
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    process.stderr.write(`\nbench:boot: ${signal}, stopping what it started...\n`)
    void cleanupAll().finally(() => process.exit(130))
  })
}

// ---------------------------------------------------------------------------------------------
// probes

/** A free port on 127.0.0.1 (closed again: the cluster binds it). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolvePort(port))
    })
  })
}

/** GET /readyz anonymously (the CA is not known yet when `ock up` starts: not verified). */
function readyz(port: number): Promise<boolean> {
  return new Promise((resolveOk) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/readyz', agent: false, rejectUnauthorized: false, timeout: 1_000 }, (res) => {
      res.resume()
      resolveOk(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolveOk(false))
  })
}

interface Credentials {
  server: string
  caPem: string
  certPem: string
  keyPem: string
}

/** The admin credentials of a kubeconfig file, once it is written completely; undefined before. */
async function kubeconfigCredentials(file: string): Promise<Credentials | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  if (!text.trim()) return undefined
  try {
    const kc = new KubeConfig()
    kc.loadFromString(text)
    const cluster = kc.getCurrentCluster()
    const user = kc.getCurrentUser()
    if (!cluster?.server || !cluster.caData || !user?.certData || !user.keyData) return undefined
    const pem = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8')
    return { server: cluster.server, caPem: pem(cluster.caData), certPem: pem(user.certData), keyPem: pem(user.keyData) }
  } catch {
    return undefined // half written
  }
}

type Times = Partial<Record<Milestone, number>>

interface Nodeish extends KObject {
  status?: { conditions?: { type: string; status: string }[]; phase?: string }
}

/**
 * Measures the milestones of one boot, from t0: one loop probes /readyz anonymously, the other
 * waits for credentials, then lists nodes until all are Ready, then creates the pod and reads it
 * until it runs. `alive` rejects when the cluster's process ended.
 */
async function milestones(t0: number, port: number, credentials: () => Promise<Credentials | undefined>, alive: () => void): Promise<Times> {
  const times: Times = {}
  const deadline = t0 + TIMEOUT_MS
  const check = (what: string): void => {
    alive()
    if (performance.now() > deadline) throw new Error(`${what}: not within ${TIMEOUT_MS} ms (reached: ${JSON.stringify(rounded(times))})`)
  }
  let done = false
  const answers = (async () => {
    while (!done) {
      if (await readyz(port)) return void (times.apiAnswers = performance.now() - t0)
      await sleep(POLL_MS)
    }
  })()
  let client: ApiClient | undefined
  try {
    let creds: Credentials | undefined
    while (!(creds = await credentials())) {
      check('the kubeconfig')
      await sleep(POLL_MS)
    }
    client = new ApiClient({
      server: creds.server,
      caPem: creds.caPem,
      certPem: creds.certPem,
      keyPem: creds.keyPem,
      userAgent: 'bench-boot',
      timeoutMs: 5_000,
    })
    const nodesRef = { group: '', version: 'v1', resource: 'nodes' }
    for (;;) {
      check('the API server')
      const nodes = await client.list<Nodeish>(nodesRef).catch(() => undefined)
      if (nodes) {
        times.apiReady ??= performance.now() - t0
        const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        if (ready.length >= NODES) {
          times.nodesReady = performance.now() - t0
          break
        }
      }
      await sleep(POLL_MS)
    }
    const podsRef = { group: '', version: 'v1', resource: 'pods', namespace: 'default' }
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'boot' },
      spec: { containers: [{ name: 'app', image: IMAGE }], terminationGracePeriodSeconds: 1 },
    }
    // the ServiceAccount admission plugin refuses pods until the controller manager made the
    // namespace's default ServiceAccount: a refusal is part of boot, so retry
    let lastError = ''
    for (;;) {
      check(`creating the pod (${lastError})`)
      try {
        await client.create(podsRef, pod)
        break
      } catch (e) {
        lastError = errorText(e)
        await sleep(POLL_MS)
      }
    }
    for (;;) {
      check('the pod Running')
      const p = await client.get<Nodeish>({ ...podsRef, name: 'boot' }).catch(() => undefined)
      if (p?.status?.phase === 'Running') {
        times.podRunning = performance.now() - t0
        break
      }
      await sleep(POLL_MS)
    }
    // the readyz probe has long answered unless the address is not the one probed
    await Promise.race([answers, sleep(1_000)])
    return times
  } finally {
    done = true
    client?.close()
  }
}

function rounded(t: Times): Times {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v)]))
}

// ---------------------------------------------------------------------------------------------
// configurations

interface RunResult {
  times: Times
  stopMs: number
}

/** The in-process Cluster, as the cucumber world starts it (3 simulated nodes, no proxy). */
async function inProcessRun(): Promise<RunResult> {
  const port = await freePort()
  const t0 = performance.now()
  // the CA is made here and given to the cluster (the cluster would make it itself): so the
  // admin credentials exist before the API server does, and the probe authenticates from the start
  const ca = await createCertificateAuthority()
  const adminP = ca.issue({ ...Identities.admin, usage: 'client' })
  const starting = Cluster.start({ ...clusterTopology({}), port, ca: { certPem: ca.certPem, keyPem: ca.keyPem } })
  let cluster: Cluster | undefined
  let failed: unknown
  starting.then(
    (c) => (cluster = c),
    (e: unknown) => (failed = e),
  )
  const stop = async (): Promise<void> => {
    await starting.catch(() => undefined)
    await cluster?.stop()
  }
  cleanups.add(stop)
  try {
    const admin = await adminP
    const creds: Credentials = { server: `https://127.0.0.1:${port}`, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem }
    const times = await milestones(
      t0,
      port,
      async () => creds,
      () => {
        if (failed) throw new Error(`Cluster.start failed: ${errorText(failed)}`)
      },
    )
    const s0 = performance.now()
    await stop()
    return { times, stopMs: performance.now() - s0 }
  } finally {
    await stop()
    cleanups.delete(stop)
  }
}

/** `node bin/ock.js up --nodes 3 [flags]` in a temp dir (its .ock state and kubeconfig there), stopped with SIGTERM. */
async function ockUpRun(flags: string[]): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ock-bench-boot-'))
  const kubeconfig = join(dir, 'kubeconfig')
  const port = await freePort()
  const t0 = performance.now()
  // its own process group: so a forced stop reaches whatever it started (etcd members)
  const child = spawn(process.execPath, [OCK, 'up', '--nodes', String(NODES), '--port', String(port), '--kubeconfig', kubeconfig, ...flags], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const keep = (c: Buffer): void => void (output = (output + c.toString('utf8')).slice(-4000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited: { code: number | null; signal: string | null } | undefined
  const exit = new Promise<void>((r) => child.once('exit', (code, signal) => ((exited = { code, signal }), r())))
  const stop = async (): Promise<void> => {
    await stopChild(child, exit, () => exited !== undefined)
    removeContainersOf(child.pid)
    // etcd's data dirs of a killed run ($TMPDIR/ock-etcd-<pid>-*): the next cluster would reap them; do it now
    for (const d of await readdir(tmpdir()).catch(() => [] as string[])) {
      if (d.startsWith(`ock-etcd-${child.pid}-`)) await rm(join(tmpdir(), d), { recursive: true, force: true })
    }
    await rm(dir, { recursive: true, force: true })
  }
  cleanups.add(stop)
  try {
    const times = await milestones(
      t0,
      port,
      () => kubeconfigCredentials(kubeconfig),
      () => {
        if (exited) throw new Error(`ock up exited (${exited.code ?? exited.signal}): ${output.trim().slice(-1500)}`)
      },
    )
    const s0 = performance.now()
    await stopChild(child, exit, () => exited !== undefined)
    const stopMs = performance.now() - s0
    if (exited && exited.code !== 0) throw new Error(`ock up did not stop cleanly (${exited.code ?? exited.signal}): ${output.trim().slice(-1500)}`)
    return { times, stopMs }
  } finally {
    await stop()
    cleanups.delete(stop)
  }
}

/** SIGTERM (ock up stops its cluster and exits), SIGKILL to its whole group after 30 s. */
async function stopChild(child: ChildProcess, exit: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited() || child.pid === undefined) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      /* gone */
    }
  }, 30_000)
  await exit
  clearTimeout(timer)
  // anything of its group still running (a forced stop): end it too
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    /* nothing left */
  }
}

/** Containers a (stopped) `ock up` of ours left, by its pid (it removes them itself on SIGTERM). */
function removeContainersOf(pid: number | undefined): void {
  if (!pid || !SELECTED.includes('ock-up-docker')) return
  const ps = spawnSync('docker', ['ps', '-aq', '--filter', `label=${LABELS.ownerPid}=${pid}`], { encoding: 'utf8', timeout: 10_000 })
  const ids = ps.status === 0 ? ps.stdout.split('\n').filter(Boolean) : []
  if (ids.length) spawnSync('docker', ['rm', '-f', '-v', ...ids], { timeout: 30_000, stdio: 'ignore' })
}

interface Config {
  name: ConfigName
  command: string
  /** Why this machine cannot run it, or undefined. */
  unavailable(): Promise<string | undefined>
  run(): Promise<RunResult>
}

const dockerWhy = async (): Promise<string | undefined> => {
  const s = await dockerEngineStatus()
  return s.available ? undefined : (s.reason ?? 'the Docker engine does not answer')
}
const etcdWhy = async (): Promise<string | undefined> => {
  const e = await etcdAvailable()
  return e.ok ? undefined : e.reason
}

const configs: Record<ConfigName, Config> = {
  'in-process': {
    name: 'in-process',
    command: `Cluster.start({ nodes: ${NODES}, runtime: sim, proxy: false }) in this process`,
    unavailable: async () => undefined,
    run: inProcessRun,
  },
  'ock-up': { name: 'ock-up', command: `ock up --nodes ${NODES}`, unavailable: async () => undefined, run: () => ockUpRun([]) },
  'ock-up-etcd': {
    name: 'ock-up-etcd',
    command: `ock up --nodes ${NODES} --store etcd --masters 3`,
    unavailable: etcdWhy,
    run: () => ockUpRun(['--store', 'etcd', '--masters', '3']),
  },
  'ock-up-docker': {
    name: 'ock-up-docker',
    command: `ock up --nodes ${NODES} --runtime docker`,
    unavailable: dockerWhy,
    run: () => ockUpRun(['--runtime', 'docker']),
  },
}

/** Wall time of a process from spawn to exit. */
function spawnMs(args: string[]): Promise<number> {
  return new Promise((resolveMs, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: 'ignore' })
    const kill = async (): Promise<void> => void child.kill('SIGKILL')
    cleanups.add(kill)
    child.once('error', reject)
    child.once('exit', (code) => {
      cleanups.delete(kill)
      if (code === 0) resolveMs(performance.now() - t0)
      else reject(new Error(`node ${args.join(' ')} exited ${code}`))
    })
  })
}

// ---------------------------------------------------------------------------------------------

interface Stat {
  p50Ms: number
  maxMs: number
  samplesMs: number[]
}
const stat = (s: number[]): Stat | null => (s.length ? { p50Ms: round(percentile(s, 50)), maxMs: round(Math.max(...s)), samplesMs: s.map(round) } : null)

interface ConfigReport {
  command: string
  unavailable: string | null
  runs: number
  milestones: Record<Milestone, Stat | null>
  stop: Stat | null
  errors: string[]
}

const startedAt = new Date().toISOString()
const load = loadavg()
const wall0 = performance.now()
let failures = 0
const report: Record<string, unknown> = {}
try {
  process.stdout.write(`bench:boot: ${RUNS} run(s) of ${SELECTED.join(', ')}; ${NODES} nodes, first pod ${IMAGE}\n`)
  // the baseline: starting a process at all, and `ock --help` (tsx, the CLI's imports)
  const bare: number[] = []
  const help: number[] = []
  for (let i = 0; i < RUNS; i++) {
    bare.push(await spawnMs(['-e', '0']))
    help.push(await spawnMs([OCK, '--help']))
  }
  const baseline = { nodeBare: stat(bare), ockHelp: stat(help) }
  process.stdout.write(`  baseline: node -e 0 p50 ${baseline.nodeBare!.p50Ms} ms, node bin/ock.js --help p50 ${baseline.ockHelp!.p50Ms} ms\n`)

  const results: Partial<Record<ConfigName, ConfigReport>> = {}
  let imageWarmMs: number | null = null
  for (const name of SELECTED) {
    const c = configs[name]
    const why = await c.unavailable()
    const samples: Record<Milestone, number[]> = { apiAnswers: [], apiReady: [], nodesReady: [], podRunning: [] }
    const stops: number[] = []
    const errors: string[] = []
    if (!why) {
      if (name === 'ock-up-docker') {
        // the app image is built on first use: once here, outside the measured boots
        const t = performance.now()
        await images.resolve(IMAGE)
        imageWarmMs = round(performance.now() - t)
      }
      for (let i = 0; i < RUNS; i++) {
        try {
          const r = await c.run()
          for (const m of MILESTONES) if (r.times[m] !== undefined) samples[m].push(r.times[m])
          stops.push(r.stopMs)
          process.stdout.write(
            `  ${name} #${i + 1}: ${MILESTONES.map((m) => `${m} ${r.times[m] === undefined ? '-' : Math.round(r.times[m])}`).join(', ')} ms; stop ${Math.round(r.stopMs)} ms\n`,
          )
        } catch (e) {
          failures++
          errors.push(errorText(e))
          process.stdout.write(`  ${name} #${i + 1}: FAILED: ${errorText(e).slice(0, 400)}\n`)
        }
      }
    } else process.stdout.write(`  ${name}: not measured: ${why}\n`)
    results[name] = {
      command: c.command,
      unavailable: why ?? null,
      runs: why ? 0 : RUNS,
      milestones: Object.fromEntries(MILESTONES.map((m) => [m, stat(samples[m])])) as Record<Milestone, Stat | null>,
      stop: stat(stops),
      errors,
    }
  }

  const inProcessNodes = results['in-process']?.milestones.nodesReady ?? null
  Object.assign(report, {
    benchmark: 'boot',
    command: 'npm run bench:boot',
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100) },
    note: 'Milestones in ms from the start (Cluster.start, or the spawn of node bin/ock.js up), polled every 10 ms. in-process: the modules are already loaded (the benchmark imports them), the CA is made inside the measured time. ock up writes its kubeconfig only once every node is Ready, so apiReady of the ock-up rows is that moment; apiAnswers (anonymous /readyz) is when its API server listens. Compare child-process rows with baseline.ockHelp of the same run. The machine may be shared: timings are noisy.',
    runs: RUNS,
    nodes: NODES,
    image: IMAGE,
    target: {
      rule: `in-process: nodesReady p50 < ${TARGET_MS} ms`,
      nodesReadyP50Ms: inProcessNodes?.p50Ms ?? null,
      nodesReadyMaxMs: inProcessNodes?.maxMs ?? null,
    },
    meetsTarget: inProcessNodes ? inProcessNodes.p50Ms < TARGET_MS : null,
    baseline,
    imageWarmMs,
    configs: results,
    wallSeconds: round((performance.now() - wall0) / 1000),
  })
  const out = resolve(values.out!)
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, JSON.stringify(report, null, 2) + '\n')

  const cell = (s: Stat | null | undefined): string => (s ? `${Math.round(s.p50Ms)} / ${Math.round(s.maxMs)}` : '-')
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(15))).join(' ')
  process.stdout.write(`\n${row(['p50 / max ms', 'api answers', 'api ready', 'nodes Ready', 'pod Running', 'stop'])}\n`)
  for (const name of SELECTED) {
    const r = results[name]!
    if (r.unavailable) process.stdout.write(`${row([name, 'null', 'null', 'null', 'null', ''])}  (${r.unavailable})\n`)
    else
      process.stdout.write(
        `${row([name, ...MILESTONES.map((m) => cell(r.milestones[m])), cell(r.stop)])}${r.errors.length ? `  (${r.errors.length} failed)` : ''}\n`,
      )
  }
  process.stdout.write(`\nprocess start (baseline): node bin/ock.js --help ${cell(baseline.ockHelp)} ms, node -e 0 ${cell(baseline.nodeBare)} ms\n`)
  const mt = report.meetsTarget
  process.stdout.write(
    `target: in-process nodes Ready p50 < ${TARGET_MS} ms: ${mt === null ? 'not measured' : mt ? 'met' : 'MISSED'}${inProcessNodes ? ` (${inProcessNodes.p50Ms} ms)` : ''}\nwall ${report.wallSeconds} s; written to ${out}\n`,
  )
} catch (e) {
  failures++
  process.stderr.write(`bench:boot failed: ${e instanceof Error ? e.stack : String(e)}\n`)
} finally {
  await cleanupAll()
}
process.exit(failures ? 1 : 0)
