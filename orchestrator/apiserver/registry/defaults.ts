// Field defaulting helpers, as upstream's SetDefaults_* functions in
// pkg/apis/<group>/v1/defaults.go: a pod spec (restartPolicy Always, terminationGracePeriodSeconds
// 30, probe periods 10s, imagePullPolicy from the tag, requests from limits, ...), a pod
// template, a LimitRange item. Which kind gets which defaults is its strategy's `defaults`
// (strategies/); they run when an object is decoded, before admission.
// Simplifies: only the fields the reference cluster and kubectl's output rely on.

export type Json = Record<string, unknown>

export function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

export function setDefault(o: Json, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value
}

function defaultProbe(p: unknown): void {
  const probe = obj(p)
  if (!probe) return
  setDefault(probe, 'timeoutSeconds', 1)
  setDefault(probe, 'periodSeconds', 10)
  setDefault(probe, 'successThreshold', 1)
  setDefault(probe, 'failureThreshold', 3)
  const http = obj(probe.httpGet)
  if (http) {
    setDefault(http, 'path', '/')
    setDefault(http, 'scheme', 'HTTP')
  }
}

function defaultContainer(c: unknown): void {
  const container = obj(c)
  if (!container) return
  const image = typeof container.image === 'string' ? container.image : ''
  const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1]
  setDefault(container, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent')
  setDefault(container, 'terminationMessagePath', '/dev/termination-log')
  setDefault(container, 'terminationMessagePolicy', 'File')
  for (const port of arr(container.ports)) {
    const p = obj(port)
    if (p) setDefault(p, 'protocol', 'TCP')
  }
  defaultProbe(container.livenessProbe)
  defaultProbe(container.readinessProbe)
  defaultProbe(container.startupProbe)
  const resources = obj(container.resources)
  if (resources) {
    // requests default to limits when only limits are given (upstream SetDefaults_Pod)
    const limits = obj(resources.limits)
    if (limits) {
      const requests = obj(resources.requests) ?? {}
      for (const [k, v] of Object.entries(limits)) setDefault(requests, k, v)
      resources.requests = requests
    }
  } else {
    container.resources = {}
  }
}

export function defaultPodSpec(s: unknown): void {
  const spec = obj(s)
  if (!spec) return
  setDefault(spec, 'restartPolicy', 'Always')
  setDefault(spec, 'terminationGracePeriodSeconds', 30)
  setDefault(spec, 'dnsPolicy', 'ClusterFirst')
  setDefault(spec, 'schedulerName', 'default-scheduler')
  setDefault(spec, 'securityContext', {})
  setDefault(spec, 'enableServiceLinks', true)
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount
  for (const c of arr(spec.initContainers)) defaultContainer(c)
  for (const c of arr(spec.containers)) defaultContainer(c)
  for (const t of arr(spec.tolerations)) {
    const tol = obj(t)
    if (tol && tol.operator === undefined) tol.operator = 'Equal'
  }
}

export function defaultTemplate(spec: Json): void {
  const template = obj(spec.template)
  if (template) defaultPodSpec(template.spec)
}

/** Upstream SetDefaults_LimitRangeItem: default limit from max, default request from default limit or min. */
export function defaultLimitRangeItem(item: Json | undefined): void {
  if (!item || item.type !== 'Container') return
  const def = obj(item.default) ?? {}
  const defReq = obj(item.defaultRequest) ?? {}
  for (const [k, v] of Object.entries(obj(item.max) ?? {})) setDefault(def, k, v)
  for (const [k, v] of Object.entries(def)) setDefault(defReq, k, v)
  for (const [k, v] of Object.entries(obj(item.min) ?? {})) setDefault(defReq, k, v)
  if (Object.keys(def).length) item.default = def
  if (Object.keys(defReq).length) item.defaultRequest = defReq
}
