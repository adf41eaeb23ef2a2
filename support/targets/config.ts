// The target configuration: a YAML file (named by OCK_TARGET_CONFIG or the world parameter
// `targetConfig`) that tells the `cluster` target what the cluster under test offers besides its
// API: where the kit's images are, its own timing settings, a fault provider, where its audit
// events are and how to reach its etcd. docs/target-config.example.yaml documents every key.
// Every mistake is a TargetConfigError naming the file, the key and what was expected, without
// a stack trace: the file is the user's, not the kit's.

import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parseCommandString } from 'execa'
import { parseDocument } from 'yaml'
import { parseDuration } from '../durations.js'
import { OPERATIONS, OPERATION_NAMES, SUBJECT_NAME, isOperation, PARAMETER_VALUES, placeholdersOf, type Operation } from './faults/operations.js'
import type { ControlPlaneShape } from './target.js'

/** The environment variable that names the target configuration. */
export const TARGET_CONFIG_ENV = 'OCK_TARGET_CONFIG'

/** The kit's images (orchestrator/runtime/docker/images.ts CATALOGUE), which `images` maps to names the cluster can pull. */
export const KIT_IMAGES = [
  'registry.internal/ock/app:1',
  'registry.internal/ock/app:2',
  'registry.internal/ock/tool:1',
  'registry.internal/ock/tool:2',
] as const
export type KitImage = (typeof KIT_IMAGES)[number]

/**
 * The cluster settings `timings` may name: the built-in target's timing names
 * (support/targets/builtin.ts TIMINGS, which config.test.ts checks this list against), so a step
 * states a bound in terms of one name on either target.
 */
export const TIMING_NAMES = [
  'kubeletRelistPeriod',
  'kubeletSyncFrequency',
  'nodeStatusUpdateFrequency',
  'containerRestartBackOff',
  'containerRestartBackOffCap',
  'nodeLeaseDuration',
  'nodeMonitorPeriod',
  'nodeMonitorGracePeriod',
  'nodeStartupGracePeriod',
  'defaultNotReadyToleration',
  'defaultUnreachableToleration',
  'podInitialBackoff',
  'podMaxBackoff',
  'leaseDuration',
  'renewDeadline',
  'retryPeriod',
  'storeTimeout',
  'metricResolution',
  'horizontalPodAutoscalerSyncPeriod',
  'jobPodFailureBackOff',
  'jobPodFailureBackOffCap',
  'horizontalPodAutoscalerDownscaleStabilization',
] as const

/** A command as argv: the program and its arguments, with `{node}`, `{member}` or `{master}` placeholders. */
export type CommandTemplate = string[]

export interface CommandsFaults {
  provider: 'commands'
  /** How long one command may run (ms). */
  timeoutMs: number
  commands: Partial<Record<Operation, CommandTemplate>>
}

export interface DockerFaults {
  provider: 'docker'
  timeoutMs: number
  /** The docker CLI (a name on PATH, or a path). */
  binary: string
  /** Node, master or etcd member name -> its container; a name not listed is its own container's name (kind, k3d). */
  containers: Record<string, string>
  /** How a node's heartbeats freeze: `pause` the node's container, or `sigstop` its kubelet process only. */
  freeze: 'pause' | 'sigstop'
  /** The systemd units inside a node's container. */
  units: { kubelet: string; runtime: string }
}

export type FaultsConfig = CommandsFaults | DockerFaults

/** log: the audit log of each API server (one per master: each kube-apiserver writes its own --audit-log-path). */
export type AuditConfig = { log: string[] } | { webhook: Record<string, unknown> }

export interface EtcdConfig {
  endpoints: string[]
  ca?: string
  cert?: string
  key?: string
  /** Where the API server keeps its objects (kube-apiserver --etcd-prefix), without a trailing "/". */
  prefix: string
}

