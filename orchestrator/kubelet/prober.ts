// The kubelet's prober: what a probe of the pod spec is, with upstream's defaults
// (initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold), and
// running one probe: httpGet to podIP:port (200-399 is success), tcpSocket connects, exec runs a
// command in the container (exit 0 is success). Mirrors pkg/kubelet/prober/prober.go and
// pkg/probe/{http,tcp,exec}; the workers that run probes on their period are in
// ./prober-worker.ts, the manager that owns them in ./prober-manager.ts. Simplifies: no gRPC
// probes (reported as a probe error, the result stays); HTTPS probes skip certificate checks as
// upstream does; no redirects followed.

import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { Container } from '../api/types.js'
import type { ContainerRuntime } from '../runtime/runtime.js'

export type ProbeType = 'liveness' | 'readiness' | 'startup'
export type ProbeResult = 'success' | 'failure' | 'unknown'

/** What one probe checks, as the pod spec says. */
export type ProbeAction =
  | { kind: 'http'; scheme: 'HTTP' | 'HTTPS'; host?: string; port: number | string; path: string; headers: { name: string; value: string }[] }
  | { kind: 'tcp'; host?: string; port: number | string }
  | { kind: 'exec'; command: string[] }
  | { kind: 'grpc'; port: number; service?: string }

/** A probe with upstream's defaults applied (all durations in ms). */
export interface ProbeSettings {
  type: ProbeType
  action: ProbeAction
  initialDelayMs: number
  periodMs: number
  timeoutMs: number
  successThreshold: number
  failureThreshold: number
}

interface ApiProbe {
  exec?: { command?: string[] }
  httpGet?: { scheme?: string; host?: string; port: number | string; path?: string; httpHeaders?: { name: string; value: string }[] }
  tcpSocket?: { host?: string; port: number | string }
  grpc?: { port: number; service?: string }
  initialDelaySeconds?: number
  periodSeconds?: number
  timeoutSeconds?: number
  successThreshold?: number
  failureThreshold?: number
}

/** The probe of a kind a container declares, with defaults (periodSeconds 10, timeoutSeconds 1, thresholds 1 / 3). */
export function probeSettings(type: ProbeType, probe: ApiProbe): ProbeSettings {
  let action: ProbeAction
  if (probe.exec) action = { kind: 'exec', command: [...(probe.exec.command ?? [])] }
  else if (probe.httpGet) {
    const h = probe.httpGet
    action = {
      kind: 'http',
      scheme: h.scheme?.toUpperCase() === 'HTTPS' ? 'HTTPS' : 'HTTP',
      host: h.host || undefined,
      port: h.port,
      path: h.path || '/',
      headers: [...(h.httpHeaders ?? [])],
    }
  } else if (probe.tcpSocket) action = { kind: 'tcp', host: probe.tcpSocket.host || undefined, port: probe.tcpSocket.port }
  else if (probe.grpc) action = { kind: 'grpc', port: probe.grpc.port, service: probe.grpc.service }
  else throw new Error(`the ${type} probe has no handler (exec, httpGet, tcpSocket or grpc)`)
  const atLeast = (v: number | undefined, dflt: number, min: number): number => Math.max(min, v ?? dflt)
  return {
    type,
    action,
    initialDelayMs: atLeast(probe.initialDelaySeconds, 0, 0) * 1000,
    periodMs: atLeast(probe.periodSeconds, 10, 1) * 1000,
    timeoutMs: atLeast(probe.timeoutSeconds, 1, 1) * 1000,
    // upstream validation requires 1 for liveness and startup probes
    successThreshold: type === 'readiness' ? atLeast(probe.successThreshold, 1, 1) : 1,
    failureThreshold: atLeast(probe.failureThreshold, 3, 1),
  }
}

