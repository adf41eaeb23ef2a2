// The fault operations a fault provider of the `cluster` target may perform, each on one subject
// (a node, an etcd member or a master; the CronJob controller's clock is the cluster's), named
// as the target configuration's keys name them (`faults.commands.stopKubelet`), some with one
// value besides (which pressure, which kubelet version, how many seconds). Each operation that
// breaks something names the one that heals it, so a provider can undo what a scenario did when
// its session closes; the one that needs no healing says why. Subject names and values are
// checked against strict patterns before any provider uses them, so neither can become a
// command-line option or shell syntax.

import { FAULT_VALUES, type FaultParameter } from '../../../orchestrator/cluster/faultcontrol.js'

export type Subject = 'node' | 'member' | 'master'

/** The value an operation takes besides its subject: its placeholder's name (`{condition}`). */
export type Parameter = FaultParameter

export type Operation =
  | 'stopKubelet'
  | 'startKubelet'
  | 'restartKubelet'
  | 'freezeHeartbeats'
  | 'unfreezeHeartbeats'
  | 'stopRuntime'
  | 'startRuntime'
  | 'killEtcdMember'
  | 'restartEtcdMember'
  | 'stopMaster'
  | 'startMaster'
  | 'stopControllerManager'
  | 'startControllerManager'
  | 'stopScheduler'
  | 'startScheduler'
  | 'setPressure'
  | 'clearPressure'
  | 'setKubeletVersion'
  | 'resetKubeletVersion'
  | 'advanceScheduleClock'

export interface OperationSpec {
  /** What the operation acts on: the placeholder its command template uses (`{node}`); absent when it acts on the cluster as a whole. */
  subject?: Subject
  /** The value it takes besides, as a placeholder its command template must use (`{condition}`). */
  parameter?: Parameter
  /** The operation that undoes this one (absent for operations that heal or restart); it gets the same subject, and the same value when it takes one. */
  healedBy?: Operation
  /** Why a breaking operation needs no healing (instead of `healedBy`). */
  needsNoHealing?: string
  /** What it does, for messages ("stop a node's kubelet"). */
  does: string
}

/** Every operation, in the order the example configuration lists them. */
export const OPERATIONS: Readonly<Record<Operation, OperationSpec>> = {
  stopKubelet: { subject: 'node', healedBy: 'startKubelet', does: "stop a node's kubelet" },
  startKubelet: { subject: 'node', does: "start a node's kubelet" },
  restartKubelet: { subject: 'node', does: "restart a node's kubelet" },
  freezeHeartbeats: { subject: 'node', healedBy: 'unfreezeHeartbeats', does: "freeze a node's heartbeats" },
  unfreezeHeartbeats: { subject: 'node', does: "let a node's heartbeats resume" },
  stopRuntime: { subject: 'node', healedBy: 'startRuntime', does: "stop a node's container runtime" },
  startRuntime: { subject: 'node', does: "start a node's container runtime" },
  killEtcdMember: { subject: 'member', healedBy: 'restartEtcdMember', does: 'kill an etcd member' },
  restartEtcdMember: { subject: 'member', does: 'restart an etcd member' },
  stopMaster: { subject: 'master', healedBy: 'startMaster', does: "stop a master's API server" },
  startMaster: { subject: 'master', does: "start a master's API server" },
  stopControllerManager: { subject: 'master', healedBy: 'startControllerManager', does: "stop a master's controller manager" },
  startControllerManager: { subject: 'master', does: "start a master's controller manager" },
  stopScheduler: { subject: 'master', healedBy: 'startScheduler', does: "stop a master's scheduler" },
  startScheduler: { subject: 'master', does: "start a master's scheduler" },
  setPressure: { subject: 'node', parameter: 'condition', healedBy: 'clearPressure', does: 'put a node under memory, disk or PID pressure' },
  clearPressure: { subject: 'node', parameter: 'condition', does: "end a node's memory, disk or PID pressure" },
  setKubeletVersion: { subject: 'node', parameter: 'version', healedBy: 'resetKubeletVersion', does: "restart a node's kubelet as another version" },
  resetKubeletVersion: { subject: 'node', does: "restart a node's kubelet as its own version" },
  advanceScheduleClock: {
    parameter: 'seconds',
    needsNoHealing:
      'the clock only moves forward, as time does, and only the CronJob controller reads it: a schedule computed after the move is as good as one computed later',
    does: "move the CronJob controller's clock forward",
  },
}

export const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[]

export function isOperation(name: string): name is Operation {
  return Object.hasOwn(OPERATIONS, name)
}

/**
 * What a subject's name may be: a Kubernetes object name, an etcd member name or a container
 * name (letters, digits, `.`, `_`, `:`, `-`, not starting with `-`). A provider refuses any other
 * before running a command, so a name can never become a command-line option or shell syntax.
 */
export const SUBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/

export function checkSubjectName(subject: Subject, name: string): void {
  if (!SUBJECT_NAME.test(name))
    throw new Error(`refusing the ${subject} name ${JSON.stringify(name)}: a ${subject} name is letters, digits, ".", "_", ":" and "-"`)
}

/** What each value may be and is called: the same rules `ock fault` applies (orchestrator/cluster/faultcontrol.ts). */
export const PARAMETER_VALUES = FAULT_VALUES

/**
 * Checks an operation's subject name and value before a provider uses them: the subject when
 * the operation has one, the value exactly when it takes one.
 */
export function checkArguments(op: Operation, subject: string | undefined, value: string | undefined): void {
  const spec = OPERATIONS[op]
  if (spec.subject) {
    if (subject === undefined) throw new Error(`${op} needs a ${spec.subject}`)
    checkSubjectName(spec.subject, subject)
  } else if (subject !== undefined) throw new Error(`${op} acts on the cluster, not on ${JSON.stringify(subject)}`)
  if (spec.parameter) {
    const p = PARAMETER_VALUES[spec.parameter]
    if (value === undefined) throw new Error(`${op} needs ${p.noun} (${p.is})`)
    if (!p.valid(value)) throw new Error(`refusing the ${spec.parameter} ${JSON.stringify(value)} for ${op}: expected ${p.is}`)
  } else if (value !== undefined) throw new Error(`${op} takes no value besides its ${spec.subject ?? 'subject'}, not ${JSON.stringify(value)}`)
}

/** The placeholders an operation's command template may use: its subject's and its value's. */
export function placeholdersOf(op: Operation): string[] {
  const spec = OPERATIONS[op]
  return [spec.subject, spec.parameter].filter((p): p is Subject | Parameter => p !== undefined)
}