/**
 * The control plane as its operator describes it: the masters (their names as the fault
 * provider's {master} takes them, their API servers' own addresses, the etcd endpoints each uses,
 * the audit log each writes) and where etcd runs (stacked: a member on every master; external: a
 * separate cluster), with its members (names as {member} takes them). The shape the
 * control-plane scenarios check before they run (support/targets/shape.ts), and the addresses
 * they send requests to one API server at a time. Every master is taken as up.
 */
export type ControlPlaneConfig = ControlPlaneShape

/** kube-apiserver's --etcd-prefix default. */
export const DEFAULT_ETCD_PREFIX = '/registry'

/**
 * The API servers' own configuration files, named as kube-apiserver's flags name them: a
 * scenario that states an admission configuration or static tokens runs on this cluster when
 * its files say the same (support/apiserverconfig.ts compares them), and is skipped otherwise.
 */
export interface ApiServerConfig {
  /** --admission-control-config-file: the AdmissionConfiguration every API server runs with (absolute path). */
  admissionControlConfigFile?: string
  /** --token-auth-file: the static bearer tokens, CSV `token,user,uid,"group1,group2"` (absolute path). */
  tokenAuthFile?: string
}

export interface TargetConfig {
  /** The file it was read from (absolute). */
  file: string
  images: Partial<Record<KitImage, string>>
  /** Timing name -> ms. */
  timings: Record<string, number>
  faults?: FaultsConfig
  audit?: AuditConfig
  etcd?: EtcdConfig
  controlPlane?: ControlPlaneConfig
  apiServer?: ApiServerConfig
}

/** A mistake in a target configuration: the message says the file, the key and what was expected. */
export class TargetConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetConfigError'
    // the user's file is wrong, not the kit: the message is the whole story
    this.stack = `${this.name}: ${message}`
  }
}

const DEFAULT_TIMEOUT_MS = 60_000
const TOP_KEYS = ['images', 'timings', 'faults', 'audit', 'etcd', 'controlPlane', 'apiServer']

/** Where the configuration comes from: the world parameter, else the environment; undefined when neither names one. */
export function targetConfigPath(parameter: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parameter || env[TARGET_CONFIG_ENV] || undefined
}

/** Reads and validates a target configuration file. */
export function loadTargetConfig(path: string): TargetConfig {
  const file = resolve(path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new TargetConfigError(`${file}: cannot read the target configuration (${code === 'ENOENT' ? 'no such file' : (code ?? String(e))})`)
  }
  return parseTargetConfig(text, file)
}

/** Validates a target configuration's text; `file` names it in messages and anchors its relative paths. */
export function parseTargetConfig(text: string, file: string): TargetConfig {
  const doc = parseDocument(text, { uniqueKeys: true })
  const syntax = doc.errors[0]
  if (syntax) throw new TargetConfigError(`${file}: not valid YAML: ${syntax.message.split('\n')[0]!.replace(/:$/, '')}`)
  const v = new Validator(file)
  const root = doc.toJS() as unknown
  if (root === null || root === undefined) throw v.error('', `expected a mapping with some of the keys ${TOP_KEYS.join(', ')}; the file is empty`)
  const top = v.mapping('', root, TOP_KEYS)
  const config: TargetConfig = { file, images: {}, timings: {} }
  if (top.images !== undefined) config.images = images(v, top.images)
  if (top.timings !== undefined) config.timings = timings(v, top.timings)
  if (top.faults !== undefined) config.faults = faults(v, top.faults)
  if (top.audit !== undefined) config.audit = audit(v, top.audit)
  if (top.etcd !== undefined) config.etcd = etcd(v, top.etcd)
  if (top.controlPlane !== undefined) config.controlPlane = controlPlane(v, top.controlPlane)
  if (top.apiServer !== undefined) config.apiServer = apiServer(v, top.apiServer)
  return config
}

/** The kit images `images` does not map, in KIT_IMAGES order. */
export function unmappedImages(config: TargetConfig): KitImage[] {
  return KIT_IMAGES.filter((i) => !config.images[i])
}