/** The probes a container declares. */
export function containerProbes(c: Container): ProbeSettings[] {
  const out: ProbeSettings[] = []
  if (c.startupProbe) out.push(probeSettings('startup', c.startupProbe as ApiProbe))
  if (c.livenessProbe) out.push(probeSettings('liveness', c.livenessProbe as ApiProbe))
  if (c.readinessProbe) out.push(probeSettings('readiness', c.readinessProbe as ApiProbe))
  return out
}

/** A port given by number or by the name of one of the container's ports. */
export function resolvePort(port: number | string, c: Pick<Container, 'ports'>): number {
  if (typeof port === 'number') return port
  if (/^\d+$/.test(port)) return Number(port)
  const named = (c.ports ?? []).find((p) => p.name === port)
  if (!named)
    throw new Error(`couldn't find port: ${port} in ${JSON.stringify((c.ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort })))}`)
  return named.containerPort
}

/** httpGet: success for 200 <= code < 400. */
export function httpOutcome(status: number): { result: 'success' | 'failure'; output: string } {
  return status >= 200 && status < 400 ? { result: 'success', output: '' } : { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` }
}

// ---------------------------------------------------------------------------------------------
// running one probe

export interface ProbeOutcome {
  result: 'success' | 'failure'
  /** Why it failed (the Unhealthy event's text), empty on success. */
  output: string
}

export interface ProbeTarget {
  podIP?: string
  container: Container
  containerId: string
}

function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const mod = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = mod.get(
      url,
      { agent: false, headers: { 'User-Agent': 'kube-probe/1.34', Accept: '*/*', ...headers }, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')))
    req.on('error', reject)
  })
}

function dial(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port })
    const timer = setTimeout(() => {
      s.destroy()
      reject(new Error(`dial tcp ${host}:${port}: i/o timeout`))
    }, timeoutMs)
    s.once('connect', () => {
      clearTimeout(timer)
      s.destroy()
      resolve()
    })
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(new Error(`dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`))
    })
  })
}

/** Runs one probe; throws for a probe that could not run at all (a prober error: the result is thrown away). */
export async function runProbe(s: ProbeSettings, t: ProbeTarget, runtime: Pick<ContainerRuntime, 'exec'>): Promise<ProbeOutcome> {
  const a = s.action
  switch (a.kind) {
    case 'http': {
      const host = a.host ?? t.podIP
      if (!host) throw new Error('the pod has no IP yet')
      const port = resolvePort(a.port, t.container)
      const url = new URL(`${a.scheme.toLowerCase()}://${host}:${port}${a.path.startsWith('/') ? a.path : `/${a.path}`}`)
      try {
        return httpOutcome(await httpGet(url, Object.fromEntries(a.headers.map((h) => [h.name, h.value])), s.timeoutMs))
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e)
        const msg = /ECONNREFUSED/.test(why) ? `dial tcp ${host}:${port}: connect: connection refused` : why
        return { result: 'failure', output: `Get "${url.href}": ${msg}` }
      }
    }
    case 'tcp': {
      const host = a.host ?? t.podIP
      if (!host) throw new Error('the pod has no IP yet')
      const port = resolvePort(a.port, t.container)
      try {
        await dial(host, port, s.timeoutMs)
        return { result: 'success', output: '' }
      } catch (e) {
        return { result: 'failure', output: e instanceof Error ? e.message : String(e) }
      }
    }
    case 'exec': {
      let r
      try {
        r = await runtime.exec(t.containerId, a.command, { timeoutMs: s.timeoutMs })
      } catch (e) {
        // the runtime gives up waiting (the command may still run): a timed-out probe fails
        if (e instanceof Error && /timed out/.test(e.message)) return { result: 'failure', output: `command ${JSON.stringify(a.command.join(' '))} timed out` }
        throw e
      }
      if (r.exitCode === 0) return { result: 'success', output: '' }
      return { result: 'failure', output: `${r.stdout}${r.stderr}`.trim() || `command ${JSON.stringify(a.command.join(' '))} exited with ${r.exitCode}` }
    }
    case 'grpc':
      throw new Error('gRPC probes are not supported by this kubelet')
  }
}
