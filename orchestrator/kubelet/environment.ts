// A container's environment as the kubelet builds it: literal values, and the downward API's
// fieldRef values the kubelet fills in (metadata.name, metadata.namespace, metadata.uid,
// metadata.labels['k'], metadata.annotations['k'], spec.nodeName, spec.serviceAccountName,
// status.podIP, status.hostIP). Mirrors pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables,
// podFieldSelectorRuntimeValue). Simplifies: no configMapKeyRef / secretKeyRef / resourceFieldRef,
// no $(VAR) expansion, no service environment variables.

import type { Container, Pod } from '../api/types.js'

export function containerEnvironment(pod: Pod, c: Container, podIP: string, hostIP: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value
    else if (e.valueFrom?.fieldRef) {
      const v = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, podIP, hostIP)
      if (v !== undefined) env[e.name] = v
    }
  }
  return env
}

export function fieldRefValue(pod: Pod, path: string, podIP: string, hostIP: string): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name
    case 'metadata.namespace':
      return pod.metadata?.namespace
    case 'metadata.uid':
      return pod.metadata?.uid
    case 'spec.nodeName':
      return pod.spec?.nodeName
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName
    case 'status.podIP':
      return podIP
    case 'status.hostIP':
      return hostIP
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
      if (m) return (pod.metadata?.[m[1] as 'labels' | 'annotations'] as Record<string, string> | undefined)?.[m[2]!]
      return undefined
    }
  }
}