class Validator {
  constructor(readonly file: string) {}

  error(key: string, expected: string): TargetConfigError {
    return new TargetConfigError(`${this.file}: ${key ? `${key}: ` : ''}${expected}`)
  }

  mapping(key: string, value: unknown, known?: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.error(key, `expected a mapping${known ? ` with some of the keys ${known.join(', ')}` : ''}, got ${describe(value)}`)
    }
    const m = value as Record<string, unknown>
    if (known) {
      for (const k of Object.keys(m)) {
        if (!known.includes(k)) throw this.error(join(key, k), `unknown key; ${key ? `${key} takes` : 'known keys are'} ${known.join(', ')}`)
      }
    }
    return m
  }

  string(key: string, value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') throw this.error(key, `expected a non-empty string, got ${describe(value)}`)
    return value
  }

  duration(key: string, value: unknown, example: string): number {
    if (typeof value === 'string') {
      try {
        return parseDuration(value)
      } catch {
        // said below, in the file's terms
      }
    }
    throw this.error(key, `expected a duration such as ${example} (ms, s, m, h), got ${describe(value)}`)
  }

  /** A path, relative to the configuration file's folder unless absolute. */
  path(key: string, value: unknown, mustExist: boolean): string {
    const p = resolve(dirname(this.file), this.string(key, value))
    if (mustExist && !existsSync(p)) throw this.error(key, `expected an existing file, but ${p} does not exist`)
    return p
  }
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

function images(v: Validator, value: unknown): Partial<Record<KitImage, string>> {
  const m = v.mapping('images', value)
  const out: Partial<Record<KitImage, string>> = {}
  for (const [image, ref] of Object.entries(m)) {
    const key = `images["${image}"]`
    if (!(KIT_IMAGES as readonly string[]).includes(image)) throw v.error(key, `not one of the kit's images; they are ${KIT_IMAGES.join(', ')}`)
    const name = v.string(key, ref)
    if (/\s/.test(name)) throw v.error(key, `expected an image reference without spaces, got ${JSON.stringify(name)}`)
    out[image as KitImage] = name
  }
  return out
}

function timings(v: Validator, value: unknown): Record<string, number> {
  const m = v.mapping('timings', value)
  const out: Record<string, number> = {}
  for (const [name, d] of Object.entries(m)) {
    const key = `timings.${name}`
    if (!(TIMING_NAMES as readonly string[]).includes(name)) throw v.error(key, `unknown timing; known timings are ${TIMING_NAMES.join(', ')}`)
    out[name] = v.duration(key, d, '40s or 5m')
  }
  return out
}

function apiServer(v: Validator, value: unknown): ApiServerConfig {
  const m = v.mapping('apiServer', value, ['admissionControlConfigFile', 'tokenAuthFile'])
  const out: ApiServerConfig = {}
  if (m.admissionControlConfigFile !== undefined)
    out.admissionControlConfigFile = v.path('apiServer.admissionControlConfigFile', m.admissionControlConfigFile, true)
  if (m.tokenAuthFile !== undefined) out.tokenAuthFile = v.path('apiServer.tokenAuthFile', m.tokenAuthFile, true)
  return out
}

const PROVIDERS = ['commands', 'docker']

function faults(v: Validator, value: unknown): FaultsConfig {
  const m = v.mapping('faults', value, ['provider', 'timeout', 'commands', 'docker'])
  const provider = m.provider
  if (provider === 'builtin') {
    throw v.error(
      'faults.provider',
      "`builtin` is the reference cluster's own fault door, which only the builtin target has; for this cluster use commands or docker",
    )
  }
  if (typeof provider !== 'string' || !PROVIDERS.includes(provider))
    throw v.error('faults.provider', `expected one of ${PROVIDERS.join(', ')}, got ${describe(provider)}`)
  const timeoutMs = m.timeout === undefined ? DEFAULT_TIMEOUT_MS : v.duration('faults.timeout', m.timeout, '30s')
  const other = PROVIDERS.find((p) => p !== provider)!
  if (m[other] !== undefined) throw v.error(`faults.${other}`, `belongs to the ${other} provider, but faults.provider is ${provider}`)
  if (provider === 'commands') {
    if (m.commands === undefined)
      throw v.error('faults.commands', `missing: the commands provider needs a command for each operation it offers (${OPERATION_NAMES.join(', ')})`)
    return { provider, timeoutMs, commands: commands(v, m.commands) }
  }
  return docker(v, m.docker ?? {}, timeoutMs)
}

