// The Node authorizer: requests from kubelets (user `system:node:<name>`, group `system:nodes`)
// are judged against the node rules (what a kubelet does at all), narrowed to the node's own
// objects: its Lease in kube-node-lease, and only the secrets and config maps that pods bound
// to it reference. Writes to its Node object and to pods are narrowed further by the
// NodeRestriction admission plugin, as upstream splits the job. Mirrors
// plugin/pkg/auth/authorizer/node (messages included).
// Simplifies: the "graph" of pod -> secret/configmap references is computed by reading the
// pods of the namespace on each such request instead of being kept up to date by informers.

import type { KObject } from '../../api/meta.js'
import type { AuthorizationAttributes, Authorizer, Decision, UserInfo } from '../auth.js'
import { NODE_RULES } from './bootstrappolicy.js'
import { ruleAllows, type RuleResolution, type RuleResolver } from './rbac.js'

export const NODE_LEASE_NAMESPACE = 'kube-node-lease'

/** The node a user is, when it is one: `system:node:<name>` in group `system:nodes`. */
export function nodeIdentity(user: Pick<UserInfo, 'name' | 'groups'>): { isNode: boolean; nodeName: string } {
  if (!user.groups.includes('system:nodes')) return { isNode: false, nodeName: '' }
  if (!user.name.startsWith('system:node:')) return { isNode: false, nodeName: '' }
  return { isNode: true, nodeName: user.name.slice('system:node:'.length) }
}

export interface PodSource {
  pods(namespace: string): Promise<readonly KObject[]>
}

type Verdict = { decision: Decision; reason?: string }
const deny = (reason: string): Verdict => ({ decision: 'noOpinion', reason })

export class NodeAuthorizer implements Authorizer, RuleResolver {
  readonly name = 'Node'

  constructor(private readonly source: PodSource) {}

  /** A node's permissions depend on the objects bound to it: not enumerable (upstream NodeAuthorizer.RulesFor). */
  resolveRules(user: UserInfo): RuleResolution {
    if (!nodeIdentity(user).isNode) return { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] }
    return { resourceRules: [], nonResourceRules: [], incomplete: true, errors: ['node authorizer does not support user rule resolution'] }
  }

  async authorize(a: AuthorizationAttributes): Promise<Verdict> {
    const { isNode, nodeName } = nodeIdentity(a.user)
    if (!isNode) return { decision: 'noOpinion' }
    if (!nodeName) return deny(`unknown node for user "${a.user.name}"`)
    if (a.isResourceRequest && a.apiGroup === '') {
      if (a.resource === 'secrets') return this.readReferenced(nodeName, 'secret', a)
      if (a.resource === 'configmaps') return this.readReferenced(nodeName, 'configmap', a)
    }
    if (a.isResourceRequest && a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') return this.lease(nodeName, a)
    return NODE_RULES.some((r) => ruleAllows(a, r)) ? { decision: 'allow' } : { decision: 'noOpinion' }
  }

  private lease(nodeName: string, a: AuthorizationAttributes): Verdict {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return deny('can only get, create, update, patch, or delete a node lease')
    if (a.namespace !== NODE_LEASE_NAMESPACE) return deny(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`)
    // create carries no name in the URL: NodeRestriction checks it on the object
    if (a.verb !== 'create' && a.name !== nodeName) return deny('can only access node lease with the same name as the requesting node')
    return { decision: 'allow' }
  }

  private async readReferenced(nodeName: string, kind: 'secret' | 'configmap', a: AuthorizationAttributes): Promise<Verdict> {
    if (!['get', 'list', 'watch'].includes(a.verb)) return deny('can only read resources of this type')
    if (a.subresource) return deny('cannot read subresource')
    if (!a.namespace) return deny('can only read namespaced object of this type')
    if (!a.name) return deny('No Object name found')
    for (const pod of await this.source.pods(a.namespace)) {
      const spec = (pod as { spec?: PodSpecRefs }).spec
      if (spec?.nodeName === nodeName && referencedBy(spec, kind).has(a.name)) return { decision: 'allow' }
    }
    return deny(`no relationship found between node '${nodeName}' and this object`)
  }
}

interface PodSpecRefs {
  nodeName?: string
  volumes?: {
    secret?: { secretName?: string }
    configMap?: { name?: string }
    projected?: { sources?: { secret?: { name?: string }; configMap?: { name?: string } }[] }
  }[]
  containers?: ContainerRefs[]
  initContainers?: ContainerRefs[]
  imagePullSecrets?: { name?: string }[]
}

interface ContainerRefs {
  env?: { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[]
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[]
}

/** Names of the secrets or config maps a pod spec refers to (volumes, env, envFrom, image pull secrets). */
export function referencedBy(spec: PodSpecRefs, kind: 'secret' | 'configmap'): Set<string> {
  const names = new Set<string>()
  const add = (n: string | undefined): void => {
    if (n) names.add(n)
  }
  for (const v of spec.volumes ?? []) {
    if (kind === 'secret') add(v.secret?.secretName)
    else add(v.configMap?.name)
    for (const s of v.projected?.sources ?? []) add(kind === 'secret' ? s.secret?.name : s.configMap?.name)
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) add(kind === 'secret' ? e.valueFrom?.secretKeyRef?.name : e.valueFrom?.configMapKeyRef?.name)
    for (const e of c.envFrom ?? []) add(kind === 'secret' ? e.secretRef?.name : e.configMapRef?.name)
  }
  if (kind === 'secret') for (const s of spec.imagePullSecrets ?? []) add(s.name)
  return names
}
