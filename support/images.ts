// The kit's images under the names a cluster's nodes can pull: the cluster target's
// configuration maps each kit image (registry.internal/ock/app:1, ...) to a name of its own
// (`images`, support/targets/config.ts), and what a scenario sends to the cluster is rewritten
// with that map before it goes: every `image` of a container, init container or ephemeral
// container anywhere in an object (a Pod's spec, the pod template of a Deployment, Job,
// StatefulSet, DaemonSet, ReplicaSet, a CronJob's job template, a PodTemplate, a List's items),
// the documents of a YAML manifest given to kubectl, and the words of a kubectl command line
// (`--image=...`, `kubectl set image deploy/web app=...`). An image the map does not name is
// left alone; on the built-in target there is no map and nothing changes.

import { parseAllDocuments, stringify } from 'yaml'

/** Kit image -> the name the cluster pulls it by. */
export type ImageMap = Readonly<Record<string, string>>

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const

/** The image under its mapped name (itself when the map does not name it). */
export function mapImage(image: string, images: ImageMap | undefined): string {
  return (images && Object.hasOwn(images, image) ? images[image] : undefined) ?? image
}

/** Rewrites in place every container image of `node` and what it holds; returns how many changed. */
function rewrite(node: unknown, images: ImageMap): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + rewrite(x, images), 0)
  if (typeof node !== 'object' || node === null) return 0
  let n = 0
  const o = node as Record<string, unknown>
  for (const key of CONTAINER_LISTS) {
    const list = o[key]
    if (!Array.isArray(list)) continue
    for (const c of list) {
      if (typeof c !== 'object' || c === null) continue
      const image = (c as { image?: unknown }).image
      if (typeof image !== 'string') continue
      const mapped = mapImage(image, images)
      if (mapped !== image) {
        ;(c as { image: string }).image = mapped
        n++
      }
    }
  }
  for (const [k, v] of Object.entries(o))
    if (typeof v === 'object' && v !== null && !(CONTAINER_LISTS as readonly string[]).includes(k)) n += rewrite(v, images)
  return n
}

/** A copy of `o` with every container image mapped; `o` itself when there is no map. */
export function mapImages<T>(o: T, images: ImageMap | undefined): T {
  if (!images || !Object.keys(images).length) return o
  const copy = structuredClone(o)
  rewrite(copy, images)
  return copy
}

/** A YAML manifest (one or more documents) with every container image mapped; the text itself when nothing changes. */
export function mapImagesInYaml(text: string, images: ImageMap | undefined): string {
  if (!images || !Object.keys(images).length) return text
  const docs = parseAllDocuments(text)
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return text // kubectl says what is wrong with it
  let changed = 0
  const out = docs.map((d) => {
    const js: unknown = d.toJS()
    changed += rewrite(js, images)
    return js
  })
  if (!changed) return text
  return out
    .filter((js) => js !== null && js !== undefined)
    .map((js) => stringify(js))
    .join('---\n')
}

/** kubectl's arguments with kit images mapped: a word that is one (`--image X`), or ends in `=` and one (`--image=X`, `app=X`). */
export function mapImagesInArgs(words: readonly string[], images: ImageMap | undefined): string[] {
  if (!images || !Object.keys(images).length) return [...words]
  return words.map((w) => {
    const mapped = mapImage(w, images)
    if (mapped !== w) return mapped
    const eq = w.indexOf('=')
    return eq < 0 ? w : w.slice(0, eq + 1) + mapImage(w.slice(eq + 1), images)
  })
}