function commands(v: Validator, value: unknown): Partial<Record<Operation, CommandTemplate>> {
  const m = v.mapping('faults.commands', value, OPERATION_NAMES)
  const out: Partial<Record<Operation, CommandTemplate>> = {}
  for (const [op, t] of Object.entries(m)) {
    if (!isOperation(op)) continue // mapping() refused it
    out[op] = template(v, `faults.commands.${op}`, t, op)
  }
  if (!Object.keys(out).length) throw v.error('faults.commands', `expected at least one operation (${OPERATION_NAMES.join(', ')})`)
  return out
}

/**
 * A command is argv: a YAML list is taken as is; a string is split on spaces by execa's
 * parseCommandString (`\ ` keeps a space inside a word). No shell ever reads it: placeholders
 * are replaced inside single arguments when the command runs.
 */
function template(v: Validator, key: string, value: unknown, op: Operation): CommandTemplate {
  let argv: string[]
  if (Array.isArray(value)) {
    argv = value.map((a, i) => {
      if (typeof a !== 'string' && typeof a !== 'number') throw v.error(`${key}[${i}]`, `expected a string, got ${describe(a)}`)
      return String(a)
    })
  } else if (typeof value === 'string') {
    argv = parseCommandString(value)
  } else {
    throw v.error(key, `expected a command (a string, or a list of arguments), got ${describe(value)}`)
  }
  if (!argv.length) throw v.error(key, 'expected a command, got an empty one')
  const spec = OPERATIONS[op]
  const allowed = placeholdersOf(op)
  const used = new Set<string>()
  for (const a of argv) {
    for (const [, name] of a.matchAll(/\{([^{}]*)\}/g)) {
      if (!allowed.includes(name!)) {
        const takes = allowed.length ? `use ${allowed.map((p) => `{${p}}`).join(' and ')}` : 'it takes no placeholder'
        throw v.error(
          key,
          `unknown placeholder {${name}}; ${op} ${spec.subject ? `acts on a ${spec.subject}` : 'acts on the cluster'}${spec.parameter ? ` with ${PARAMETER_VALUES[spec.parameter].noun}` : ''}: ${takes}`,
        )
      }
      used.add(name!)
    }
  }
  // a command that ignores the value would do something else than asked (another pressure, another version)
  if (spec.parameter && !used.has(spec.parameter)) throw v.error(key, `missing the placeholder {${spec.parameter}}: ${op} must be told which ${spec.parameter}`)
  if (argv[0]!.includes('{')) throw v.error(key, `the program to run cannot be a placeholder (${argv[0]})`)
  // a relative program path (./fake-ssh) is relative to the configuration file's folder
  if (argv[0]!.includes('/') && !isAbsolute(argv[0]!)) argv[0] = resolve(dirname(v.file), argv[0]!)
  return argv
}

