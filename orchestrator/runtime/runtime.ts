// The container runtime interface: the only way a kubelet acts on containers, playing the part
// of the CRI between kubelet and containerd. Two implementations stand behind it: the
// simulated runtime (an in-process state machine, for speed and scale) and the Docker runtime
// (real containers through testcontainers on the Docker engine, containerd underneath). One
// contract test suite runs against both.
// Simplifies: one container per call (no pod sandbox object); the pod's network identity is
// its pod IP on loopback, handed to every container of the pod (see PodNetwork below).

/** What the kubelet asks the runtime to run. */
export interface ContainerConfig {
  podUid: string
  podName: string
  podNamespace: string
  /** Container name within the pod. */
  name: string
  image: string
  command?: string[]
  args?: string[]
  env?: Record<string, string>
  /**
   * The pod's IP (inside the node's pod CIDR in 127.0.0.0/8). Containers share the host network
   * namespace and bind this address, so two pods may use the same containerPort. It is also in
   * the environment as POD_IP, with POD_NAME and POD_NAMESPACE.
   */
  podIP: string
  ports?: { containerPort: number; protocol?: string; name?: string }[]
  /** CPU and memory limits, if any (cores as millicores, memory in bytes). */
  limits?: { cpuMillis?: number; memoryBytes?: number }
  /** 0 for the first start of this container in this pod, then +1 per restart. */
  attempt: number
  /** Extra labels (the runtime adds its own run and pod labels). */
  labels?: Record<string, string>
  /** The container keeps a standard input open for attach (spec.containers[].stdin; stdinOnce closes it after the first attach ends). */
  stdin?: boolean
  stdinOnce?: boolean
  /** The container's process gets a terminal (spec.containers[].tty). */
  tty?: boolean
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown'

/** What the runtime reports about one container (the kubelet relists these, PLEG style). */
export interface ContainerStatus {
  /** Runtime-specific id, stable for the container's life (a new one after a restart). */
  id: string
  podUid: string
  name: string
  image: string
  imageId?: string
  attempt: number
  state: ContainerState
  createdAt: string
  startedAt?: string
  finishedAt?: string
  exitCode?: number
  /** Why it is in this state: Completed, Error, OOMKilled, ... */
  reason?: string
  message?: string
  /** Host PID of the container's first process, when the runtime knows it. */
  pid?: number
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Which streams an interactive exec or an attach carries (CRI ExecRequest / AttachRequest). */
export interface StreamOptions {
  stdin: boolean
  stdout: boolean
  stderr: boolean
  /** A terminal: stdout carries stdout and stderr together, and there is no separate stderr. */
  tty: boolean
}

/** A terminal's size, as the resize channel carries it. */
export interface TerminalSize {
  width: number
  height: number
}

/**
 * A running exec or attach session. Contract: output is written to `stdout` / `stderr` as the
 * process writes it; `stdout` ends when the process's output ends. Ending `stdin` closes the
 * process's standard input (half-close). `exitCode` resolves once the session is over: the
 * command's exit code for an exec, undefined for an attach. `close()` abandons the session
 * (the exec'd process may go on running, as with a real runtime when the client goes away).
 */
export interface StreamSession {
  stdin?: NodeJS.WritableStream
  stdout?: NodeJS.ReadableStream
  stderr?: NodeJS.ReadableStream
  resize(size: TerminalSize): Promise<void>
  exitCode: Promise<number | undefined>
  close(): void
}

/** What a runtime cannot do (the simulated runtime has no processes to attach to or sockets to forward). */
export class NotSupportedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NotSupportedError'
  }
}

export interface ContainerStats {
  /** Average CPU use since the previous sample, in millicores. */
  cpuMillis: number
  /**
   * CPU time the container has used since it started, in core-seconds: a counter that only
   * grows (CRI's usageCoreNanoSeconds; the kubelet's container_cpu_usage_seconds_total). Rates
   * come from two readings, so several readers never disturb each other.
   */
  cpuUsageCoreSeconds: number
  /** Working set: memory in use minus inactive file cache (container_memory_working_set_bytes). */
  memoryBytes: number
  /** When the sample was taken (RFC 3339). */
  timestamp: string
}

