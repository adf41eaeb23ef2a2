// A container runtime that can be made unreachable: it wraps any ContainerRuntime (the
// simulated one or the Docker one) and, while the fault is on, answers every call with
// RuntimeUnavailableError and status() with not ready - what a kubelet sees when containerd's
// socket stops answering. Containers keep running behind it, as they do when only the CRI
// endpoint is gone. The fault door of the built-in cluster switches it. It also keeps the
// journal of the containers its node was asked to create (the runtime door reads it: which pods
// a node's kubelet ran, from the runtime's side).
// Simplifies: calls already in flight when the fault starts complete normally.

import {
  RuntimeUnavailableError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type StreamOptions,
  type StreamSession,
} from './runtime.js'

export const UNREACHABLE_MESSAGE = 'rpc error: code = Unavailable desc = connection error: the container runtime endpoint does not answer'

/** One container the runtime created: for which pod, and when. */
export interface CreatedContainer {
  podUid: string
  podNamespace: string
  podName: string
  container: string
  at: string
}

export class FaultInjectingRuntime implements ContainerRuntime {
  private reachable = true
  private readonly journal: CreatedContainer[] = []

  constructor(readonly inner: ContainerRuntime) {}

  get name(): string {
    return this.inner.name
  }

  /** Makes the runtime unreachable (false) or reachable again (true). */
  setReachable(reachable: boolean): void {
    this.reachable = reachable
  }

  get isReachable(): boolean {
    return this.reachable
  }

  private check(): void {
    if (!this.reachable) throw new RuntimeUnavailableError(UNREACHABLE_MESSAGE)
  }

  async version(): Promise<string> {
    this.check()
    return this.inner.version()
  }

  async status(): Promise<{ ready: boolean; message?: string }> {
    if (!this.reachable) return { ready: false, message: UNREACHABLE_MESSAGE }
    return this.inner.status()
  }

  async pullImage(image: string): Promise<{ imageId: string }> {
    this.check()
    return this.inner.pullImage(image)
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    this.check()
    const id = await this.inner.createContainer(config)
    this.journal.push({
      podUid: config.podUid,
      podNamespace: config.podNamespace,
      podName: config.podName,
      container: config.name,
      at: new Date().toISOString(),
    })
    return id
  }

  /** Every container this runtime created, oldest first (removed ones included). */
  created(): CreatedContainer[] {
    return [...this.journal]
  }

  async startContainer(id: string): Promise<void> {
    this.check()
    return this.inner.startContainer(id)
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.check()
    return this.inner.stopContainer(id, timeoutSeconds)
  }

  async removeContainer(id: string): Promise<void> {
    this.check()
    return this.inner.removeContainer(id)
  }

  async listContainers(filter?: { podUid?: string }): Promise<ContainerStatus[]> {
    this.check()
    return this.inner.listContainers(filter)
  }

  async exec(id: string, command: string[], opts?: { timeoutMs?: number }): Promise<ExecResult> {
    this.check()
    return this.inner.exec(id, command, opts)
  }

  async execStream(id: string, command: string[], opts: StreamOptions): Promise<StreamSession> {
    this.check()
    return this.inner.execStream(id, command, opts)
  }

  async attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    this.check()
    return this.inner.attach(id, opts)
  }

  async portForward(podIP: string, port: number): ReturnType<ContainerRuntime['portForward']> {
    this.check()
    return this.inner.portForward(podIP, port)
  }

  async logs(id: string, opts?: { tailLines?: number; previous?: boolean }): Promise<string> {
    this.check()
    return this.inner.logs(id, opts)
  }

  async stats(id: string): Promise<ContainerStats> {
    this.check()
    return this.inner.stats(id)
  }

  /** Always closes the inner runtime (cleanup must not depend on the fault). */
  close(): Promise<void> {
    return this.inner.close()
  }
}