function docker(v: Validator, value: unknown, timeoutMs: number): DockerFaults {
  const m = v.mapping('faults.docker', value, ['binary', 'containers', 'freeze', 'units'])
  let binary = m.binary === undefined ? 'docker' : v.string('faults.docker.binary', m.binary)
  if (binary.includes('/')) binary = v.path('faults.docker.binary', binary, false)
  const containers: Record<string, string> = {}
  for (const [name, c] of Object.entries(m.containers === undefined ? {} : v.mapping('faults.docker.containers', m.containers))) {
    const key = `faults.docker.containers.${name}`
    const container = v.string(key, c)
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(container))
      throw v.error(key, `expected a container name (letters, digits, "_", "." and "-"), got ${JSON.stringify(container)}`)
    containers[name] = container
  }
  const freeze = m.freeze ?? 'pause'
  if (freeze !== 'pause' && freeze !== 'sigstop') throw v.error('faults.docker.freeze', `expected pause or sigstop, got ${describe(freeze)}`)
  const units = { kubelet: 'kubelet', runtime: 'containerd' }
  if (m.units !== undefined) {
    const u = v.mapping('faults.docker.units', m.units, ['kubelet', 'runtime'])
    if (u.kubelet !== undefined) units.kubelet = v.string('faults.docker.units.kubelet', u.kubelet)
    if (u.runtime !== undefined) units.runtime = v.string('faults.docker.units.runtime', u.runtime)
  }
  return { provider: 'docker', timeoutMs, binary, containers, freeze, units }
}

function audit(v: Validator, value: unknown): AuditConfig {
  const m = v.mapping('audit', value, ['log', 'webhook'])
  if (m.log !== undefined && m.webhook !== undefined) throw v.error('audit', 'expected either log or webhook, not both')
  if (m.log !== undefined) {
    // a path, or one per API server (several masters each write their own log)
    if (!Array.isArray(m.log)) return { log: [v.path('audit.log', m.log, false)] }
    if (!m.log.length) throw v.error('audit.log', 'expected a path, or a list of paths (one per API server), got an empty list')
    return { log: m.log.map((p, i) => v.path(`audit.log[${i}]`, p, false)) }
  }
  if (m.webhook === undefined) throw v.error('audit', 'expected log (the path of an audit log file) or webhook (the kit receives the events)')
  // the webhook receiver (support/auditwebhook.ts) reads its own settings
  if (m.webhook === true || m.webhook === null) return { webhook: {} }
  return { webhook: v.mapping('audit.webhook', m.webhook) }
}

/** A client URL (http or https). */
function url(v: Validator, key: string, value: unknown, example: string): string {
  const u = v.string(key, value)
  let ok = false
  try {
    ok = ['http:', 'https:'].includes(new URL(u).protocol)
  } catch {
    // not a URL
  }
  if (!ok) throw v.error(key, `expected a URL such as ${example}, got ${JSON.stringify(u)}`)
  return u
}

/** A name a fault provider's command may take ({master}, {member}). */
function subjectName(v: Validator, key: string, value: unknown): string {
  const name = v.string(key, value)
  if (!SUBJECT_NAME.test(name)) throw v.error(key, `expected a name of letters, digits, ".", "_", ":" and "-", got ${JSON.stringify(name)}`)
  return name
}

function list(v: Validator, key: string, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value) || !value.length) throw v.error(key, `expected a list of ${what}, got ${Array.isArray(value) ? 'an empty list' : describe(value)}`)
  return value
}

