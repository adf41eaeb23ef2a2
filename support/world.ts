// The World: what one scenario knows. Kept thin on purpose: the target session (cluster,
// namespace, kubeconfig), facts remembered between steps, the last API rejection (which a step
// must check), and the last kubectl command's result. Behaviour lives in the support modules
// the steps call.

import { World, setWorldConstructor, setDefaultTimeout, type IWorldOptions } from '@cucumber/cucumber'
import type { PickleStep } from '@cucumber/messages'
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node'
import type { DrainProgress, NodeMarks } from './nodes.js'
import type { Address } from './services.js'
import type { Reshaped } from './reshape.js'
import type { CommandResult } from './kubectl.js'
import type { StatusError } from './kube.js'
import type { ScenarioTopology, Session, TargetParameters } from './targets/target.js'
import { targetFor } from './targets/registry.js'

/** Steps that wait state their own bound; this only stops a hung step. */
setDefaultTimeout(180_000)

export type OckParameters = TargetParameters & {
  /** Attach a sequence diagram of the trace to every scenario that has one (default true). */
  diagrams?: boolean
  /** Also attach the diagram as text, one line per message (`ock explain --run`). */
  diagramText?: boolean
}

/** The pod a step acted on ("I run ... in one of the pods labelled ..."), for later steps about "that pod". */
export interface ThatPod {
  name: string
  uid: string
  /** Its container when the step acted (a restart changes it). */
  containerID?: string
}

/** What steps note for later steps of the same scenario; each fact has the step that sets it and those that read it. */
export interface Remembered {
  /** "When every master stops": the masters stopped, for "when the masters come back". */
  stoppedMasters?: string[]
  /** A node's uid before its kubelet restarted, by node name. */
  nodeUids: Map<string, string | undefined>
  /** A pod's uid when a step acted on it, by pod name. */
  podUids: Map<string, string | undefined>
  /** The containers a step noted, as the pod status named them (containerID with its runtime scheme) with the pod's restart count then, and the pod address (ip:port) a container serves HTTP on. */
  notedContainers?: { pod: string; container: string; containerID: string; restartCount: number; address?: string }[]
  /** Pods a step saw running (their uid, node and containers), by name, for the steps that check their containers stopped. */
  seenRunning?: Map<string, { uid: string; node?: string; containers: string[] }>
  /** The pod a step deleted, and the label selector it was picked by. */
  deletedPod?: { name?: string; uid?: string; selector: string }
  /** "I watch the pods": every version of every pod, by name, in the order the watch delivered them. */
  podHistory?: Map<string, V1Pod[]>
  /** "I watch the pods": every watch event of every pod, in the order the watch delivered them. */
  podTimeline?: { type: string; pod: V1Pod }[]
  /** The Jobs a CronJob had started when a step last counted them. */
  cronJobJobs?: string[]
  /** The pod "that pod" refers to. */
  thatPod?: ThatPod
  /** The uid of a Deployment's ReplicaSet, by Deployment name. */
  replicaSetUids: Map<string, string | undefined>
  /** The address an Ingress's controller published, read once (as a DNS record would keep it), by Ingress name. */
  ingressAddresses: Map<string, Address>
  /** Drains started and still running, by node. */
  drains: Map<string, { progress: DrainProgress; finished: Promise<void> }>
  /** What became of "I try to scale ...": 'accepted' or the error. */
  scaleAttempt?: 'accepted' | unknown
  /** Stops the request-making clients a step started. */
  requestClients: (() => void)[]
  /** A shared cluster's nodes (labels, taints, cordon) before the scenario first changed one; the After hook puts them back (support/nodeshape.ts). */
  nodesAsFound?: NodeMarks[]
  /** What the kit changed to fit a shared cluster to the scenario's node shape (nodes taken out, filler pods); the After hook undoes it (support/reshape.ts). */
  reshaped?: Reshaped
}

export class OckWorld extends World<OckParameters> {
  /** Short id of this scenario; its namespace is `ock-<id>`. */
  scenarioId = ''
  /** The scenario's steps (set before it runs). */
  scenarioSteps: readonly PickleStep[] = []

