// Scenario text that names the scenario's own namespace: `{namespace}` in an expected message or
// value stands for it, since each scenario runs in a namespace of its own (`ock-<id>`).

export function expandNamespace(text: string, namespace: string | undefined): string {
  return namespace ? text.replaceAll('{namespace}', namespace) : text
}