function controlPlane(v: Validator, value: unknown): ControlPlaneConfig {
  const m = v.mapping('controlPlane', value, ['loadBalancer', 'etcdTopology', 'masters', 'etcdMembers'])
  const masters = list(v, 'controlPlane.masters', m.masters, 'masters (name, apiServer, etcdEndpoints, auditLog)').map((x, i) => {
    const key = `controlPlane.masters[${i}]`
    const e = v.mapping(key, x, ['name', 'apiServer', 'etcdEndpoints', 'auditLog'])
    const etcdEndpoints =
      e.etcdEndpoints === undefined
        ? []
        : list(v, `${key}.etcdEndpoints`, e.etcdEndpoints, 'etcd client URLs').map((u, j) => url(v, `${key}.etcdEndpoints[${j}]`, u, 'https://10.0.0.11:2379'))
    return {
      name: subjectName(v, `${key}.name`, e.name),
      apiServer: url(v, `${key}.apiServer`, e.apiServer, 'https://10.0.0.11:6443'),
      up: true,
      etcdEndpoints,
      ...(e.auditLog === undefined ? {} : { auditLog: v.path(`${key}.auditLog`, e.auditLog, false) }),
    }
  })
  const names = masters.map((x) => x.name)
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice) throw v.error('controlPlane.masters', `the master ${twice} is listed twice`)
  const out: ControlPlaneConfig = { store: 'memory', masters, etcdMembers: [] }
  if (m.loadBalancer !== undefined) out.loadBalancer = url(v, 'controlPlane.loadBalancer', m.loadBalancer, 'https://10.0.0.10:6443')
  if (m.etcdTopology === undefined) {
    if (m.etcdMembers !== undefined) throw v.error('controlPlane.etcdMembers', 'expected etcdTopology (stacked or external) beside the members')
    return out
  }
  if (m.etcdTopology !== 'stacked' && m.etcdTopology !== 'external')
    throw v.error(
      'controlPlane.etcdTopology',
      `expected stacked (a member on every master) or external (a separate etcd cluster), got ${describe(m.etcdTopology)}`,
    )
  const topology = m.etcdTopology
  out.store = 'etcd'
  out.etcdTopology = topology
  out.etcdMembers = list(v, 'controlPlane.etcdMembers', m.etcdMembers, 'etcd members (name, clientUrl, host)').map((x, i) => {
    const key = `controlPlane.etcdMembers[${i}]`
    const e = v.mapping(key, x, ['name', 'clientUrl', 'host'])
    const member = { name: subjectName(v, `${key}.name`, e.name), clientUrl: url(v, `${key}.clientUrl`, e.clientUrl, 'https://10.0.0.11:2379') }
    if (topology === 'external') {
      if (e.host !== undefined) throw v.error(`${key}.host`, 'an external etcd member runs on no master: leave host out, or make etcdTopology stacked')
      return member
    }
    const host = v.string(`${key}.host`, e.host)
    if (!names.includes(host))
      throw v.error(`${key}.host`, `expected the master this stacked member runs on (${names.join(', ')}), got ${JSON.stringify(host)}`)
    return { ...member, host }
  })
  return out
}

function etcd(v: Validator, value: unknown): EtcdConfig {
  const m = v.mapping('etcd', value, ['endpoints', 'ca', 'cert', 'key', 'prefix'])
  const list = typeof m.endpoints === 'string' ? [m.endpoints] : m.endpoints
  if (!Array.isArray(list) || !list.length)
    throw v.error('etcd.endpoints', `expected a list of client URLs (https://10.0.0.1:2379), got ${describe(m.endpoints)}`)
  const endpoints = list.map((e, i) => {
    const key = `etcd.endpoints[${i}]`
    const url = v.string(key, e)
    let ok = false
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol)
    } catch {
      // not a URL
    }
    if (!ok) throw v.error(key, `expected a client URL such as https://10.0.0.1:2379, got ${JSON.stringify(url)}`)
    return url
  })
  let prefix = DEFAULT_ETCD_PREFIX
  if (m.prefix !== undefined) {
    prefix = v.string('etcd.prefix', m.prefix).replace(/\/+$/, '')
    if (!prefix.startsWith('/') || /\s/.test(prefix))
      throw v.error('etcd.prefix', `expected a key prefix such as /registry (kube-apiserver --etcd-prefix), got ${JSON.stringify(m.prefix)}`)
  }
  const out: EtcdConfig = { endpoints, prefix }
  for (const k of ['ca', 'cert', 'key'] as const) if (m[k] !== undefined) out[k] = v.path(`etcd.${k}`, m[k], true)
  if ((out.cert === undefined) !== (out.key === undefined))
    throw v.error(out.cert ? 'etcd.key' : 'etcd.cert', 'expected cert and key together (a client certificate and its key)')
  return out
}
