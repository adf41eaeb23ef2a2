// bench:startup — how long a pod of the test app takes from "create" to "answers", through OCK
// (pods through the API server, scheduled, started by a kubelet on the Docker runtime, until the
// pod is Ready) versus the same image started directly through testcontainers (create + start,
// host network on a pod IP, until HTTP /ready answers 200), side by side in one run on one
// machine. Budget (issue 5): OCK p99 <= 1.5 x raw p99 + 200 ms.
// Writes reports/bench/startup.json: ockP50Ms, ockP99Ms, rawP50Ms, rawP99Ms, ratioP99, plus the
// samples, image build times and stop times. A half that cannot run yet reports null and why.
//
//   npm run bench:startup -- [--pods 24] [--concurrency 24] [--out reports/bench/startup.json]

import { mkdir, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node'
import { Cluster } from '../orchestrator/cluster/cluster.js'
import { acquireNetworkLease, type NetworkLease } from '../orchestrator/cluster/netlease.js'
import { engine, LABELS, ownerLabels, sweepOrphansOnce, testcontainers } from '../orchestrator/runtime/docker/engine.js'
import { buildRecipe, CATALOGUE, images } from '../orchestrator/runtime/docker/images.js'
import { percentile } from './stats.js'

const IMAGE = 'registry.internal/ock/app:1'

/** One side of the comparison: starts `pods` pods, `concurrency` at a time; create-to-ready per pod in ms. */
export interface StartupHalf {
  readonly name: string
  /** Why the half cannot run on this build or machine, or undefined when it can. */
  unavailable(): Promise<string | undefined>
  run(pods: number, concurrency: number, lease: NetworkLease): Promise<HalfResult>
}

export interface HalfResult {
  createToReadyMs: number[]
  /** Time to stop each pod's container (SIGTERM to exit), when the half measures it. */
  stopMs?: number[]
}

const round = (n: number): number => Math.round(n * 10) / 10

function httpStatus(url: string): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = http.get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume()
      resolvePromise(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolvePromise(0))
  })
}

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs
  while (performance.now() < end) {
    if ((await httpStatus(url)) === 200) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

async function inBatches<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++
        out[i] = await fn(i)
      }
    }),
  )
  return out
}

/** The same image started directly through testcontainers, as a kubelet would (host network, pod IP). */
export const rawHalf: StartupHalf = {
  name: 'raw testcontainers',
  async unavailable() {
    try {
      await engine()
      return undefined
    } catch (e) {
      return e instanceof Error ? e.message : String(e)
    }
  },
  async run(pods, concurrency, lease) {
    const { GenericContainer } = await testcontainers()
    const image = await images.resolve(IMAGE)
    const run = `ock-bench-${randomBytes(4).toString('hex')}`
    const started: { ip: string; container: Awaited<ReturnType<InstanceType<typeof GenericContainer>['start']>> }[] = []
    try {
      const createToReadyMs = await inBatches(pods, concurrency, async (i) => {
        const ip = lease.podCIDR(0).replace(/0\/24$/, String(10 + i))
        const t0 = performance.now()
        const container = await new GenericContainer(image.localRef)
          .withNetworkMode('host')
          .withEnvironment({ POD_IP: ip, POD_NAME: `raw-${i}`, POD_NAMESPACE: 'bench' })
          .withLabels({ ...ownerLabels(run), [LABELS.podName]: `raw-${i}`, [LABELS.image]: IMAGE })
          .start()
        started.push({ ip, container })
        await untilReady(`http://${ip}:8080/ready`, 30_000)
        return performance.now() - t0
      })
      const stopMs = await inBatches(started.length, concurrency, async (i) => {
        const t0 = performance.now()
        await started[i]!.container.stop({ timeout: 30_000 })
        return performance.now() - t0
      })
      started.length = 0
      return { createToReadyMs, stopMs }
    } finally {
      await Promise.allSettled(started.map((s) => s.container.stop({ timeout: 0 })))
    }
  },
}

