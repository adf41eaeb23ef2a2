// The fault operations a fault provider of the `cluster` target may perform, each on one subject
// (a node, an etcd member or a master), named as the target configuration's keys name them
// (`faults.commands.stopKubelet`). Each operation that breaks something names the one that heals
// it, so a provider can undo what a scenario did when its session closes.

export type Subject = 'node' | 'member' | 'master'

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

export interface OperationSpec {
  /** What the operation acts on: the placeholder its command template uses (`{node}`). */
  subject: Subject
  /** The operation that undoes this one (absent for operations that heal or restart). */
  healedBy?: Operation
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
