// A configured fault provider's doors for the `cluster` target: the Faults door (nodes) and the
// parts of the ControlPlaneDoor a cluster operator can do from outside (kill and restart an etcd
// member, stop and start a master's API server, controller manager or scheduler, move the
// CronJob controller's clock), over a runner that performs one operation on one subject, with
// a value for some (commands.ts, docker.ts). Every fault is recorded with the operation that
// heals it, before it runs (a command that fails half-way is healed too); `healAll` undoes the
// outstanding ones, newest first, when the session closes. What no provider can do from outside
// (etcd snapshots, a slow store) is refused with an error that says so, rather than half-done;
// so is pressure, another kubelet version or the clock when the configuration has no command
// for it (the step is skipped with that reason, as for a missing capability).

import { UnservedOperationError, type ControlPlaneDoor, type ControlPlaneShape, type Faults } from '../target.js'
import { OPERATIONS, checkArguments, type Operation } from './operations.js'

/** Performs operations for a provider. */
export interface FaultRunner {
  /** The provider's name as the configuration writes it (`commands`, `docker`). */
  readonly provider: string
  /** Whether the configuration gives this operation. */
  has(op: Operation): boolean
  /**
   * Runs an operation the runner has on one subject (none for the cluster's clock), with its
   * value when it takes one; rejects with what the command said when it fails.
   */
  run(op: Operation, subject: string | undefined, value?: string): Promise<void>
  /** The error for an operation the configuration lacks: it names the missing key. */
  lacks(op: Operation): Error
}

type Scope = 'node' | 'controlPlane'

interface Outstanding {
  heal: Operation
  subject: string | undefined
  /** The healing operation's value (the pressure to end), when it takes one. */
  value: string | undefined
  scope: Scope
}

/** Operations a configuration may well lack (they need more than a service manager): without a command, the step is skipped, not failed. */
const SKIPPED_WHEN_MISSING: ReadonlySet<Operation> = new Set([
  'setPressure',
  'clearPressure',
  'setKubeletVersion',
  'resetKubeletVersion',
  'advanceScheduleClock',
])

function key(op: Operation, subject: string | undefined, value: string | undefined): string {
  return `${op}|${subject ?? ''}|${value ?? ''}`
}

/** The doors one session gets from a configured provider. */
export class ProviderDoors {
  /** Faults done and not healed yet, by `<healing operation>|<subject>|<value>`, oldest first. */
  private readonly outstanding = new Map<string, Outstanding>()

  constructor(private readonly runner: FaultRunner) {}

  /** Faults not healed yet, as `<healing operation> <subject> [<value>]`, oldest first (for tests and diagnostics). */
  pending(): string[] {
    return [...this.outstanding.values()].map((o) => [o.heal, o.subject, o.value].filter((w) => w !== undefined).join(' '))
  }

  /** The error for an operation the runner lacks: a skip for those a configuration may well lack. */
  private lacks(op: Operation): Error {
    const e = this.runner.lacks(op)
    return SKIPPED_WHEN_MISSING.has(op) ? new UnservedOperationError(e.message) : e
  }

  /** Performs one operation, recording the fault it leaves (or clearing the one it heals). */
  async perform(op: Operation, subject: string | undefined, value?: string): Promise<void> {
    const spec = OPERATIONS[op]
    checkArguments(op, subject, value)
    if (!this.runner.has(op)) throw this.lacks(op)
    if (spec.healedBy) {
      // a fault the provider could not undo would outlive the scenario
      if (!this.runner.has(spec.healedBy)) throw this.lacks(spec.healedBy)
      const healValue = OPERATIONS[spec.healedBy].parameter ? value : undefined
      this.outstanding.set(key(spec.healedBy, subject, healValue), {
        heal: spec.healedBy,
        subject,
        value: healValue,
        scope: spec.subject === 'node' ? 'node' : 'controlPlane',
      })
    }
    await this.runner.run(op, subject, value)
    if (!spec.healedBy) this.outstanding.delete(key(op, subject, value))
  }

  /** Restarts a kubelet: the provider's restart command, else stop then start. */
  private async restartKubelet(node: string): Promise<void> {
    if (this.runner.has('restartKubelet')) {
      await this.perform('restartKubelet', node)
      this.outstanding.delete(key('startKubelet', node, undefined))
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
        await this.runner.run(o.heal, o.subject, o.value)
        this.outstanding.delete(key)
      } catch (e) {
        failures.push(`${[o.heal, o.subject, o.value].filter((w) => w !== undefined).join(' ')}: ${e instanceof Error ? e.message : String(e)}`)
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
      setPressure: (node, condition, on) => this.perform(on ? 'setPressure' : 'clearPressure', node, condition),
      // undefined: the node's own version again, which only the node's side knows
      setKubeletVersion: (node, version) =>
        version === undefined ? this.perform('resetKubeletVersion', node) : this.perform('setKubeletVersion', node, version),
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
      advanceScheduleClock: async (ms) => {
        if (ms === 0) return
        if (!Number.isInteger(ms / 1000) || ms < 0)
          throw new Error(`the ${this.runner.provider} fault provider moves the CronJob controller's clock forward by whole seconds, not by ${ms} ms`)
        await this.perform('advanceScheduleClock', undefined, String(ms / 1000))
      },
    }
  }
}
