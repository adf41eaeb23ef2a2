// DefaultBinder: the scheduler's only write about placement. It POSTs a Binding to the pod's
// pods/binding subresource (with the pod's uid as a precondition); the API server sets
// spec.nodeName and the PodScheduled condition. Mirrors pkg/scheduler/framework/plugins/defaultbinder.

import { ApiError } from '../../../api/errors.js'
import type { Pod } from '../../../api/types.js'
import type { Client } from '../../../client/client.js'
import { Status, type BindPlugin } from '../../framework/interface.js'

export const NAME = 'DefaultBinder'

export class DefaultBinder implements BindPlugin {
  readonly name = NAME

  constructor(private readonly client: Client) {}

  async bind(pod: Pod, nodeName: string): Promise<Status> {
    const ns = pod.metadata?.namespace ?? 'default'
    const name = pod.metadata?.name ?? ''
    try {
      await this.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/binding`, {
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace: ns, uid: pod.metadata?.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        },
        discardBody: true,
      })
      return Status.SUCCESS
    } catch (e) {
      if (e instanceof ApiError) return Status.error(`binding rejected: ${e.code} ${e.reason}: ${e.message}`)
      return Status.error(`binding failed: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
}
