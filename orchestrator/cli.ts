// `ock up | down | status | kubeconfig | images save`: runs a reference cluster in the foreground and writes an
// admin kubeconfig, so kubectl and the `cluster` target can talk to it like any Kubernetes API;
// `ock kubeconfig` writes kubeconfigs for other users (a client certificate signed by the running
// cluster's CA, which `ock up` keeps in .ock/pki while it runs, as kubeadm keeps
// /etc/kubernetes/pki) or for service accounts (a token from the TokenRequest API).
// `ock images save` writes the kit's images as archives a real cluster's nodes can load.
// Each worker node's kubelet is its own OS process (cluster/kubeletprocs.ts); .ock/processes.json
// says which, and `ock fault` (cluster/faultcontrol.ts, run by bin/ock.js) signals or restarts them.
// Shuts down cleanly on SIGINT / SIGTERM, leaving no process, container, key or temp dir behind.

import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { AdmissionConfigError } from './admission/chain.js'
import type { AuditOptions } from './apiserver/filters/audit.js'
import { AuditWebhookConfigError } from './apiserver/filters/auditwebhook.js'
import { AUDIT_FLAGS, AuditFlagError, auditOptionsFromFlags, type AuditFlags } from './apiserver/filters/auditflags.js'
import { ApiClient } from './client/client.js'
import { Cluster } from './cluster/cluster.js'
import { UnsupportedTopologyError, type EtcdTopology, type RuntimeKind, type StoreKind } from './cluster/topology.js'
import { kubeconfigYaml } from './cluster/kubeconfig.js'
import { FaultControl, faultCommandsFor } from './cluster/faultcontrol.js'
import { targetConfigOf, writeTargetConfig } from './cluster/targetconfig.js'
import { TIMING_FLAGS, TIMING_FLAGS_USAGE, TimingFlagError, timingsFromFlags, type TimingFlags } from './cluster/timingflags.js'
import { installProcessGuard } from './host/guard.js'
import { Identities, loadCertificateAuthority } from './pki/pki.js'

const USAGE = `Usage: ock <command> [flags]

Commands:
  up          run a reference cluster in the foreground (Ctrl-C stops it)
  down        stop the cluster started by 'ock up' in this directory
  status      tell whether a cluster from 'ock up' is running
  kubeconfig  write a kubeconfig for another identity of the running cluster
  fault OPERATION [NAME] [VALUE] [--dir DIR]
              a fault on the running cluster's processes: stopKubelet (SIGKILL), startKubelet,
              restartKubelet, freezeHeartbeats (SIGSTOP), unfreezeHeartbeats (SIGCONT),
              stopRuntime, startRuntime, killEtcdMember, restartEtcdMember, stopMaster,
              startMaster, stop/startControllerManager, stop/startScheduler;
              setPressure|clearPressure NODE MemoryPressure|DiskPressure|PIDPressure,
              setKubeletVersion NODE vX.Y.Z, resetKubeletVersion NODE,
              advanceScheduleClock SECONDS (forward only; no NAME) (DIR: .ock)
  images save DIR [IMAGE...]
              write OCK's images (registry.internal/ock/app:1, ...; all by default) to DIR
              as docker-save archives, building them first on the Docker engine, for a
              real cluster's nodes: kind load image-archive, ctr -n k8s.io images import

Flags for 'up':
  --kubeconfig PATH   where to write the admin kubeconfig (default reports/kubeconfig)
  --target-config PATH
                      where to write the cluster target's configuration: images, timings,
                      etcd endpoints, audit log (default target-config.yaml beside the kubeconfig)
  --nodes N           number of worker nodes, each a kubelet process on the chosen runtime
                      (default 3); .ock/processes.json lists their pids
  --runtime sim|docker  simulated containers or real ones on the Docker engine (default sim)
  --store memory|etcd   embedded store or a real etcd cluster (default memory)
  --masters N         control-plane nodes, each with an API server and a controller manager
                      under leader election; several sit behind one load-balanced address (default 1)
  --topology stacked|external
                      with --store etcd: an etcd member on every master, used by its API server
                      only (stacked, the default), or a separate etcd cluster every API server uses
  --etcd-members N    members of an external etcd cluster (default 3)
  --port N            port of the cluster's address on 127.0.0.1 (default: a free port)
  --admission-config PATH  AdmissionConfiguration YAML (image policy, pipeline policy, ...)
  --token-auth-file PATH   static bearer tokens, CSV: token,user,uid,"group1,group2"
  --audit-log-path PATH    write audit.k8s.io/v1 events as JSON lines
  --audit-webhook-config-file PATH
                      also send them to a webhook, kube-apiserver's format: a kubeconfig whose
                      cluster's server is the receiver's URL (certificate-authority[-data] to
                      trust it; its user's client-certificate/-key or token); checked at start
  --audit-webhook-mode batch
                      the only mode built (the default): events are buffered and POSTed as
                      audit.k8s.io/v1 EventLists; a receiver that is down or slow never blocks
                      a request; a failed batch is retried 5 times with back-off, then dropped
  --audit-webhook-batch-buffer-size N
                      events held before new ones are dropped (default 10000)
  --audit-webhook-batch-max-size N
                      events per batch at most (default 400)
  --audit-webhook-batch-max-wait DURATION
                      longest an event waits for its batch (default 30s)
  --audit-webhook-initial-backoff DURATION
                      first wait before a failed batch is sent again, x1.5 each time (default 10s)
${TIMING_FLAGS_USAGE}  -h, --help          this text

Flags for 'kubeconfig' (the cluster from 'ock up' in this directory must be running):
  --user NAME         a user, authenticated by a client certificate of the cluster CA
  --group NAME        a group of that user (repeatable)
  --service-account NAMESPACE/NAME
                      a service account, authenticated by a token from the TokenRequest API
  --duration SECONDS  lifetime of a service account token (default 3600)
  --namespace NS      the context's namespace
  --out PATH          where to write it (default: standard output)
`

