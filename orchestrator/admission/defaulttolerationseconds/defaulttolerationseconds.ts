// DefaultTolerationSeconds admission: every new pod tolerates the `not-ready` and `unreachable`
// NoExecute taints for a while (300 s by default), so a node that misses heartbeats does not
// have its pods evicted at once. Pods that already tolerate a taint (by key, or with an empty
// key) are left as they are. Mirrors plugin/pkg/admission/defaulttolerationseconds and its
// kube-apiserver flags --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds (here: the plugin's configuration).

import type { AdmissionAttributes, MutatingAdmissionPlugin } from '../admission.js'

export const NAME = 'DefaultTolerationSeconds'
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready'
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable'
/** kube-apiserver's default for both flags: 300 s. */
export const DEFAULT_TOLERATION_SECONDS = 300

export interface DefaultTolerationSecondsConfig {
  defaultNotReadyTolerationSeconds?: number
  defaultUnreachableTolerationSeconds?: number
}

interface Toleration {
  key?: string
  operator?: string
  value?: string
  effect?: string
  tolerationSeconds?: number
}

export class DefaultTolerationSeconds implements MutatingAdmissionPlugin {
  readonly name = NAME
  readonly notReadySeconds: number
  readonly unreachableSeconds: number

  constructor(cfg: DefaultTolerationSecondsConfig = {}) {
    this.notReadySeconds = cfg.defaultNotReadyTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS
    this.unreachableSeconds = cfg.defaultUnreachableTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS
  }

  handles(a: AdmissionAttributes): boolean {
    return a.operation === 'CREATE' && !a.subresource && a.resource.group === '' && a.resource.resource === 'pods'
  }

  admit(a: AdmissionAttributes): void {
    const spec = (a.object as { spec?: { tolerations?: Toleration[] } } | undefined)?.spec
    if (!spec) return
    const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : []
    const tolerates = (key: string): boolean => tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect))
    const add: Toleration[] = []
    if (!tolerates(NOT_READY_TAINT)) add.push({ key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.notReadySeconds })
    if (!tolerates(UNREACHABLE_TAINT)) add.push({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.unreachableSeconds })
    if (add.length) spec.tolerations = [...tolerations, ...add]
  }
}