/**
 * Pods created through the API of a reference cluster on the Docker runtime (2 nodes, no
 * probes), measured from the create call until a watch sees the pod Ready and the app answers
 * GET /ready on the pod's IP: the same end point as the raw half, plus the API round trips,
 * scheduling, the kubelet's sync and its status write.
 */
export const ockHalf: StartupHalf = {
  name: 'OCK pods',
  async unavailable() {
    return rawHalf.unavailable()
  },
  async run(pods, concurrency) {
    const cluster = await Cluster.start({ nodes: 2, runtime: 'docker', proxy: false })
    try {
      const namespace = 'bench'
      const kc = new KubeConfig()
      kc.loadFromString(cluster.adminKubeconfig(namespace))
      const api = kc.makeApiClient(CoreV1Api)
      await api.createNamespace({ body: { metadata: { name: namespace } } })
      // readiness as the watch reports it, by pod name
      const ready = new Map<string, { at: number; ip: string }>()
      const waiters = new Map<string, () => void>()
      const watch = await new Watch(kc).watch(
        `/api/v1/namespaces/${namespace}/pods`,
        {},
        (_type: string, p: V1Pod) => {
          const name = p.metadata?.name ?? ''
          if (ready.has(name) || !p.status?.podIP || !p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return
          ready.set(name, { at: performance.now(), ip: p.status.podIP })
          waiters.get(name)?.()
        },
        () => undefined,
      )
      try {
        const createToReadyMs = await inBatches(pods, concurrency, async (i) => {
          const name = `ock-${i}`
          const seen = new Promise<void>((r) => waiters.set(name, r))
          const t0 = performance.now()
          await api.createNamespacedPod({
            namespace,
            body: {
              metadata: { name },
              spec: { containers: [{ name: 'app', image: IMAGE, ports: [{ containerPort: 8080 }] }], terminationGracePeriodSeconds: 5 },
            },
          })
          await withTimeout(seen, 60_000, `pod ${name} Ready`)
          await untilReady(`http://${ready.get(name)!.ip}:8080/ready`, 30_000)
          return performance.now() - t0
        })
        return { createToReadyMs }
      } finally {
        watch.abort()
      }
    } finally {
      await cluster.stop()
    }
  },
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** Image build times: without any layer cache, with the layer cache, and resolving an existing image. */
async function imageTimes(): Promise<Record<string, number>> {
  const recipe = CATALOGUE[IMAGE]!
  const docker = (await engine()).container.dockerode
  const scratch = `registry.internal/ock/bench-build:${randomBytes(4).toString('hex')}`
  let t = performance.now()
  await buildRecipe(recipe, scratch, { cache: false })
  const coldBuildMs = performance.now() - t
  await docker
    .getImage(scratch)
    .remove()
    .catch(() => undefined)
  t = performance.now()
  await buildRecipe(recipe, scratch, { cache: true })
  const cachedBuildMs = performance.now() - t
  await docker
    .getImage(scratch)
    .remove()
    .catch(() => undefined)
  t = performance.now()
  await images.resolve(IMAGE) // built or found by content tag
  const firstResolveMs = performance.now() - t
  t = performance.now()
  await images.resolve(IMAGE)
  const warmResolveMs = performance.now() - t
  return { coldBuildMs: round(coldBuildMs), cachedBuildMs: round(cachedBuildMs), firstResolveMs: round(firstResolveMs), warmResolveMs: round(warmResolveMs) }
}

function summary(r: HalfResult | undefined): Record<string, unknown> | null {
  if (!r) return null
  const s = r.createToReadyMs
  const out: Record<string, unknown> = {
    pods: s.length,
    p50Ms: round(percentile(s, 50)),
    p99Ms: round(percentile(s, 99)),
    minMs: round(Math.min(...s)),
    maxMs: round(Math.max(...s)),
    samplesMs: s.map(round),
  }
  if (r.stopMs) out.stop = { p50Ms: round(percentile(r.stopMs, 50)), p99Ms: round(percentile(r.stopMs, 99)), maxMs: round(Math.max(...r.stopMs)) }
  return out
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pods: { type: 'string', default: '24' }, concurrency: { type: 'string' }, out: { type: 'string', default: 'reports/bench/startup.json' } },
  })
  const pods = Number(values.pods)
  const concurrency = Number(values.concurrency ?? values.pods)
  if (!Number.isInteger(pods) || pods < 1 || pods > 200) throw new Error(`--pods must be 1..200, not ${values.pods}`)
  const rawWhy = await rawHalf.unavailable()
  if (rawWhy) throw new Error(`the Docker engine is needed: ${rawWhy}`)
  await sweepOrphansOnce()
  const lease = await acquireNetworkLease({ description: `bench:startup (pid ${process.pid})` })
  try {
    process.stdout.write(`bench:startup: ${pods} pods of ${IMAGE}, ${concurrency} at a time, pod IPs in ${lease.podCIDR(0)}\n`)
    const builds = await imageTimes()
    process.stdout.write(
      `  image: cold build ${builds.coldBuildMs} ms, cached build ${builds.cachedBuildMs} ms, first resolve ${builds.firstResolveMs} ms, warm resolve ${builds.warmResolveMs} ms\n`,
    )
    const loadBefore = loadavg()[0]
    // OCK first when it can run, then raw: each half gets the same warm image
    const ockWhy = await ockHalf.unavailable()
    const ock = ockWhy ? undefined : await ockHalf.run(pods, concurrency, lease)
    const raw = await rawHalf.run(pods, concurrency, lease)
    const rawP50 = percentile(raw.createToReadyMs, 50)
    const rawP99 = percentile(raw.createToReadyMs, 99)
    const ockP50 = ock ? percentile(ock.createToReadyMs, 50) : null
    const ockP99 = ock ? percentile(ock.createToReadyMs, 99) : null
    const budgetMs = 1.5 * rawP99 + 200
    const report = {
      benchmark: 'startup',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        loadAverage1m: { before: round(loadBefore ?? 0), after: round(loadavg()[0] ?? 0) },
        node: process.version,
        engine: String((await engine()).info.containerRuntime.serverVersion),
      },
      image: IMAGE,
      pods,
      concurrency,
      measure: 'create call to ready: raw = GenericContainer.start() until GET /ready answers 200; OCK = pod create until the pod is Ready (watch)',
      ockP50Ms: ockP50 === null ? null : round(ockP50),
      ockP99Ms: ockP99 === null ? null : round(ockP99),
      rawP50Ms: round(rawP50),
      rawP99Ms: round(rawP99),
      ratioP99: ockP99 === null ? null : round(ockP99 / rawP99),
      budget: { rule: 'ockP99Ms <= 1.5 * rawP99Ms + 200', limitMs: round(budgetMs), pass: ockP99 === null ? null : ockP99 <= budgetMs },
      ock: ock ? summary(ock) : { unavailable: ockWhy },
      raw: summary(raw),
      imageBuild: builds,
    }
    const out = resolve(values.out!)
    await mkdir(dirname(out), { recursive: true })
    await writeFile(out, JSON.stringify(report, null, 2) + '\n')
    process.stdout.write(`  raw:  p50 ${report.rawP50Ms} ms, p99 ${report.rawP99Ms} ms (stop p50 ${(report.raw?.stop as { p50Ms: number }).p50Ms} ms)\n`)
    process.stdout.write(
      ock
        ? `  OCK:  p50 ${report.ockP50Ms} ms, p99 ${report.ockP99Ms} ms, ratio ${report.ratioP99}, budget ${report.budget.pass ? 'met' : 'MISSED'}\n`
        : `  OCK:  not measured: ${ockWhy}\n`,
    )
    process.stdout.write(`  wrote ${out}\n`)
    if (report.budget.pass === false) process.exitCode = 1
  } finally {
    await lease.release()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`bench:startup failed: ${e instanceof Error ? e.stack : String(e)}\n`)
    process.exit(1)
  })
}
