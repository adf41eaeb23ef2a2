// ImagePolicy admission: pods, and the pod templates of workloads, may only run images from the
// registries a rule allows (`registry.internal`, or a path such as `registry.internal/team-a`);
// `nginx` or `docker.io/library/nginx` is refused with 403 naming the rule, the image as Docker
// resolves it, the container and the registries allowed. Configured per cluster in the
// AdmissionConfiguration (see ../chain.ts). Plays the part the course gives a validating
// admission policy ("no public images, only the internal registry"); upstream would use
// ImagePolicyWebhook or a ValidatingAdmissionPolicy, both of which answer 403 Forbidden.
// Simplifies: every rule applies to the namespaces it lists (all when it lists none).

import { forbidden } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { AdmissionAttributes, ValidatingAdmissionPlugin } from '../admission.js'

export const NAME = 'ImagePolicy'

export interface ImagePolicyRule {
  name: string
  /** Registry hosts (`registry.internal`, `localhost:5000`) or host/path prefixes. */
  allowedRegistries: string[]
  /** Namespaces the rule applies to; all when empty. */
  namespaces?: string[]
}

export interface ImagePolicyConfig {
  rules: ImagePolicyRule[]
}

/** Docker's reference normalisation: `nginx` -> `docker.io/library/nginx`. Returns domain and path. */
export function normalizeImage(image: string): { domain: string; path: string; full: string } {
  const noDigest = image.split('@')[0]!
  const slash = noDigest.indexOf('/')
  let domain = 'docker.io'
  let rest = noDigest
  if (slash >= 0) {
    const first = noDigest.slice(0, slash)
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      domain = first
      rest = noDigest.slice(slash + 1)
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io'
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.indexOf(':', lastSlash + 1)
  let path = colon >= 0 ? rest.slice(0, colon) : rest
  const tag = colon >= 0 ? rest.slice(colon) : ''
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`
  const digest = image.includes('@') ? image.slice(image.indexOf('@')) : ''
  return { domain, path, full: `${domain}/${path}${tag}${digest}` }
}

export function imageAllowed(image: string, allowed: string[]): boolean {
  const { domain, path } = normalizeImage(image)
  const ref = `${domain}/${path}`
  return allowed.some((a) => {
    const entry = a.replace(/\/+$/, '')
    return entry.includes('/') ? ref === entry || ref.startsWith(`${entry}/`) : domain === entry
  })
}

const TEMPLATED = new Set(['/replicationcontrollers', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs'])

interface Container {
  name?: string
  image?: string
}

/** Containers of a pod or of a workload's pod template, with their field path. */
export function containersOf(group: string, resource: string, o: KObject): { path: string; container: Container }[] {
  let spec: { containers?: unknown; initContainers?: unknown } | undefined
  let base = 'spec'
  if (group === '' && resource === 'pods') spec = (o as { spec?: typeof spec }).spec
  else if (TEMPLATED.has(`${group}/${resource}`)) {
    spec = (o as { spec?: { template?: { spec?: typeof spec } } }).spec?.template?.spec
    base = 'spec.template.spec'
  } else if (group === 'batch' && resource === 'cronjobs') {
    spec = (o as { spec?: { jobTemplate?: { spec?: { template?: { spec?: typeof spec } } } } }).spec?.jobTemplate?.spec?.template?.spec
    base = 'spec.jobTemplate.spec.template.spec'
  }
  const out: { path: string; container: Container }[] = []
  for (const key of ['initContainers', 'containers'] as const) {
    const list = spec?.[key]
    if (Array.isArray(list)) list.forEach((c, i) => out.push({ path: `${base}.${key}[${i}]`, container: (c ?? {}) as Container }))
  }
  return out
}

export class ImagePolicy implements ValidatingAdmissionPlugin {
  readonly name = NAME

  constructor(private readonly config: ImagePolicyConfig) {}

  handles(a: AdmissionAttributes): boolean {
    if (a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return false
    const key = `${a.resource.group}/${a.resource.resource}`
    return key === '/pods' || TEMPLATED.has(key) || key === 'batch/cronjobs'
  }

  validate(a: AdmissionAttributes): void {
    if (!a.object) return
    const containers = containersOf(a.resource.group, a.resource.resource, a.object)
    for (const rule of this.config.rules) {
      if (rule.namespaces?.length && !rule.namespaces.includes(a.namespace)) continue
      const bad = containers.filter(({ container }) => typeof container.image === 'string' && !imageAllowed(container.image, rule.allowedRegistries))
      if (!bad.length) continue
      const what = bad
        .map(
          ({ path, container }) =>
            `image "${container.image}" (${normalizeImage(container.image!).full}) of container "${container.name ?? ''}" (${path}.image)`,
        )
        .join('; ')
      throw forbidden(
        { group: a.resource.group, resource: a.resource.resource },
        a.name || undefined,
        `image policy "${rule.name}" denied the request: ${what} is not from an allowed registry (${rule.allowedRegistries.join(', ')})`,
      )
    }
  }
}
