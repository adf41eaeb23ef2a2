// What an API server writes when it starts, as upstream's post-start hooks: the system
// namespaces (default, kube-system, kube-public, kube-node-lease; the bootstrap controller),
// the default RBAC roles and bindings (rbac/bootstrap-roles) and an APIService for every group
// served here (the autoregister controller). Each creates what is missing and leaves what
// exists, so API servers sharing a store can all run them.

import { ApiError } from '../api/errors.js'
import { lookupResource } from '../api/resources.js'
import type { UserInfo } from './auth.js'
import { bootstrapObjects } from './authz/bootstrappolicy.js'
import { APIREGISTRATION_GROUP, localAPIServices } from './handlers/aggregator.js'
import type { Registry } from './registry/store.js'

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const SYSTEM_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] }

/** Upstream's rbac/bootstrap-roles post-start hook: create the default roles and bindings that are missing. */
export async function ensureBootstrapPolicy(registry: Registry): Promise<void> {
  for (const { resource, object } of bootstrapObjects()) {
    const info = lookupResource('rbac.authorization.k8s.io', resource)!
    try {
      await registry.create({ requestId: 'bootstrap', user: SYSTEM_USER }, info, '', object)
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e
    }
  }
}

/** Upstream's autoregister controller: an APIService named "Local" for every group served here. */
export async function ensureLocalAPIServices(registry: Registry): Promise<void> {
  const info = lookupResource(APIREGISTRATION_GROUP, 'apiservices')!
  for (const object of localAPIServices()) {
    try {
      await registry.create({ requestId: 'bootstrap', user: SYSTEM_USER }, info, '', object)
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e
    }
  }
}

/** The system namespaces every cluster has (upstream's bootstrap controller). */
export async function ensureSystemNamespaces(registry: Registry): Promise<void> {
  const info = lookupResource('', 'namespaces')!
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await registry.create({ requestId: 'bootstrap', user: SYSTEM_USER }, info, '', { metadata: { name } })
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e
    }
  }
}
