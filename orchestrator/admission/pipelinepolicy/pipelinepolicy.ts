// DeploymentPipelinePolicy admission: in protected namespaces only the configured identities
// (for example the Jenkins service account `system:serviceaccount:ci:jenkins`) may create
// Deployments or change their spec; anyone else, however much RBAC grants them, is refused with
// 403 naming the rule. Metadata-only and status updates (controllers writing revisions and
// status) and the scale subresource (autoscaling) are not deployments and pass. Configured per
// cluster in the AdmissionConfiguration (see ../chain.ts). Plays the part the course gives a
// validating admission policy ("only an authorized pipeline, like Jenkins, may deploy").

import { forbidden } from '../../api/errors.js'
import type { AdmissionAttributes, ValidatingAdmissionPlugin } from '../admission.js'

export const NAME = 'DeploymentPipelinePolicy'

export interface PipelineRule {
  name: string
  /** Namespaces where only the pipeline may deploy. */
  namespaces: string[]
  allowedUsers?: string[]
  allowedGroups?: string[]
}

export interface PipelinePolicyConfig {
  rules: PipelineRule[]
}

function specOf(o: unknown): string {
  return JSON.stringify((o as { spec?: unknown } | undefined)?.spec ?? null)
}

export class DeploymentPipelinePolicy implements ValidatingAdmissionPlugin {
  readonly name = NAME

  constructor(private readonly config: PipelinePolicyConfig) {}

  handles(a: AdmissionAttributes): boolean {
    return !a.subresource && a.resource.group === 'apps' && a.resource.resource === 'deployments' && (a.operation === 'CREATE' || a.operation === 'UPDATE')
  }

  validate(a: AdmissionAttributes): void {
    if (a.operation === 'UPDATE' && specOf(a.object) === specOf(a.oldObject)) return
    for (const rule of this.config.rules) {
      if (!rule.namespaces.includes(a.namespace)) continue
      const users = rule.allowedUsers ?? []
      const groups = rule.allowedGroups ?? []
      if (users.includes(a.user.name) || a.user.groups.some((g) => groups.includes(g))) continue
      const who = [...users, ...groups.map((g) => `group ${g}`)].join(', ') || 'nobody'
      throw forbidden(
        { group: 'apps', resource: 'deployments' },
        a.name || undefined,
        `deployment pipeline policy "${rule.name}" denied the request: only ${who} may create or update Deployments in namespace "${a.namespace}", not "${a.user.name}"`,
      )
    }
  }
}