/** A failed pull: the kubelet reports ErrImagePull, then ImagePullBackOff. */
export class ImagePullError extends Error {
  constructor(
    readonly image: string,
    message: string,
  ) {
    super(message)
    this.name = 'ImagePullError'
  }
}

/** The container does not exist (any more). */
export class ContainerNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`container ${id} not found`)
    this.name = 'ContainerNotFoundError'
  }
}

/** The runtime itself cannot be reached (daemon down, injected fault). */
export class RuntimeUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RuntimeUnavailableError'
  }
}

/**
 * Contract (every method may throw RuntimeUnavailableError when the runtime is down):
 * - pullImage is idempotent; it throws ImagePullError when the image cannot be had.
 * - createContainer returns a new id; the container is `created`, not started.
 * - startContainer makes a created container `running`; a process that exits later shows up as
 *   `exited` with its exitCode in listContainers (nothing is restarted by the runtime).
 * - stopContainer sends SIGTERM, waits up to timeoutSeconds, then SIGKILL; stopping an exited
 *   container is a no-op. removeContainer deletes a stopped container; both throw
 *   ContainerNotFoundError for unknown ids.
 * - listContainers returns every container this runtime instance created and has not removed.
 * - exec runs a command in a running container and never throws for a non-zero exit.
 * - execStream and attach open a streaming session on a running container (StreamSession);
 *   portForward opens a TCP connection to a port of the pod's network namespace. A runtime
 *   that cannot do one throws NotSupportedError, whose message says so.
 * - close() stops and removes everything this instance created; it is idempotent.
 */
export interface ContainerRuntime {
  /** `simulated` or `docker`. */
  readonly name: string
  /** Name and version as a node reports them (nodeInfo.containerRuntimeVersion: "docker://20.10.24"). */
  version(): Promise<string>
  /** Whether the runtime answers; the kubelet reports it in the node's Ready condition. */
  status(): Promise<{ ready: boolean; message?: string }>
  pullImage(image: string): Promise<{ imageId: string }>
  createContainer(config: ContainerConfig): Promise<string>
  startContainer(id: string): Promise<void>
  stopContainer(id: string, timeoutSeconds: number): Promise<void>
  removeContainer(id: string): Promise<void>
  listContainers(filter?: { podUid?: string }): Promise<ContainerStatus[]>
  exec(id: string, command: string[], opts?: { timeoutMs?: number }): Promise<ExecResult>
  /** An interactive exec (kubectl exec -i / -t): streams as the process writes, exit code at the end. */
  execStream(id: string, command: string[], opts: StreamOptions): Promise<StreamSession>
  /** Attaches to the container's main process (kubectl attach, kubectl run -it). */
  attach(id: string, opts: StreamOptions): Promise<StreamSession>
  /** A connection to `port` in the pod's network namespace (pods here bind their pod IP). */
  portForward(podIP: string, port: number): Promise<NodeJS.ReadWriteStream & { destroy(): void }>
  /** The container's output so far (stdout and stderr interleaved), optionally the last lines. */
  logs(id: string, opts?: { tailLines?: number; previous?: boolean }): Promise<string>
  stats(id: string): Promise<ContainerStats>
  close(): Promise<void>
}

/**
 * Pod networking on loopback (architecture.md, "Network"): each node owns a pod CIDR inside
 * 127.0.0.0/8 (node.spec.podCIDR, a /24), the kubelet gives each pod the next free address of
 * it, and Services get ClusterIPs from a separate loopback range. Nothing leaves `lo`.
 */
export interface PodNetwork {
  /** The node's pod CIDR, e.g. 127.66.3.0/24. */
  podCIDR: string
}