const STATE_DIR = resolve('.ock')
const STATE_FILE = resolve('.ock/up.json')
const PKI_DIR = resolve('.ock/pki')

interface UpState {
  pid: number
  url: string
  kubeconfig: string
  startedAt: string
}

function fail(message: string, code = 2): never {
  process.stderr.write(`ock: ${message}\n`)
  process.exit(code)
}

async function readState(): Promise<UpState | undefined> {
  try {
    return JSON.parse(await readFile(STATE_FILE, 'utf8')) as UpState
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function auditLines(audit: AuditOptions | undefined): string[] {
  const backends = [audit?.path && `log ${audit.path}`, audit?.webhook && `webhook of ${audit.webhook.configFile} (batch mode)`].filter(Boolean)
  return backends.length ? [`  audit:       ${backends.join('; ')}`] : []
}

async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string', default: 'reports/kubeconfig' },
      'target-config': { type: 'string' },
      nodes: { type: 'string', default: '3' },
      runtime: { type: 'string', default: 'sim' },
      store: { type: 'string', default: 'memory' },
      masters: { type: 'string', default: '1' },
      topology: { type: 'string' },
      'etcd-members': { type: 'string' },
      port: { type: 'string', default: '0' },
      'admission-config': { type: 'string' },
      'token-auth-file': { type: 'string' },
      ...Object.fromEntries([...AUDIT_FLAGS, ...TIMING_FLAGS].map((f) => [f, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  let admission: string | undefined
  if (values['admission-config']) {
    try {
      admission = await readFile(values['admission-config'], 'utf8')
    } catch (e) {
      fail(`cannot read --admission-config: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  let audit: AuditOptions | undefined
  try {
    audit = auditOptionsFromFlags(values as AuditFlags)
  } catch (e) {
    if (e instanceof AuditFlagError) fail(e.message)
    throw e
  }
  let timings: ReturnType<typeof timingsFromFlags> = {}
  try {
    timings = timingsFromFlags(values as TimingFlags)
  } catch (e) {
    if (e instanceof TimingFlagError) fail(e.message)
    throw e
  }
  const nodes = Number(values.nodes)
  const port = Number(values.port)
  if (!Number.isInteger(nodes) || nodes < 0) fail(`--nodes must be a whole number >= 0, not "${values.nodes}"`)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}"`)
  const existing = await readState()
  if (existing && alive(existing.pid)) fail(`a cluster is already running here (pid ${existing.pid}, ${existing.url}); stop it with 'npx ock down'`)

  const kubeconfig = resolve(values.kubeconfig)
  const targetConfig = resolve(values['target-config'] ?? join(dirname(kubeconfig), 'target-config.yaml'))
  // the API server, controllers and kubelets all live in this process: an unexpected rejection
  // is logged and counted, never the end of the cluster
  installProcessGuard('ock up')
  let cluster: Cluster
  try {
    cluster = await Cluster.start({
      nodes,
      runtime: values.runtime as RuntimeKind,
      store: values.store as StoreKind,
      masters: Number(values.masters),
      etcdTopology: values.topology as EtcdTopology | undefined,
      etcdMembers: values['etcd-members'] === undefined ? undefined : Number(values['etcd-members']),
      port,
      admission,
      tokenAuthFile: values['token-auth-file'] ? resolve(values['token-auth-file']) : undefined,
      audit,
      ...timings,
      // each kubelet its own OS process, its files in the state dir (cluster/kubeletprocs.ts)
      nodeProcesses: { dir: STATE_DIR },
    })
  } catch (e) {
    if (e instanceof UnsupportedTopologyError || e instanceof AdmissionConfigError || e instanceof AuditWebhookConfigError) fail(e.message)
    if (e instanceof Error && /token file|ENOENT/.test(e.message)) fail(e.message)
    throw e
  }
  await mkdir(PKI_DIR, { recursive: true, mode: 0o700 })
  await writeFile(resolve(PKI_DIR, 'ca.crt'), cluster.ca.certPem)
  await writeFile(resolve(PKI_DIR, 'ca.key'), cluster.ca.keyPem, { mode: 0o600 })
  // where the processes are, and `ock fault`'s socket (cluster/faultcontrol.ts): serving before
  // the target configuration names its commands
  const control = await FaultControl.serve(cluster, STATE_DIR)
  // the target configuration first: whoever waits for the kubeconfig finds both. Its faults are
  // `ock fault` over this cluster's own processes (a commands provider, as for any cluster)
  await mkdir(dirname(targetConfig), { recursive: true })
  const faults = faultCommandsFor(STATE_DIR, { etcd: cluster.describe().etcdMembers.length > 0 })
  // the admission configuration as the API servers read it at start, kept beside the state
  let admissionControlConfigFile: string | undefined
  if (admission !== undefined) {
    admissionControlConfigFile = resolve(STATE_DIR, 'admission-config.yaml')
    await writeFile(admissionControlConfigFile, admission)
  }
  await writeTargetConfig(targetConfig, targetConfigOf(cluster, faults, { admissionControlConfigFile }))
  await mkdir(dirname(kubeconfig), { recursive: true })
  await writeFile(kubeconfig, cluster.adminKubeconfig(), { mode: 0o600 })
  await mkdir(dirname(STATE_FILE), { recursive: true })
  await writeFile(STATE_FILE, JSON.stringify({ pid: process.pid, url: cluster.url, kubeconfig, startedAt: new Date().toISOString() } satisfies UpState))

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\nock: ${signal} received, stopping the cluster...\n`)
    await control.close()
    await cluster.stop()
    await rm(STATE_FILE, { force: true })
    await rm(PKI_DIR, { recursive: true, force: true })
    if (admissionControlConfigFile) await rm(admissionControlConfigFile, { force: true })
    await rmdir(dirname(STATE_FILE)).catch(() => undefined) // .ock goes too unless someone put more there
    process.stdout.write('ock: stopped; nothing left running.\n')
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  const rel = values.kubeconfig
  const cp = cluster.describe()
  const controlPlane = cp.loadBalancer
    ? [
        `  address:     ${cp.loadBalancer} (load balancer)`,
        ...cp.masters.map((m) => `  ${m.name}:    API server ${m.apiServer}${m.etcdEndpoints.length ? `, etcd ${m.etcdEndpoints.join(',')}` : ''}`),
      ]
    : [`  API server:  ${cluster.url}${cp.masters[0]!.etcdEndpoints.length ? ` (etcd ${cp.masters[0]!.etcdEndpoints.join(',')})` : ''}`]
  if (cp.etcdTopology)
    controlPlane.push(
      `  etcd:        ${cp.etcdTopology}, ${cp.etcdMembers.length} member(s): ${cp.etcdMembers.map((m) => `${m.name} ${m.clientUrl}`).join(', ')}`,
    )
  process.stdout.write(
    [
      `OCK reference cluster is up.`,
      ...controlPlane,
      `  runtime:     ${values.runtime}   store: ${values.store}   nodes: ${nodes}   masters: ${cp.masters.length}`,
      `  network:     pods ${cluster.network.clusterCIDR} (a /${cluster.network.nodeCIDRMaskSize} per node), nodes ${cluster.network.nodeIPRange}, services ${cluster.lease.serviceCIDR}`,
      `  ingress:     ${cluster.ingress ? cluster.ingress.url : 'not running'}`,
      ...auditLines(cluster.topology.audit),
      `  kubeconfig:  ${kubeconfig}`,
      `  target:      ${targetConfig} (the cluster target's configuration)`,
      ``,
      `Try:`,
      `  kubectl --kubeconfig ${rel} get namespaces`,
      `  npx ock kubeconfig --user alice --group dev --out alice.kubeconfig   # an unprivileged user`,
      `  KUBECONFIG=${rel} OCK_TARGET_CONFIG=${targetConfig} npx cucumber-js -p cluster`,
      ``,
      `Press Ctrl-C to stop.`,
      ``,
    ].join('\n'),
  )
}

async function down(): Promise<void> {
  const state = await readState()
  if (!state || !alive(state.pid)) {
    await rm(STATE_FILE, { force: true })
    process.stdout.write('ock: no cluster is running here.\n')
    return
  }
  process.kill(state.pid, 'SIGTERM')
  const deadline = Date.now() + 30_000
  while (alive(state.pid)) {
    if (Date.now() > deadline) fail(`cluster process ${state.pid} did not stop within 30 s`, 1)
    await new Promise((r) => setTimeout(r, 100))
  }
  process.stdout.write(`ock: stopped the cluster at ${state.url}.\n`)
}

async function status(): Promise<void> {
  const state = await readState()
  if (!state || !alive(state.pid)) {
    process.stdout.write('ock: no cluster is running here.\n')
    process.exitCode = 1
    return
  }
  process.stdout.write(`ock: running (pid ${state.pid}) at ${state.url}\n  kubeconfig: ${state.kubeconfig}\n  since: ${state.startedAt}\n`)
}

async function kubeconfig(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string' },
      group: { type: 'string', multiple: true, default: [] },
      'service-account': { type: 'string' },
      duration: { type: 'string', default: '3600' },
      namespace: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  if (Boolean(values.user) === Boolean(values['service-account'])) fail('ock kubeconfig needs exactly one of --user NAME or --service-account NAMESPACE/NAME')
  const state = await readState()
  if (!state || !alive(state.pid)) fail("no cluster is running here: start one with 'npx ock up' in this directory")
  let caPem: string
  let caKey: string
  try {
    caPem = await readFile(resolve(PKI_DIR, 'ca.crt'), 'utf8')
    caKey = await readFile(resolve(PKI_DIR, 'ca.key'), 'utf8')
  } catch {
    fail(`the running cluster's CA is not in ${PKI_DIR}; restart it with this version of 'ock up'`)
  }
  const ca = await loadCertificateAuthority(caPem, caKey)
  let yaml: string
  if (values.user) {
    const creds = await ca.issue({ commonName: values.user, organizations: values.group, usage: 'client' })
    yaml = kubeconfigYaml({
      clusterName: 'ock',
      server: state.url,
      caPem,
      userName: values.user,
      certPem: creds.certPem,
      keyPem: creds.keyPem,
      namespace: values.namespace,
    })
  } else {
    const m = /^([^/]+)\/([^/]+)$/.exec(values['service-account']!)
    if (!m) fail(`--service-account must be NAMESPACE/NAME, not "${values['service-account']}"`)
    const seconds = Number(values.duration)
    if (!Number.isInteger(seconds) || seconds < 600) fail('--duration must be a whole number of seconds, at least 600')
    const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
    const client = new ApiClient({ server: state.url, caPem, certPem: admin.certPem, keyPem: admin.keyPem, userAgent: 'ock-kubeconfig' })
    try {
      const tr = await client.request<{ status?: { token?: string } }>(
        'POST',
        `/api/v1/namespaces/${encodeURIComponent(m[1]!)}/serviceaccounts/${encodeURIComponent(m[2]!)}/token`,
        {
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds } },
        },
      )
      yaml = kubeconfigYaml({
        clusterName: 'ock',
        server: state.url,
        caPem,
        userName: `system:serviceaccount:${m[1]}:${m[2]}`,
        token: tr.status!.token!,
        namespace: values.namespace ?? m[1],
      })
    } catch (e) {
      fail(`could not get a token for ${values['service-account']}: ${e instanceof Error ? e.message : String(e)}`)
    } finally {
      client.close()
    }
  }
  if (values.out) {
    await mkdir(dirname(resolve(values.out)), { recursive: true })
    await writeFile(values.out, yaml, { mode: 0o600 })
    process.stderr.write(`ock: wrote ${values.out}\n`)
  } else process.stdout.write(yaml)
}

async function imagesCommand(argv: string[]): Promise<void> {
  const [sub, dir, ...refs] = argv
  if (sub !== 'save' || !dir) fail(`usage: ock images save DIR [IMAGE...]\n\n${USAGE}`)
  const { archiveName, CATALOGUE, saveImages, unknownImages } = await import('./runtime/docker/images.js')
  const unknown = unknownImages(refs)
  if (unknown) fail(unknown)
  const want = refs.length ? refs : Object.keys(CATALOGUE)
  process.stderr.write(`ock: saving ${want.map((r) => `${r} -> ${archiveName(r)}`).join(', ')}\n`)
  try {
    for (const s of await saveImages(dir, want)) process.stdout.write(`${s.file}\t${s.ref}\t${(s.bytes / 1024 / 1024).toFixed(1)} MB\n`)
  } catch (e) {
    fail(`could not save the images: ${e instanceof Error ? e.message : String(e)}`, 1)
  }
  process.stderr.write(`ock: load them on a cluster's nodes, e.g. kind load image-archive ${dir}/${archiveName(want[0]!)}\n`)
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'up':
      return up(rest)
    case 'down':
      return down()
    case 'status':
      return status()
    case 'kubeconfig':
      return kubeconfig(rest)
    case 'images':
      return imagesCommand(rest)
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE)
      return
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`)
  }
}
