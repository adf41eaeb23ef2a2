// Numbered steps a scenario can ask its sequence diagram to mark, by tag: a scenario tagged
// `@diagram:create-object` gets the nine steps of the notes' create-object process. Each step is
// a predicate on the diagram's messages (and the trace entries behind them); the diagram marks
// the first message that satisfies it, wherever it is, so a step that happened out of order is
// marked where it happened. Add a set here and tag the scenario; nothing else changes.

import type { DiagramMessage, StepRule } from './sequence.js'

const entryOf = (m: DiagramMessage, kind: string) => m.entries.find((e) => e.kind === kind)
const sameRequest = (m: DiagramMessage, other: DiagramMessage | undefined): boolean => other !== undefined && m.requestId === other.requestId
const byLane = (m: DiagramMessage, prefix: string): boolean => m.from === prefix || m.from.startsWith(`${prefix}:`)

/** The notes' nine steps of creating a Deployment, from the user's request to running containers. */
export const CREATE_OBJECT_STEPS: readonly StepRule[] = [
  {
    n: 1,
    label: 'The user sends the Deployment (the desired state) to the API server',
    when: (m) =>
      m.kind === 'request' &&
      m.from.startsWith('user:') &&
      entryOf(m, 'request')?.resource === 'deployments.apps' &&
      ['create', 'patch', 'update'].includes(entryOf(m, 'request')?.verb ?? ''),
  },
  {
    n: 2,
    label: 'The API server records the request and checks it: authentication, authorization, admission, validation',
    when: (m, prior) => m.kind === 'checks' && sameRequest(m, prior.get(1)) && !m.failed,
  },
  {
    n: 3,
    label: 'The API server writes the Deployment to etcd',
    when: (m, prior) => m.kind === 'write' && sameRequest(m, prior.get(1)),
  },
  {
    n: 4,
    label: 'etcd confirms the write with a revision',
    when: (m, prior) => m.kind === 'ack' && sameRequest(m, prior.get(1)) && !m.failed,
  },
  {
    n: 5,
    label: 'The user is told the Deployment is created',
    when: (m, prior) => m.kind === 'response' && sameRequest(m, prior.get(1)) && entryOf(m, 'response')?.code === 201,
  },
  {
    n: 6,
    label: 'The controller manager sees it and creates the ReplicaSet, which creates the pods (Pending)',
    when: (m) =>
      m.kind === 'request' &&
      byLane(m, 'controller-manager') &&
      entryOf(m, 'request')?.resource === 'replicasets.apps' &&
      entryOf(m, 'request')?.verb === 'create',
  },
  {
    n: 7,
    label: 'The scheduler binds each pod to a node',
    when: (m) => m.kind === 'request' && byLane(m, 'scheduler') && entryOf(m, 'request')?.subresource === 'binding',
  },
  {
    n: 8,
    label: 'The kubelet sees the pod bound to its node',
    when: (m) => m.kind === 'watch' && m.to.startsWith('kubelet:') && entryOf(m, 'watch')?.resource === 'pods',
  },
  {
    n: 9,
    label: 'The kubelet has the container runtime create and start the containers',
    when: (m) => m.kind === 'runtime' && /^(Created|Started)$/.test(m.label.split(' ')[0] ?? ''),
  },
]

/** Step sets by name, as scenarios ask for them with `@diagram:<name>`. */
export const DIAGRAM_STEPS: Readonly<Record<string, readonly StepRule[]>> = {
  'create-object': CREATE_OBJECT_STEPS,
}

/** The step rules a scenario's tags ask for (unknown names are an error a feature author sees). */
export function stepsForTags(tags: readonly string[]): readonly StepRule[] | undefined {
  const tag = tags.find((t) => t.startsWith('@diagram:'))
  if (!tag) return undefined
  const name = tag.slice('@diagram:'.length)
  const rules = DIAGRAM_STEPS[name]
  if (!rules)
    throw new Error(
      `unknown diagram steps "${name}" in ${tag}; known: ${Object.keys(DIAGRAM_STEPS)
        .map((k) => `@diagram:${k}`)
        .join(', ')}`,
    )
  return rules
}