  /** The scenario's steps with their tables and documents, as text: what it names and does, for steps that must know before they act. */
  get scenarioText(): string {
    return this.scenarioSteps
      .map((s) =>
        [s.text, s.argument?.docString?.content ?? '', ...(s.argument?.dataTable?.rows.map((r) => r.cells.map((c) => c.value).join(' | ')) ?? [])].join('\n'),
      )
      .join('\n')
  }
  /** What Given steps asked of the cluster before it starts. */
  readonly topology: ScenarioTopology = {}
  /**
   * The timings the scenario stated, in ms, as its cluster runs them (the stated values on the
   * built-in target, the cluster's own on another): bounds named after a timing ("within the
   * node monitor grace period plus 3s") are computed from these (support/timings.ts).
   */
  readonly statedTimings: Record<string, number> = {}
  private session?: Session
  private opening?: Promise<Session>
  /** The last rejection of a `try` step, until a Then step checks it. */
  lastError?: StatusError
  lastErrorChecked = true
  /** The object the last `try` step sent or got back. */
  lastObject?: KubernetesObject
  lastCommand?: CommandResult
  /** Objects of the last applied manifest, in order. */
  lastManifests: KubernetesObject[] = []
  /** What the server answered for each object of the last apply, and the objects as they were just before it. */
  applied?: KubernetesObject[]
  previouslyApplied?: KubernetesObject[]
  /** A connection that failed below HTTP (TLS refused, reset), for transport-level steps. */
  lastTransportError?: string
  /** Trace position when the scenario's cluster became ready. */
  traceCursor = 0
  /** Store revision when the scenario's cluster became ready (targets with the store door). */
  storeCursor = 0
  /** Wall-clock ms when the scenario's cluster became ready: audit events of the scenario came later. */
  openedAt = 0
  /** Store revision just before the step now running (set by a BeforeStep hook, store door only). */
  storeMarkBeforeStep?: number
  /** Store revision just before the step that made the last rejected request. */
  lastErrorStoreMark?: number
  /** When each object of a manifest was sent (performance.now()), by `Kind/name`: start-up latency is measured from there. */
  readonly sentAt = new Map<string, number>()
  /** When the API server's answer for each object of a manifest arrived (wall-clock ms, sub-ms precision), by `Kind/name`. */
  readonly answeredAt = new Map<string, number>()
  /** Facts a step noted for a later one, each under its own typed field (see Remembered). */
  readonly remembered: Remembered = {
    nodeUids: new Map(),
    podUids: new Map(),
    replicaSetUids: new Map(),
    ingressAddresses: new Map(),
    drains: new Map(),
    requestClients: [],
  }
  /** Work a step left running or changed (a drain, a load driver, a cordon): undone when the scenario ends, before the cluster goes. */
  readonly cleanups: (() => unknown)[] = []

  constructor(options: IWorldOptions<OckParameters>) {
    super(options)
  }

  /** The scenario's session, opened on first use so Given steps can shape the cluster first. */
  async cluster(): Promise<Session> {
    if (this.session) return this.session
    this.opening ??= (async () => {
      const target = targetFor(this.parameters)
      const s = await target.open(this.scenarioId, this.topology)
      this.session = s
      this.traceCursor = s.trace ? await s.trace.cursor() : 0
      this.storeCursor = s.store ? await s.store.revision() : 0
      this.openedAt = Date.now()
      return s
    })()
    return this.opening
  }

  /** True once the cluster is running (topology can no longer change). */
  get started(): boolean {
    return this.session !== undefined || this.opening !== undefined
  }

  async closeSession(): Promise<void> {
    for (const undo of this.cleanups.splice(0))
      await Promise.resolve()
        .then(undo)
        .catch(() => undefined)
    const s = this.session ?? (this.opening ? await this.opening.catch(() => undefined) : undefined)
    this.session = undefined
    this.opening = undefined
    if (s) await s.close()
  }

  get currentSession(): Session | undefined {
    return this.session
  }

  /** Records a rejection that a later step must check. */
  rejected(e: StatusError): void {
    this.lastError = e
    this.lastErrorChecked = false
    this.lastErrorStoreMark = this.storeMarkBeforeStep ?? this.storeCursor
  }

  /** Hands the last rejection to a checking step (and marks it checked). */
  takeError(): StatusError {
    if (!this.lastError) {
      if (this.lastTransportError) throw new Error(`no request was rejected: the connection failed below HTTP (${this.lastTransportError})`)
      throw new Error('no request was rejected: the last request succeeded')
    }
    this.lastErrorChecked = true
    return this.lastError
  }
}

setWorldConstructor(OckWorld)
