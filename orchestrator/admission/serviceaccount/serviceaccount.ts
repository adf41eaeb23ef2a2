// ServiceAccount admission: a pod created without `spec.serviceAccountName` runs as the
// namespace's `default` service account, and a pod naming a service account that does not
// exist is refused. Mirrors plugin/pkg/admission/serviceaccount (the default name, the retry
// while the serviceaccounts controller has not yet made `default`, and the message
// "error looking up service account <ns>/<name>: serviceaccount "<name>" not found").
// Simplifies: no projected token volume is mounted (the simulated kubelet has no use for one);
// mirror pods are left alone as upstream does.

import { forbidden } from '../../api/errors.js'
import type { AdmissionAttributes, AdmissionReader, MutatingAdmissionPlugin } from '../admission.js'

export const NAME = 'ServiceAccount'
export const DEFAULT_SERVICE_ACCOUNT = 'default'
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror'

export interface ServiceAccountOptions {
  /** Lookups of `default` before giving up (upstream: 10, 100-200 ms apart). */
  defaultAttempts?: number
  retryIntervalMs?: number
}

export class ServiceAccountAdmission implements MutatingAdmissionPlugin {
  readonly name = NAME
  private readonly attempts: number
  private readonly intervalMs: number

  constructor(opts: ServiceAccountOptions = {}) {
    this.attempts = opts.defaultAttempts ?? 10
    this.intervalMs = opts.retryIntervalMs ?? 150
  }

  handles(a: AdmissionAttributes): boolean {
    return a.operation === 'CREATE' && !a.subresource && a.resource.group === '' && a.resource.resource === 'pods'
  }

  async admit(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    const pod = a.object as { metadata?: { annotations?: Record<string, string> }; spec?: { serviceAccountName?: string; serviceAccount?: string } } | undefined
    if (!pod?.spec || pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return
    if (!pod.spec.serviceAccountName) pod.spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT
    pod.spec.serviceAccount = pod.spec.serviceAccountName
    const name = pod.spec.serviceAccountName
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? this.attempts : 1
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.intervalMs))
      if (await reader.get('', 'serviceaccounts', a.namespace, name)) return
    }
    throw forbidden(
      { group: '', resource: 'pods' },
      a.name || undefined,
      `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`,
    )
  }
}
