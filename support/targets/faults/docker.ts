// The `docker` fault provider, for clusters whose nodes are containers (kind, k3d): a node,
// master or etcd member is a container (`faults.docker.containers`, else the container of the
// same name), and each operation is one docker CLI call (`faults.docker.binary`, `docker` by
// default) with argv, never a shell:
//   kubelet stop/start/restart   docker exec <c> systemctl stop|start|restart <kubelet unit>
//   runtime stop/start           docker exec <c> systemctl stop|start <runtime unit>
//   heartbeats freeze/resume     docker pause|unpause <c> (the whole node, its pods included), or
//                                with `freeze: sigstop` docker exec <c> systemctl kill
//                                --kill-who=main --signal=SIGSTOP|SIGCONT <kubelet unit> (only
//                                the kubelet: its pods keep running, as the Faults contract says)
//   etcd member kill/restart     docker kill|start <c>
//   master stop/start            docker kill|start <c> (on kind the master's container holds its
//                                etcd member and its controller manager too)
// The units are kind's (systemd's `kubelet` and `containerd`); k3d's nodes run k3s without
// systemd: use the `commands` provider there for anything but freezing a node. It has no
// operation for pressure, a kubelet version or the CronJob clock (each `lacks` says why: a
// node's kubelet measures its pressure, its version is its image's, the controller manager
// reads its container's clock); those steps are skipped. Untested on a
// real kind or k3d (neither runs here); docker.test.ts checks the calls against a fake docker.

import type { DockerFaults } from '../config.js'
import { runCommand } from './exec.js'
import { OPERATIONS, type Operation } from './operations.js'
import type { FaultRunner } from './provider.js'

/** The docker arguments of each operation the provider offers, for a container. */
function dockerArgs(config: DockerFaults, op: Operation, c: string): string[] | undefined {
  const { kubelet, runtime } = config.units
  const signal = (sig: string) => ['exec', c, 'systemctl', 'kill', '--kill-who=main', `--signal=${sig}`, kubelet]
  switch (op) {
    case 'stopKubelet':
      return ['exec', c, 'systemctl', 'stop', kubelet]
    case 'startKubelet':
      return ['exec', c, 'systemctl', 'start', kubelet]
    case 'restartKubelet':
      return ['exec', c, 'systemctl', 'restart', kubelet]
    case 'freezeHeartbeats':
      return config.freeze === 'pause' ? ['pause', c] : signal('SIGSTOP')
    case 'unfreezeHeartbeats':
      return config.freeze === 'pause' ? ['unpause', c] : signal('SIGCONT')
    case 'stopRuntime':
      return ['exec', c, 'systemctl', 'stop', runtime]
    case 'startRuntime':
      return ['exec', c, 'systemctl', 'start', runtime]
    case 'killEtcdMember':
    case 'stopMaster':
      return ['kill', c]
    case 'restartEtcdMember':
    case 'startMaster':
      return ['start', c]
    default:
      return undefined
  }
}

/** Why a container cannot do an operation by itself, for those it lacks. */
function whyNot(op: Operation): string {
  switch (op) {
    case 'setPressure':
    case 'clearPressure':
      return "a node's kubelet reports the pressure it measures against its eviction thresholds, which a docker call cannot fake without filling the node"
    case 'setKubeletVersion':
    case 'resetKubeletVersion':
      return "a node's kubelet is the one its node image ships"
    case 'advanceScheduleClock':
      return "the controller manager reads its container's clock, which is the host's"
    default:
      return 'a container holds more than that'
  }
}

export function dockerRunner(config: DockerFaults, file: string): FaultRunner {
  const lacks = (op: Operation) =>
    new Error(
      `the docker fault provider cannot ${OPERATIONS[op].does} (${whyNot(op)}); use \`faults.provider: commands\` with \`faults.commands.${op}\` in the target configuration (${file})`,
    )
  return {
    provider: 'docker',
    has: (op) => dockerArgs(config, op, '') !== undefined,
    run: async (op, subject) => {
      if (subject === undefined) throw lacks(op)
      const args = dockerArgs(config, op, config.containers[subject] ?? subject)
      if (!args) throw lacks(op)
      await runCommand(`faults.docker (${op} ${subject})`, [config.binary, ...args], config.timeoutMs)
    },
    lacks,
  }
}
