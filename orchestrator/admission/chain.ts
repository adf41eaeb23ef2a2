// The admission chain of the reference API server and its per-cluster configuration: an
// AdmissionConfiguration (apiserver.config.k8s.io/v1, as kube-apiserver's
// --admission-control-config-file) that names plugins and carries their configuration. The
// built-in plugins always run, in upstream's order (AllOrderedPlugins: NamespaceLifecycle,
// LimitRanger, ServiceAccount, NodeRestriction, DefaultTolerationSeconds, ..., ResourceQuota):
//   mutating:   NamespaceLifecycle (first: a missing namespace is NotFound before anything
//               else is looked up), LimitRanger (defaults), ServiceAccount,
//               DefaultTolerationSeconds
//   validating: LimitRanger (min/max), NodeRestriction, ImagePolicy, DeploymentPipelinePolicy,
//               ResourceQuota (last, so quota is only charged for requests every other plugin
//               admitted)
// ImagePolicy and DeploymentPipelinePolicy run only when the configuration gives them rules.

import { parse as parseYaml } from 'yaml'
import type { AdmissionChain } from './admission.js'
import { DefaultTolerationSeconds, type DefaultTolerationSecondsConfig } from './defaulttolerationseconds/defaulttolerationseconds.js'
import { ImagePolicy, type ImagePolicyConfig } from './imagepolicy/imagepolicy.js'
import { LimitRanger } from './limitranger/limitranger.js'
import { NamespaceLifecycle } from './namespacelifecycle/namespacelifecycle.js'
import { NodeRestriction } from './noderestriction/noderestriction.js'
import { DeploymentPipelinePolicy, type PipelinePolicyConfig } from './pipelinepolicy/pipelinepolicy.js'
import { ResourceQuotaAdmission } from './resourcequota/resourcequota.js'
import { ServiceAccountAdmission } from './serviceaccount/serviceaccount.js'

export interface AdmissionConfig {
  DefaultTolerationSeconds?: DefaultTolerationSecondsConfig
  ImagePolicy?: ImagePolicyConfig
  DeploymentPipelinePolicy?: PipelinePolicyConfig
}

const CONFIGURABLE = ['DefaultTolerationSeconds', 'ImagePolicy', 'DeploymentPipelinePolicy'] as const
const ALWAYS_ON = ['NamespaceLifecycle', 'ServiceAccount', 'LimitRanger', 'NodeRestriction', 'ResourceQuota']

export class AdmissionConfigError extends Error {
  constructor(message: string) {
    super(`admission configuration: ${message}`)
    this.name = 'AdmissionConfigError'
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new AdmissionConfigError(`${where} must be a list of strings`)
  return v as string[]
}

function rulesOf(cfg: Record<string, unknown>, plugin: string): Record<string, unknown>[] {
  const rules = cfg.rules
  if (!Array.isArray(rules) || !rules.length) throw new AdmissionConfigError(`${plugin}.rules must be a non-empty list`)
  return rules.map((r, i) => {
    if (!isObject(r) || typeof r.name !== 'string' || !r.name) throw new AdmissionConfigError(`${plugin}.rules[${i}] needs a name`)
    return r
  })
}

/** Parses an AdmissionConfiguration (YAML or JSON text, or an already parsed object). */
export function parseAdmissionConfiguration(input: string | unknown): AdmissionConfig {
  const doc = typeof input === 'string' ? (parseYaml(input) as unknown) : input
  if (!isObject(doc)) throw new AdmissionConfigError('expected an AdmissionConfiguration object')
  if (doc.kind !== undefined && doc.kind !== 'AdmissionConfiguration')
    throw new AdmissionConfigError(`kind must be AdmissionConfiguration, not ${String(doc.kind)}`)
  const out: AdmissionConfig = {}
  const plugins = doc.plugins ?? []
  if (!Array.isArray(plugins)) throw new AdmissionConfigError('plugins must be a list')
  for (const [i, p] of plugins.entries()) {
    if (!isObject(p) || typeof p.name !== 'string') throw new AdmissionConfigError(`plugins[${i}] needs a name`)
    const name = p.name
    const cfg = isObject(p.configuration) ? p.configuration : {}
    if (p.path !== undefined) throw new AdmissionConfigError(`plugins[${i}] (${name}): give the configuration inline; "path" is not supported`)
    switch (name) {
      case 'DefaultTolerationSeconds': {
        const c: DefaultTolerationSecondsConfig = {}
        for (const k of ['defaultNotReadyTolerationSeconds', 'defaultUnreachableTolerationSeconds'] as const) {
          const v = cfg[k]
          if (v === undefined) continue
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
            throw new AdmissionConfigError(`DefaultTolerationSeconds.${k} must be a whole number of seconds >= 0`)
          c[k] = v
        }
        out.DefaultTolerationSeconds = c
        break
      }
      case 'ImagePolicy':
        out.ImagePolicy = {
          rules: rulesOf(cfg, name).map((r, j) => {
            const allowedRegistries = strings(r.allowedRegistries, `ImagePolicy.rules[${j}].allowedRegistries`)
            if (!allowedRegistries.length) throw new AdmissionConfigError(`ImagePolicy.rules[${j}].allowedRegistries must name at least one registry`)
            return { name: r.name as string, allowedRegistries, namespaces: strings(r.namespaces, `ImagePolicy.rules[${j}].namespaces`) }
          }),
        }
        break
      case 'DeploymentPipelinePolicy':
        out.DeploymentPipelinePolicy = {
          rules: rulesOf(cfg, name).map((r, j) => {
            const namespaces = strings(r.namespaces, `DeploymentPipelinePolicy.rules[${j}].namespaces`)
            if (!namespaces.length) throw new AdmissionConfigError(`DeploymentPipelinePolicy.rules[${j}].namespaces must name the protected namespaces`)
            return {
              name: r.name as string,
              namespaces,
              allowedUsers: strings(r.allowedUsers, `DeploymentPipelinePolicy.rules[${j}].allowedUsers`),
              allowedGroups: strings(r.allowedGroups, `DeploymentPipelinePolicy.rules[${j}].allowedGroups`),
            }
          }),
        }
        break
      default:
        if (ALWAYS_ON.includes(name)) break // on by default, nothing to configure
        throw new AdmissionConfigError(`unknown admission plugin "${name}"; configurable plugins are ${CONFIGURABLE.join(', ')}`)
    }
  }
  return out
}

/** The ordered chain for a cluster. */
export function buildAdmissionChain(config: AdmissionConfig = {}): AdmissionChain {
  const limitRanger = new LimitRanger()
  return {
    mutating: [new NamespaceLifecycle(), limitRanger, new ServiceAccountAdmission(), new DefaultTolerationSeconds(config.DefaultTolerationSeconds)],
    validating: [
      limitRanger,
      new NodeRestriction(),
      ...(config.ImagePolicy ? [new ImagePolicy(config.ImagePolicy)] : []),
      ...(config.DeploymentPipelinePolicy ? [new DeploymentPipelinePolicy(config.DeploymentPipelinePolicy)] : []),
      new ResourceQuotaAdmission(),
    ],
  }
}
