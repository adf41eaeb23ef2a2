// Server-side printing: meta.k8s.io/v1 Table responses for `kubectl get`, with the columns
// upstream's printers (pkg/printers/internalversion/printers.go) produce for each kind, and
// NAME / AGE for the rest. kubectl asks for this with `Accept: application/json;as=Table;...`.
// Simplifies: only the columns below; no custom-columns on the server.

import type { KObject, StoredObject } from '../../api/meta.js'

export interface TableColumn {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format?: string
  description: string
  priority: number
}

interface Printer {
  columns: TableColumn[]
  cells(o: Any): unknown[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- printers read loosely-typed JSON
type Any = any

function col(name: string, description: string, priority = 0, type: TableColumn['type'] = 'string', format?: string): TableColumn {
  const c: TableColumn = { name, type, description, priority }
  if (format) c.format = format
  return c
}

const NAME = col('Name', 'Name must be unique within a namespace.', 0, 'string', 'name')
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.')

/** Upstream duration.HumanDuration, as `kubectl get` shows ages. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 120) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`
  if (m < 180) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`
  if (h < 48) return `${h}h`
  const d = Math.floor(h / 24)
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`
  if (d < 365 * 2) return `${d}d`
  return `${Math.floor(d / 365)}y`
}

function age(o: Any): string {
  const ts = o?.metadata?.creationTimestamp
  return ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>'
}

function podStatus(p: Any): { ready: string; status: string; restarts: string } {
  const statuses: Any[] = p.status?.containerStatuses ?? []
  const total = p.spec?.containers?.length ?? 0
  const ready = statuses.filter((s) => s.ready).length
  let restarts = 0
  let reason: string = p.status?.reason || p.status?.phase || 'Unknown'
  let lastRestart: string | undefined
  for (const s of statuses) {
    restarts += s.restartCount ?? 0
    if (s.lastState?.terminated?.finishedAt) lastRestart = s.lastState.terminated.finishedAt
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason
    else if (s.state?.terminated) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`
  }
  if (p.metadata?.deletionTimestamp) reason = p.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating'
  const restartText = lastRestart && restarts > 0 ? `${restarts} (${humanDuration(Date.now() - Date.parse(lastRestart))} ago)` : String(restarts)
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText }
}

function nodeStatus(n: Any): string {
  const ready = (n.status?.conditions ?? []).find((c: Any) => c.type === 'Ready')
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown']
  if (n.spec?.unschedulable) parts.push('SchedulingDisabled')
  return parts.join(',')
}

function nodeRoles(n: Any): string {
  const roles = Object.keys(n.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
  return roles.length ? roles.sort().join(',') : '<none>'
}

function servicePorts(s: Any): string {
  const ports: Any[] = s.spec?.ports ?? []
  if (!ports.length) return '<none>'
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',')
}

function endpointsText(e: Any): string {
  const out: string[] = []
  for (const ss of e.subsets ?? []) {
    for (const a of ss.addresses ?? []) {
      const ports: Any[] = ss.ports ?? []
      if (!ports.length) out.push(a.ip)
      for (const p of ports) out.push(`${a.ip}:${p.port}`)
    }
  }
  if (!out.length) return '<none>'
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',')
}

function selectorText(sel: Any): string {
  if (!sel) return '<none>'
  const parts = Object.entries(sel.matchLabels ?? sel).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}=${String(v)}`)
  return parts.length ? parts.join(',') : '<none>'
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      col('IP', 'IP address allocated to the pod. Assigned when the pod is scheduled.', 1),
      col('Node', 'Name of the Node this pod is assigned to.', 1),
      col('Nominated Node', 'Name of the node the pod is nominated to run on.', 1),
      col('Readiness Gates', 'Readiness gates of the pod.', 1),
    ],
    cells: (p) => {
      const s = podStatus(p)
      return [p.metadata.name, s.ready, s.status, s.restarts, age(p), p.status?.podIP ?? '<none>', p.spec?.nodeName || '<none>', p.status?.nominatedNodeName ?? '<none>', '<none>']
    },
  },
  Node: {
    columns: [
      NAME,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of internal IPs for the node.', 1),
      col('External-IP', 'List of external IPs for the node.', 1),
      col('OS-Image', 'OS image reported by the node.', 1),
      col('Kernel-Version', 'Kernel version reported by the node.', 1),
      col('Container-Runtime', 'Container runtime and version reported by the node.', 1),
    ],
    cells: (n) => {
      const addr = (t: string): string => (n.status?.addresses ?? []).find((a: Any) => a.type === t)?.address ?? '<none>'
      const info = n.status?.nodeInfo ?? {}
      return [n.metadata.name, nodeStatus(n), nodeRoles(n), age(n), info.kubeletVersion ?? '', addr('InternalIP'), addr('ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>']
    },
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 0, 'integer'),
      col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 0, 'integer'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'Label selector for pods.', 1),
    ],
    cells: (d) => {
      const cs: Any[] = d.spec?.template?.spec?.containers ?? []
      return [d.metadata.name, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, age(d), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorText(d.spec?.selector)]
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      col('Desired', 'Number of desired pods.', 0, 'integer'),
      col('Current', 'Number of actual replicas.', 0, 'integer'),
      col('Ready', 'Number of ready replicas.', 0, 'integer'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'Label selector for pods.', 1),
    ],
    cells: (r) => {
      const cs: Any[] = r.spec?.template?.spec?.containers ?? []
      return [r.metadata.name, r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(r), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorText(r.spec?.selector)]
    },
  },
  Service: {
    columns: [
      NAME,
      col('Type', 'The type of the service.'),
      col('Cluster-IP', 'The cluster IP address of the service.'),
      col('External-IP', 'The external IP address of the service.'),
      col('Port(s)', 'The ports exposed by the service.'),
      AGE,
      col('Selector', 'The selector of the service.', 1),
    ],
    cells: (s) => [s.metadata.name, s.spec?.type ?? 'ClusterIP', s.spec?.clusterIP ?? '<none>', (s.spec?.externalIPs ?? []).join(',') || '<none>', servicePorts(s), age(s), selectorText(s.spec?.selector)],
  },
  Ingress: {
    columns: [
      NAME,
      col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'Ports of TLS configurations that open'),
      AGE,
    ],
    cells: (i) => {
      const hosts = [...new Set((i.spec?.rules ?? []).map((r: Any) => r.host).filter(Boolean))]
      const addrs = (i.status?.loadBalancer?.ingress ?? []).map((a: Any) => a.ip ?? a.hostname).filter(Boolean)
      return [i.metadata.name, i.spec?.ingressClassName ?? '<none>', hosts.join(',') || '*', addrs.join(','), (i.spec?.tls ?? []).length ? '80, 443' : '80', age(i)]
    },
  },
  Endpoints: {
    columns: [NAME, col('Endpoints', 'Endpoints of the service.'), AGE],
    cells: (e) => [e.metadata.name, endpointsText(e), age(e)],
  },
  Namespace: {
    columns: [NAME, col('Status', 'The status of the namespace.'), AGE],
    cells: (n) => [n.metadata.name, n.status?.phase ?? 'Active', age(n)],
  },
  Event: {
    columns: [
      col('Last Seen', 'Time when last event was observed.'),
      col('Type', 'Type of this event (Normal, Warning).'),
      col('Reason', 'Why the action was taken.'),
      col('Object', 'The object this event is about.'),
      col('Message', 'A human-readable description of the status of this operation.'),
    ],
    cells: (e) => {
      const last = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp
      const obj = `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`
      return [last ? humanDuration(Date.now() - Date.parse(last)) : '<unknown>', e.type ?? '', e.reason ?? '', obj, e.message ?? '']
    },
  },
  Lease: {
    columns: [NAME, col('Holder', 'Name of the holder of the lease.'), AGE],
    cells: (l) => [l.metadata.name, l.spec?.holderIdentity ?? '', age(l)],
  },
  PodDisruptionBudget: {
    columns: [
      NAME,
      col('Min Available', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
      col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 0, 'integer'),
      AGE,
    ],
    cells: (p) => [p.metadata.name, p.spec?.minAvailable ?? 'N/A', p.spec?.maxUnavailable ?? 'N/A', p.status?.disruptionsAllowed ?? 0, age(p)],
  },
  HorizontalPodAutoscaler: {
    columns: [
      NAME,
      col('Reference', 'The reference to the target resource.'),
      col('Targets', 'The current and target metrics.'),
      col('MinPods', 'The minimum number of replicas.', 0, 'integer'),
      col('MaxPods', 'The maximum number of replicas.', 0, 'integer'),
      col('Replicas', 'The current number of replicas.', 0, 'integer'),
      AGE,
    ],
    cells: (h) => {
      const targets = formatHPAMetrics(h.spec?.metrics ?? [], h.status?.currentMetrics ?? [])
      const ref = h.spec?.scaleTargetRef
      return [h.metadata.name, ref ? `${ref.kind}/${ref.name}` : '', targets, h.spec?.minReplicas ?? 1, h.spec?.maxReplicas ?? 0, h.status?.currentReplicas ?? 0, age(h)]
    },
  },
}

// kube-aggregator's printer: where the group is served, and whether it answers
PRINTERS.APIService = {
  columns: [NAME, col('Service', 'The reference to the service that hosts this API endpoint.'), col('Available', 'Whether this service is available.'), AGE],
  cells: (a) => {
    const svc = a.spec?.service
    const cond = (a.status?.conditions ?? []).find((c: Any) => c.type === 'Available')
    const available = !cond ? 'Unknown' : cond.status === 'True' ? 'True' : `${cond.status} (${cond.reason ?? ''})`
    return [a.metadata.name, svc ? `${svc.namespace}/${svc.name}` : 'Local', available, age(a)]
  },
}

/** Upstream's formatHPAMetrics: "cpu: 42%/50%", "memory: 30Mi/64Mi", at most two then "+ N more...". */
function formatHPAMetrics(specs: Any[], statuses: Any[]): string {
  if (!specs.length) return '<none>'
  const list = specs.map((spec, i) => {
    const res = spec.resource ?? spec.containerResource
    const cur = (statuses[i]?.resource ?? statuses[i]?.containerResource)?.current
    const name = res?.name ?? spec.type ?? 'metric'
    if (res?.target?.averageValue !== undefined) return `${name}: ${cur?.averageValue ?? '<unknown>'}/${res.target.averageValue}`
    const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>'
    const target = res?.target?.averageUtilization !== undefined ? `${res.target.averageUtilization}%` : '<auto>'
    return `${name}: ${current}/${target}`
  })
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ')
}

const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], cells: (o) => [o.metadata.name, age(o)] }

/** True when the Accept header asks for a Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept))
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io'

function rowObject(o: StoredObject, includeObject: string): unknown {
  if (includeObject === 'None') return undefined
  if (includeObject === 'Object') return o
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata }
}

/** Converts objects of one kind into a Table. `includeObject` is the query parameter (Metadata by default). */
export function toTable(kind: string, objects: StoredObject[], resourceVersion: string | undefined, includeObject = 'Metadata', continueToken?: string): KObject {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER
  const table: KObject = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...(continueToken ? { continue: continueToken } : {}) } as never,
    columnDefinitions: printer.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o) }
      const obj = rowObject(o, includeObject)
      if (obj) row.object = obj
      return row
    }),
  }
  return table
}
