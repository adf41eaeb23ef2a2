// The image side of the Docker runtime. No registry is reachable from this machine, so OCK's
// own images (registry.internal/ock/*) are "pulled" by building them from the Dockerfiles under
// images/ through testcontainers: FROM scratch plus Debian's busybox-static, which is copied into
// a temporary build context (never committed). A build is tagged with a hash of everything that
// goes into it (`registry.internal/ock/app:1-<hash>`), so a changed Dockerfile or script
// rebuilds, an unchanged one is reused across runs, and concurrent runs of different checkouts
// never run each other's content; the plain tag (`:1`) is set too, for humans. Any other image
// must already be present in the engine, or the pull fails as it would on a node (ErrImagePull).

import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { ImagePullError } from '../runtime.js'
import { engine, isUnreachable, message, testcontainers, type EngineClient } from './engine.js'
import { RuntimeUnavailableError } from '../runtime.js'

/** Where OCK's own images come from. */
export const OCK_REGISTRY = 'registry.internal/ock/'

export interface ImageRecipe {
  /** Directory under images/ holding the Dockerfile and the files it copies. */
  context: string
  buildArgs?: Record<string, string>
}

/** Every image OCK can build, by the reference a pod spec uses. */
export const CATALOGUE: Readonly<Record<string, ImageRecipe>> = {
  'registry.internal/ock/app:1': { context: 'app', buildArgs: { VERSION: '1' } },
  'registry.internal/ock/app:2': { context: 'app', buildArgs: { VERSION: '2' } },
  'registry.internal/ock/tool:1': { context: 'tool', buildArgs: { TOOL_VERSION: '1.4.2' } },
  'registry.internal/ock/tool:2': { context: 'tool', buildArgs: { TOOL_VERSION: '2.0.1' } },
}

export const IMAGES_DIR = fileURLToPath(new URL('../../../images/', import.meta.url))

/** Debian's busybox-static; override with OCK_BUSYBOX. */
export function busyboxPath(): string {
  return process.env.OCK_BUSYBOX ?? '/usr/bin/busybox'
}

export interface ResolvedImage {
  /** What the pod asked for. */
  ref: string
  /** What the engine runs (a content tag for OCK's images, the reference otherwise). */
  localRef: string
  /** The engine's image id (sha256:...). */
  imageId: string
  /** Whether this call built it. */
  built: boolean
}

/** Normalises `name` like a node would for messages: `nginx` -> `docker.io/library/nginx:latest`. */
export function qualifiedReference(ref: string): string {
  let name = ref
  if (!/[:@][^/]*$/.test(name)) name += ':latest'
  const first = name.split('/')[0]!
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (hasRegistry) return name
  return name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`
}

/** Hash of a build context directory, the busybox binary and the build arguments. */
export async function contentHash(contextDir: string, recipe: ImageRecipe, busybox: string): Promise<string> {
  const h = createHash('sha256')
  h.update(JSON.stringify({ args: recipe.buildArgs ?? {} }))
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))
    for (const e of entries) {
      const full = join(dir, e.name)
      const rel = relative(contextDir, full)
      if (e.isSymbolicLink()) h.update(`L ${rel} -> ${await readlink(full)}\n`)
      else if (e.isDirectory()) {
        h.update(`D ${rel}\n`)
        await walk(full)
      } else {
        const st = await stat(full)
        h.update(`F ${rel} ${st.mode & 0o111 ? 'x' : '-'} ${st.size}\n`)
        h.update(await readFile(full))
      }
    }
  }
  await walk(contextDir)
  h.update(await readFile(busybox))
  return h.digest('hex').slice(0, 16)
}

/**
 * Resolves image references to something the engine can run, building OCK's images on first
 * use. Builds are shared by every runtime of the process (one build per image per process).
 */
export class ImageResolver {
  private readonly cache = new Map<string, Promise<ResolvedImage>>()
  /** Build durations (ms) of this process, for benchmarks and reports. */
  readonly buildTimes = new Map<string, number>()

  constructor(private readonly imagesDir = IMAGES_DIR) {}

  /** Idempotent; ImagePullError when the image cannot be had, RuntimeUnavailableError when the engine is down. */
  resolve(ref: string): Promise<ResolvedImage> {
    let p = this.cache.get(ref)
    if (!p) {
      p = this.doResolve(ref)
      this.cache.set(ref, p)
      // failures are not cached: the next pull tries again (as the kubelet's back-off expects)
      p.catch(() => this.cache.delete(ref))
    }
    return p
  }

  private async doResolve(ref: string): Promise<ResolvedImage> {
    const client = await engine()
    const recipe = CATALOGUE[ref]
    if (recipe) return this.build(client, ref, recipe)
    if (ref.startsWith(OCK_REGISTRY)) {
      throw new ImagePullError(ref, pullFailure(ref, `not found: OCK builds ${Object.keys(CATALOGUE).join(', ')}`))
    }
    const id = await imageId(client, ref)
    if (!id) {
      throw new ImagePullError(
        ref,
        pullFailure(
          ref,
          `not found in the local Docker engine and no registry is reachable from this machine; build it first (docker build -t ${ref} ...) or use one of OCK's images (${Object.keys(CATALOGUE).join(', ')})`,
        ),
      )
    }
    return { ref, localRef: ref, imageId: id, built: false }
  }

  private async build(client: EngineClient, ref: string, recipe: ImageRecipe): Promise<ResolvedImage> {
    const source = join(this.imagesDir, recipe.context)
    const busybox = busyboxPath()
    try {
      await stat(join(source, 'Dockerfile'))
    } catch {
      throw new ImagePullError(ref, pullFailure(ref, `its Dockerfile ${join(source, 'Dockerfile')} is missing`))
    }
    try {
      await stat(busybox)
    } catch {
      throw new ImagePullError(
        ref,
        pullFailure(ref, `building it needs Debian's busybox-static at ${busybox} (apt-get install busybox-static, or set OCK_BUSYBOX)`),
      )
    }
    const hash = await contentHash(source, recipe, busybox)
    const [repo, tag] = splitRef(ref)
    const contentRef = `${repo}:${tag}-${hash}`
    const existing = await imageId(client, contentRef)
    if (existing) return { ref, localRef: contentRef, imageId: existing, built: false }

    const started = performance.now()
    try {
      await buildRecipe(recipe, contentRef, { imagesDir: this.imagesDir })
    } catch (e) {
      if (isUnreachable(e)) throw new RuntimeUnavailableError(`cannot reach the Docker engine: ${message(e)}`)
      throw new ImagePullError(
        ref,
        pullFailure(ref, `building it from ${source} failed: ${message(e)} (run with DEBUG=testcontainers:build for the build log)`),
      )
    }
    const id = await imageId(client, contentRef)
    if (!id) throw new ImagePullError(ref, pullFailure(ref, `the build of ${source} produced no image`))
    await client.container.dockerode
      .getImage(contentRef)
      .tag({ repo, tag })
      .catch(() => undefined)
    this.buildTimes.set(ref, performance.now() - started)
    return { ref, localRef: contentRef, imageId: id, built: true }
  }
}

