// A configured fault provider's doors for the `cluster` target: the Faults door (nodes) and the
// parts of the ControlPlaneDoor a cluster operator can do from outside (kill and restart an etcd
// member, stop and start a master's API server, controller manager or scheduler), over a runner
// that performs one operation on one subject (commands.ts, docker.ts). Every fault is recorded
// with the operation that heals it, before it runs (a command that fails half-way is healed
// too); `healAll` undoes the outstanding ones, newest first, when the session closes. What the
// provider cannot do (node pressure, another kubelet version, etcd snapshots, a slow store) is
// refused with an error that says so, rather than half-done.

import { UnservedOperationError, type ControlPlaneDoor, type ControlPlaneShape, type Faults } from '../target.js'
import { OPERATIONS, checkSubjectName, type Operation } from './operations.js'

/** Performs operations for a provider. */
export interface FaultRunner {
  /** The provider's name as the configuration writes it (`commands`, `docker`). */
  readonly provider: string
  /** Whether the configuration gives this operation. */
  has(op: Operation): boolean
  /** Runs an operation the runner has on one subject; rejects with what the command said when it fails. */
  run(op: Operation, subject: string): Promise<void>
  /** The error for an operation the configuration lacks: it names the missing key. */
  lacks(op: Operation): Error
}

type Scope = 'node' | 'controlPlane'

interface Outstanding {
  heal: Operation
  subject: string
  scope: Scope
}

/** The doors one session gets from a configured provider. */
export class ProviderDoors {
  /** Faults done and not healed yet, by `<healing operation>|<subject>`, oldest first. */
  private readonly outstanding = new Map<string, Outstanding>()

  constructor(private readonly runner: FaultRunner) {}

  /** Faults not healed yet, as `<healing operation> <subject>`, oldest first (for tests and diagnostics). */
  pending(): string[] {
    return [...this.outstanding.values()].map((o) => `${o.heal} ${o.subject}`)
  }

  /** Performs one operation, recording the fault it leaves (or clearing the one it heals). */
  async perform(op: Operation, subject: string): Promise<void> {
    const spec = OPERATIONS[op]
    checkSubjectName(spec.subject, subject)
    if (!this.runner.has(op)) throw this.runner.lacks(op)
    if (spec.healedBy) {
      // a fault the provider could not undo would outlive the scenario
      if (!this.runner.has(spec.healedBy)) throw this.runner.lacks(spec.healedBy)
      this.outstanding.set(`${spec.healedBy}|${subject}`, { heal: spec.healedBy, subject, scope: spec.subject === 'node' ? 'node' : 'controlPlane' })
    }
    await this.runner.run(op, subject)
    if (!spec.healedBy) this.outstanding.delete(`${op}|${subject}`)
  }

  /** Restarts a kubelet: the provider's restart command, else stop then start. */
  private async restartKubelet(node: string): Promise<void> {
    if (this.runner.has('restartKubelet')) {
      await this.perform('restartKubelet', node)
      this.outstanding.delete(`startKubelet|${node}`)
      return
    }
    if (!this.runner.has('stopKubelet') || !this.runner.has('startKubelet')) throw this.runner.lacks('restartKubelet')
    await this.perform('stopKubelet', node)
    await this.perform('startKubelet', node)
  }

  /** Heals the outstanding faults of a scope (all when undefined), newest first; every one is tried, failures are reported together. */
  async healAll(scope?: Scope): Promise<void> {
    const failures: string[] = []
    for (const [key, o] of [...this.outstanding].reverse()) {
      if (scope && o.scope !== scope) continue
      try {
        await this.runner.run(o.heal, o.subject)
        this.outstanding.delete(key)
      } catch (e) {
        failures.push(`${o.heal} ${o.subject}: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    if (failures.length) throw new Error(`the ${this.runner.provider} fault provider could not heal every fault: ${failures.join('; ')}`)
  }

  private cannot(what: string): Error {
    return new UnservedOperationError(`the ${this.runner.provider} fault provider cannot ${what}; only the builtin target can`)
  }

  faults(): Faults {
    return {
      stopKubelet: (node) => this.perform('stopKubelet', node),
      startKubelet: (node) => this.perform('startKubelet', node),
      restartKubelet: (node) => this.restartKubelet(node),
      freezeHeartbeats: (node, frozen) => this.perform(frozen ? 'freezeHeartbeats' : 'unfreezeHeartbeats', node),
      setRuntimeReachable: (node, reachable) => this.perform(reachable ? 'startRuntime' : 'stopRuntime', node),
      setPressure: async () => {
        throw this.cannot('put a node under memory, disk or PID pressure')
      },
      setKubeletVersion: async () => {
        throw this.cannot("change a kubelet's reported version")
      },
      healAll: () => this.healAll('node'),
      can: (op) => this.runner.has(op),
    }
  }

  /**
   * `shape`: the control plane as the target configuration describes it; without one, what
   * needs it is refused with `noShape` as the reason (the key to add).
   */
  controlPlane(shape?: ControlPlaneShape, noShape?: string): ControlPlaneDoor {
    const cannot = (what: string) => () => {
      throw this.cannot(what)
    }
    const rejects = (what: string) => async () => {
      throw this.cannot(what)
    }
    return {
      shape: shape
        ? () => shape
        : () => {
            throw new UnservedOperationError(
              `${noShape ?? 'no control plane described'}: the ${this.runner.provider} fault provider cannot tell the control plane's shape (masters, their API servers, etcd)`,
            )
          },
      etcdMembers: rejects("list etcd members' states"),
      killEtcdMember: (name) => this.perform('killEtcdMember', name),
      restartEtcdMember: (name) => this.perform('restartEtcdMember', name),
      waitForEtcdLeader: rejects('wait for an etcd leader'),
      snapshotEtcd: rejects('take an etcd snapshot'),
      loseEtcd: rejects("delete etcd's data"),
      restoreEtcd: rejects('restore etcd from a snapshot'),
      killApiServer: (master) => this.perform('stopMaster', master),
      restartApiServer: (master) => this.perform('startMaster', master),
      crashControllerManager: (master) => this.perform('stopControllerManager', master),
      startControllerManager: (master) => this.perform('startControllerManager', master),
      crashScheduler: (master) => this.perform('stopScheduler', master),
      startScheduler: (master) => this.perform('startScheduler', master),
      // upstream's leader-election identity is `<hostname>_<uuid>`; a master's hostname is its
      // name (one the described control plane lists, when there is one)
      masterOfIdentity: (identity) => {
        const host = identity.split('_')[0] || undefined
        return shape && !shape.masters.some((m) => m.name === host) ? undefined : host
      },
      delayStoreAcknowledgements: cannot("delay the store's acknowledgements"),
      delayStoreCommits: cannot("delay the store's commits"),
      advanceScheduleClock: cannot("move the CronJob controller's clock"),
    }
  }
}
