// One worker node's kubelet as its own OS process (`node bin/ock.js kubelet --config FILE`), as
// `ock up` runs its nodes: the kubelet binary of a kubeadm-joined machine, started by its
// service manager with a KubeletConfiguration, its client certificate (system:node:<name>), its
// serving certificate and the cluster CA, all read from files of the cluster's state directory
// (./kubeletprocs.ts writes them, mode 0600). It talks to the API server over HTTPS as before;
// stopping the node is stopping this process (SIGKILL, SIGTERM; SIGSTOP freezes its heartbeats).
// On the Docker runtime its containers belong to the cluster (labelled with the `ock up`
// process as owner and a run id per node), so a killed kubelet leaves them running and a
// restarted one re-adopts them by their labels; when the parent is gone (its IPC channel
// closes, or this process is re-parented) the cluster has stopped: the node's containers and
// files are removed and the process exits. SIGINT is ignored: Ctrl-C reaches the whole process group,
// and the parent stops its kubelets in order.
// Simplified: with the simulated runtime the containers live in this process, so they die with
// it (a restarted kubelet starts its pods' containers again, restart counts from 0) and freeze
// with it (SIGSTOP). The
// parent's fault requests other than signals (an unreachable runtime, pressure) arrive as IPC
// messages, not as changes on a machine; being the machine's, they outlive a kubelet process: a
// restarted one is started with those that stand (its configuration's `machine`).

import { readFileSync } from 'node:fs'
import { rm, rmdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ApiClient } from '../client/client.js'
import { installProcessGuard } from '../host/guard.js'
import type { ProcessIdentity } from '../host/process.js'
import type { KubeletConfig } from '../kubelet/config.js'
import { NodeFaults, PRESSURE_CONDITIONS, type PressureCondition } from '../kubelet/faults.js'
import { Kubelet } from '../kubelet/kubelet.js'
import { KubeletServer } from '../kubelet/server.js'
import { resourceMetricsAuthorizer } from '../kubelet/stats.js'
import { DockerRuntime } from '../runtime/docker/docker.js'
import { FaultInjectingRuntime } from '../runtime/faults.js'
import type { ContainerRuntime } from '../runtime/runtime.js'
import { SimulatedRuntime } from '../runtime/simulated/simulated.js'
import type { RuntimeKind } from './topology.js'

/** The file a kubelet process is started with (JSON): what a machine's kubelet.conf, config.yaml and pki hold. */
export interface KubeletProcessConfig {
  kubelet: KubeletConfig
  /** The API server (or load balancer) URL. */
  server: string
  /** PEM files, each mode 0600: the cluster CA, the client certificate and key, the serving certificate and key. */
  caFile: string
  clientCertFile: string
  clientKeyFile: string
  servingCertFile: string
  servingKeyFile: string
  /** The kubelet endpoint's port (0 picks a free one the first time; a restart comes back on it). */
  port: number
  userAgent: string
  /** Who may call the resource metrics endpoint, besides system:masters. */
  metricsReaders: string[]
  runtime: RuntimeKind
  /** With the Docker runtime: the node's run id (stable across restarts) and the owner of its containers. */
  docker?: { runId: string; owner: ProcessIdentity }
  /** The machine's faults that stand when this kubelet starts (they are the machine's, not the process's). */
  machine?: { pressure: PressureCondition[]; runtimeReachable: boolean }
}

/** What the kubelet process tells its parent over IPC. */
export type KubeletProcessReport = { type: 'started'; port: number } | { type: 'failed'; message: string }

/** What the parent may ask over IPC. */
export type KubeletProcessRequest = { type: 'runtimeReachable'; reachable: boolean } | { type: 'pressure'; condition: PressureCondition; on: boolean }

export async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--config')
  const file = i >= 0 ? argv[i + 1] : undefined
  if (!file) {
    process.stderr.write('usage: ock kubelet --config FILE (an internal command of ock up)\n')
    process.exit(2)
  }
  const config = JSON.parse(readFileSync(file, 'utf8')) as KubeletProcessConfig
  const name = config.kubelet.nodeName
  installProcessGuard(`kubelet ${name}`)
  const send = (m: KubeletProcessReport): void => {
    if (process.connected) process.send?.(m)
  }
  const inner: ContainerRuntime =
    config.runtime === 'docker' ? new DockerRuntime({ nodeName: name, runId: config.docker?.runId, owner: config.docker?.owner }) : new SimulatedRuntime()
  const runtime = new FaultInjectingRuntime(inner)
  const faults = new NodeFaults()
  if (config.machine) {
    runtime.setReachable(config.machine.runtimeReachable)
    for (const c of config.machine.pressure) if (PRESSURE_CONDITIONS.includes(c)) faults.setPressure(c, true)
  }
  const caPem = readFileSync(config.caFile, 'utf8')
  const client = new ApiClient({
    server: config.server,
    caPem,
    certPem: readFileSync(config.clientCertFile, 'utf8'),
    keyPem: readFileSync(config.clientKeyFile, 'utf8'),
    userAgent: config.userAgent,
  })
  const server = new KubeletServer({
    host: config.kubelet.nodeIP,
    port: config.port,
    caPem,
    serving: { certPem: readFileSync(config.servingCertFile, 'utf8'), keyPem: readFileSync(config.servingKeyFile, 'utf8') },
    authorize: resourceMetricsAuthorizer(config.metricsReaders),
  })
  const kubelet = new Kubelet(config.kubelet, { client, runtime, server, faults })

  let ending = false
  const end = async (why: string, removeContainers: boolean): Promise<never> => {
    if (!ending) {
      ending = true
      await kubelet.stop().catch((e: unknown) => process.stderr.write(`kubelet ${name}: stopping failed: ${String(e)}\n`))
      // the cluster is gone: so are its containers on this node (a killed kubelet keeps them),
      // and the node's files with their keys
      if (removeContainers) {
        await inner.close().catch(() => undefined)
        await rm(dirname(resolve(file)), { recursive: true, force: true })
        await rmdir(dirname(dirname(resolve(file)))).catch(() => undefined)
      }
      if (why) process.stderr.write(`kubelet ${name}: ${why}\n`)
      process.exit(0)
    }
    return new Promise<never>(() => undefined)
  }
  process.on('SIGINT', () => undefined)
  process.on('SIGTERM', () => void end('', false))
  process.on('disconnect', () => void end('ock up is gone: removed the node containers and stopped', true))
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) void end('ock up is gone: removed the node containers and stopped', true)
  }, 1_000).unref()
  process.on('message', (m: KubeletProcessRequest) => {
    if (m?.type === 'runtimeReachable') runtime.setReachable(Boolean(m.reachable))
    else if (m?.type === 'pressure' && PRESSURE_CONDITIONS.includes(m.condition)) faults.setPressure(m.condition, Boolean(m.on))
  })

  try {
    await kubelet.start()
  } catch (e) {
    send({ type: 'failed', message: e instanceof Error ? e.message : String(e) })
    await end(`could not start: ${e instanceof Error ? e.message : String(e)}`, false)
  }
  send({ type: 'started', port: server.port ?? config.port })
}