/**
 * Builds a recipe into `tag` through testcontainers: the context is copied to a temporary
 * directory together with busybox (removed afterwards). `cache: false` builds every layer anew.
 */
export async function buildRecipe(recipe: ImageRecipe, tag: string, opts: { imagesDir?: string; cache?: boolean } = {}): Promise<void> {
  const source = join(opts.imagesDir ?? IMAGES_DIR, recipe.context)
  const dir = await mkdtemp(join(tmpdir(), 'ock-image-'))
  try {
    await cp(source, dir, { recursive: true, verbatimSymlinks: true })
    await cp(busyboxPath(), join(dir, 'busybox'))
    const { GenericContainer } = await testcontainers()
    await GenericContainer.fromDockerfile(dir)
      .withBuildArgs(recipe.buildArgs ?? {})
      .withCache(opts.cache ?? true)
      .build(tag, { deleteOnExit: false })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function splitRef(ref: string): [string, string] {
  const i = ref.lastIndexOf(':')
  if (i < 0 || ref.slice(i).includes('/')) return [ref, 'latest']
  return [ref.slice(0, i), ref.slice(i + 1)]
}

async function imageId(client: EngineClient, ref: string): Promise<string | undefined> {
  try {
    const info = await client.container.dockerode.getImage(ref).inspect()
    return info.Id
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined
    if (isUnreachable(e)) throw new RuntimeUnavailableError(`cannot reach the Docker engine: ${message(e)}`)
    throw e
  }
}

/** The kubelet's ErrImagePull wording, with the reason a pull from this machine failed. */
function pullFailure(ref: string, why: string): string {
  return `Failed to pull image "${ref}": rpc error: code = NotFound desc = failed to pull and unpack image "${qualifiedReference(ref)}": ${why}`
}

/** One resolver per process: images are built once however many runtimes there are. */
export const images = new ImageResolver()

/** An image written to an archive by saveImages. */
export interface SavedImage {
  ref: string
  file: string
  bytes: number
}

/** Why some of `refs` cannot be saved (images OCK does not build), or undefined. */
export function unknownImages(refs: readonly string[]): string | undefined {
  const unknown = refs.filter((r) => !CATALOGUE[r])
  return unknown.length ? `not an image of OCK: ${unknown.join(', ')} (OCK builds ${Object.keys(CATALOGUE).join(', ')})` : undefined
}

/** `registry.internal/ock/app:1` -> `app-1.tar`. */
export function archiveName(ref: string): string {
  const [repo, tag] = splitRef(ref)
  return `${repo.split('/').at(-1)}-${tag}.tar`
}

/**
 * Writes OCK's images (all of them, or `refs`) into `dir` as `docker save` archives, one per
 * image, each tagged with its kit name (registry.internal/ock/app:1), building what is not built
 * yet: what `kind load image-archive`, `ctr -n k8s.io images import` or `docker load` read, so a
 * real cluster's nodes have the images the features run.
 */
export async function saveImages(dir: string, refs: readonly string[] = Object.keys(CATALOGUE), resolver = images): Promise<SavedImage[]> {
  const unknown = unknownImages(refs)
  if (unknown) throw new Error(unknown)
  await mkdir(dir, { recursive: true })
  const client = await engine()
  const saved: SavedImage[] = []
  for (const ref of refs) {
    const resolved = await resolver.resolve(ref)
    const [repo, tag] = splitRef(ref)
    // the kit's name points at this build (an earlier build may still hold it)
    await client.container.dockerode.getImage(resolved.localRef).tag({ repo, tag })
    const file = join(dir, archiveName(ref))
    const stream = await client.container.dockerode.getImage(ref).get()
    await pipeline(stream, createWriteStream(file))
    saved.push({ ref, file, bytes: (await stat(file)).size })
  }
  return saved
}
