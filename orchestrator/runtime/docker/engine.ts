// The Docker engine as OCK reaches it: through testcontainers (engine discovery, its container
// and image clients, and the dockerode client underneath where testcontainers has no call, such
// as listing by label, stats and logs). No registry is reachable here, so testcontainers' Ryuk
// reaper (an image it would pull) is switched off before testcontainers is first loaded, and
// OCK reaps by itself instead: every container carries OCK's labels, naming the process that
// created it; a run removes its own containers on close and, when it starts, those of OCK runs
// whose process is gone (an interrupted run), never those of a live run. A process that is
// interrupted (Ctrl-C, SIGTERM) removes its own containers on the way out, through the docker CLI.

import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { onExit } from 'signal-exit'
import type { ContainerRuntimeClient } from 'testcontainers'
import { currentProcess, isAlive, type ProcessIdentity } from '../../host/process.js'
import { RuntimeUnavailableError } from '../runtime.js'

export type TestcontainersModule = typeof import('testcontainers')
export type EngineClient = ContainerRuntimeClient
export type Dockerode = ContainerRuntimeClient['container']['dockerode']
export type DockerContainer = ReturnType<ContainerRuntimeClient['container']['getById']>
export type ContainerInspect = Awaited<ReturnType<DockerContainer['inspect']>>

/** Labels on every container OCK creates. */
export const LABELS = {
  /** The runtime instance (one per kubelet, or one per benchmark run). */
  run: 'ock.dev/run',
  /** The process that created the container, and its start time: a sweep removes it once that process is gone. */
  ownerPid: 'ock.dev/owner-pid',
  ownerStart: 'ock.dev/owner-start',
  host: 'ock.dev/host',
  node: 'ock.dev/node',
  podUid: 'ock.dev/pod-uid',
  podName: 'ock.dev/pod-name',
  podNamespace: 'ock.dev/pod-namespace',
  container: 'ock.dev/container',
  attempt: 'ock.dev/attempt',
  /** The image as the pod spec names it (the engine may run a content-addressed tag of it). */
  image: 'ock.dev/image',
} as const

/**
 * The labels that tie a container to its owner (for sweeps of interrupted runs): this process,
 * which then removes its containers on exit, or another one that outlives it (the `ock up`
 * process that owns the containers of its kubelet processes, and removes them itself).
 */
export function ownerLabels(run: string, owner?: ProcessIdentity): Record<string, string> {
  if (!owner || owner.pid === process.pid) installExitReaper()
  const me = owner ?? currentProcess()
  const labels: Record<string, string> = { [LABELS.run]: run, [LABELS.ownerPid]: String(me.pid), [LABELS.host]: me.hostname }
  if (me.startTicks !== undefined) labels[LABELS.ownerStart] = String(me.startTicks)
  return labels
}

let reaperInstalled = false

/**
 * On exit or a signal (signal-exit re-raises it afterwards), removes this process's containers
 * synchronously with the docker CLI: an interrupted run leaves nothing behind even before the
 * next run's sweep. Best effort: without the CLI, the next run's sweep still removes them.
 */
export function installExitReaper(): void {
  if (reaperInstalled) return
  reaperInstalled = true
  onExit(() => {
    const filters = ['--filter', `label=${LABELS.ownerPid}=${process.pid}`, '--filter', `label=${LABELS.host}=${hostname()}`]
    const ps = spawnSync('docker', ['ps', '-aq', ...filters], { encoding: 'utf8', timeout: 10_000 })
    const ids = ps.status === 0 ? ps.stdout.split('\n').filter(Boolean) : []
    if (ids.length) spawnSync('docker', ['rm', '-f', '-v', ...ids], { timeout: 30_000, stdio: 'ignore' })
  })
}

let tc: Promise<TestcontainersModule> | undefined

/** testcontainers, loaded on first use with Ryuk disabled (it must be set before the module reads it). */
export function testcontainers(): Promise<TestcontainersModule> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true'
  tc ??= import('testcontainers')
  return tc
}

/** The engine client; RuntimeUnavailableError when no Docker engine answers. */
export async function engine(): Promise<EngineClient> {
  const { getContainerRuntimeClient } = await testcontainers()
  try {
    return await getContainerRuntimeClient()
  } catch (e) {
    throw new RuntimeUnavailableError(`cannot reach the Docker engine (${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}): ${message(e)}`)
  }
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN'])

/** Whether an error from a Docker call means the engine itself is unreachable. */
export function isUnreachable(e: unknown): boolean {
  const err = e as { code?: string; statusCode?: number; message?: string }
  if (err?.code && UNREACHABLE.has(err.code)) return true
  return /socket hang up|connect ECONNREFUSED|Cannot connect to the Docker daemon/i.test(err?.message ?? '')
}

export function statusCode(e: unknown): number | undefined {
  return (e as { statusCode?: number })?.statusCode
}

/** The server version as a node reports it: 20.10.24+dfsg1 -> 20.10.24. */
export function shortVersion(v: string): string {
  return v.split('+')[0]!.split('~')[0]!
}

/**
 * Removes containers of OCK runs whose creating process is gone from this host, whatever their
 * state. Containers of live runs (this process included) and of other hosts are left alone.
 */
export async function sweepOrphans(client?: EngineClient): Promise<string[]> {
  const c = client ?? (await engine())
  const docker = c.container.dockerode
  const all = await docker.listContainers({ all: true, filters: { label: [LABELS.ownerPid] } })
  const me = hostname()
  const removed: string[] = []
  for (const info of all) {
    const l = info.Labels ?? {}
    if (l[LABELS.host] !== me) continue
    const owner = { pid: Number(l[LABELS.ownerPid]), startTicks: l[LABELS.ownerStart] ? Number(l[LABELS.ownerStart]) : undefined, hostname: me }
    if (isAlive(owner)) continue
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true })
      removed.push(info.Id)
    } catch (e) {
      if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e // 409: already being removed
    }
  }
  return removed
}

let swept: Promise<string[]> | undefined

/** sweepOrphans once per process (the first runtime or probe of a run does it). */
export function sweepOrphansOnce(client?: EngineClient): Promise<string[]> {
  swept ??= sweepOrphans(client).catch((e) => {
    swept = undefined
    throw e
  })
  return swept
}

export interface EngineStatus {
  available: boolean
  /** `docker://20.10.24` when available. */
  version?: string
  /** Why not, when unavailable. */
  reason?: string
}

/** Whether a Docker engine answers (within `timeoutMs`); also reaps containers of dead OCK runs. */
export async function engineStatus(timeoutMs = 5_000): Promise<EngineStatus> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<EngineStatus>((resolve) => {
    timer = setTimeout(() => resolve({ available: false, reason: `the Docker engine did not answer within ${timeoutMs} ms` }), timeoutMs)
    timer.unref()
  })
  const probe = (async (): Promise<EngineStatus> => {
    try {
      const c = await engine()
      await c.container.dockerode.ping()
      await sweepOrphansOnce(c)
      return { available: true, version: `docker://${shortVersion(String(c.info.containerRuntime.serverVersion))}` }
    } catch (e) {
      return { available: false, reason: message(e) }
    }
  })()
  try {
    return await Promise.race([probe, deadline])
  } finally {
    clearTimeout(timer)
  }
}
