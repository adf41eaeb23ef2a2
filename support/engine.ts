// The local Docker engine as the built-in target's nodes use it for real containers, read the
// way a person at the machine would (`docker ps -a` filtered by the labels the kit's runtime
// puts on every container: ock.dev/pod-uid, ock.dev/pod-name, ...; `docker logs`). It is the
// session's engine door (Session.engine): an extra check beside the API on the reference
// target, never a scenario's only one; the cluster target has no such door.

import { execa } from 'execa'
import { LABELS } from '../orchestrator/runtime/docker/engine.js'
import type { EngineContainer, EngineDoor } from './targets/target.js'

export { LABELS as CONTAINER_LABELS }

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const kv of s.split(',')) {
    const i = kv.indexOf('=')
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return out
}

/** `docker ps -a` for the containers of one pod (by uid), or of every kit container with a label. */
async function containers(filter: { podUid?: string; label?: string }): Promise<EngineContainer[]> {
  const args = ['ps', '-a', '--no-trunc', '--format', '{{json .}}']
  if (filter.podUid) args.push('--filter', `label=${LABELS.podUid}=${filter.podUid}`)
  if (filter.label) args.push('--filter', `label=${filter.label}`)
  const r = await execa('docker', args, { reject: false, timeout: 30_000 })
  if (r.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`)
  return String(r.stdout)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const j = JSON.parse(line) as { ID: string; State: string; Image: string; Labels: string }
      return { id: j.ID, state: j.State, image: j.Image, labels: parseLabels(j.Labels) }
    })
}

/** `docker logs` of one container (stdout and stderr together). */
async function log(id: string): Promise<string> {
  const r = await execa('docker', ['logs', id], { reject: false, timeout: 30_000, all: true })
  if (r.exitCode !== 0) throw new Error(`docker logs ${id.slice(0, 12)} failed (${r.exitCode}): ${r.stderr}`)
  return String(r.all ?? '')
}

/** The local Docker engine's door. */
export const dockerEngine: EngineDoor = { containers, log }
