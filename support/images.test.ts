import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseAllDocuments } from 'yaml'
import { mapImage, mapImages, mapImagesInArgs, mapImagesInYaml } from './images.js'

const APP = 'registry.internal/ock/app:1'
const TOOL = 'registry.internal/ock/tool:2'
const MAP = { [APP]: 'registry.example.com/ock/app:1', [TOOL]: 'registry.example.com/ock/tool:2' }

const podSpec = (image: string, extra: Record<string, unknown> = {}) => ({ containers: [{ name: 'app', image }], ...extra })
const template = (image: string, extra?: Record<string, unknown>) => ({ metadata: { labels: { app: 'web' } }, spec: podSpec(image, extra) })

/** Every image found under containers / initContainers / ephemeralContainers, in document order. */
function imagesOf(o: unknown): string[] {
  if (Array.isArray(o)) return o.flatMap(imagesOf)
  if (typeof o !== 'object' || o === null) return []
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) =>
    ['containers', 'initContainers', 'ephemeralContainers'].includes(k) && Array.isArray(v) ? v.map((c: { image: string }) => c.image) : imagesOf(v),
  )
}

describe('kit images mapped in the objects a scenario sends', () => {
  const cases: { kind: string; object: Record<string, unknown>; want: string[] }[] = [
    { kind: 'Pod', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: podSpec(APP) }, want: [MAP[APP]] },
    {
      kind: 'Pod with init and ephemeral containers',
      object: {
        kind: 'Pod',
        spec: {
          initContainers: [{ name: 'init', image: TOOL }],
          containers: [{ name: 'app', image: APP }],
          ephemeralContainers: [{ name: 'debug', image: TOOL }],
        },
      },
      want: [MAP[TOOL], MAP[APP], MAP[TOOL]],
    },
    { kind: 'Deployment', object: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 2, template: template(APP) } }, want: [MAP[APP]] },
    { kind: 'ReplicaSet', object: { kind: 'ReplicaSet', spec: { template: template(TOOL) } }, want: [MAP[TOOL]] },
    {
      kind: 'StatefulSet',
      object: { kind: 'StatefulSet', spec: { template: template(APP, { initContainers: [{ name: 'i', image: TOOL }] }) } },
      want: [MAP[APP], MAP[TOOL]],
    },
    { kind: 'DaemonSet', object: { kind: 'DaemonSet', spec: { template: template(APP) } }, want: [MAP[APP]] },
    { kind: 'Job', object: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: template(TOOL) } }, want: [MAP[TOOL]] },
    { kind: 'CronJob', object: { kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template(APP) } } } }, want: [MAP[APP]] },
    { kind: 'PodTemplate', object: { kind: 'PodTemplate', template: template(APP) }, want: [MAP[APP]] },
    {
      kind: 'List',
      object: {
        kind: 'List',
        items: [
          { kind: 'Pod', spec: podSpec(APP) },
          { kind: 'Job', spec: { template: template(TOOL) } },
        ],
      },
      want: [MAP[APP], MAP[TOOL]],
    },
    { kind: 'Pod of an image the map does not name', object: { kind: 'Pod', spec: podSpec('busybox:1.36') }, want: ['busybox:1.36'] },
    { kind: 'Pod of an unmapped kit image', object: { kind: 'Pod', spec: podSpec('registry.internal/ock/app:2') }, want: ['registry.internal/ock/app:2'] },
    { kind: 'ConfigMap naming an image in its data', object: { kind: 'ConfigMap', data: { image: APP } }, want: [] },
  ]
  for (const c of cases) {
    it(`${c.kind}: ${c.want.join(', ') || 'nothing to map'}`, () => {
      const before = structuredClone(c.object)
      const mapped = mapImages(c.object, MAP)
      assert.deepEqual(imagesOf(mapped), c.want)
      assert.deepEqual(c.object, before, 'the original object is left as it was')
    })
  }

  it('without a map (the built-in target) the object itself comes back', () => {
    const o = { kind: 'Pod', spec: podSpec(APP) }
    assert.equal(mapImages(o, undefined), o)
    assert.equal(mapImages(o, {}), o)
  })

  it('maps one image name', () => {
    assert.equal(mapImage(APP, MAP), MAP[APP])
    assert.equal(mapImage('nginx', MAP), 'nginx')
    assert.equal(mapImage('toString', MAP), 'toString')
    assert.equal(mapImage(APP, undefined), APP)
  })
})

describe('kit images mapped in a YAML manifest for kubectl', () => {
  it('rewrites every document that names one, and keeps the others', () => {
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: ${APP}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n`
    const out = parseAllDocuments(mapImagesInYaml(text, MAP)) as unknown as { toJS(): Record<string, unknown> }[]
    assert.deepEqual(
      out.map((d) => d.toJS().kind),
      ['Deployment', 'Service'],
    )
    assert.deepEqual(imagesOf(out[0]!.toJS()), [MAP[APP]])
  })

  it('returns the text untouched when nothing is mapped, without a map, or when it is not YAML', () => {
    const text = 'kind: Pod\nspec:\n  containers: [{name: a, image: busybox}]   # a comment kept\n'
    assert.equal(mapImagesInYaml(text, MAP), text)
    assert.equal(mapImagesInYaml(`kind: Pod\nspec: {containers: [{image: ${APP}}]}\n`, undefined), `kind: Pod\nspec: {containers: [{image: ${APP}}]}\n`)
    assert.equal(mapImagesInYaml('a: [', MAP), 'a: [')
  })
})

describe('kit images mapped in kubectl arguments', () => {
  const cases: { args: string[]; want: string[] }[] = [
    { args: ['create', 'deployment', 'web', `--image=${APP}`, '--replicas=3'], want: ['create', 'deployment', 'web', `--image=${MAP[APP]}`, '--replicas=3'] },
    { args: ['run', 'x', '--image', TOOL], want: ['run', 'x', '--image', MAP[TOOL]] },
    { args: ['set', 'image', 'deployment/web', `app=${APP}`], want: ['set', 'image', 'deployment/web', `app=${MAP[APP]}`] },
    { args: ['create', 'deployment', 'web', '--image=nginx'], want: ['create', 'deployment', 'web', '--image=nginx'] },
    { args: ['get', 'pods', '-l', 'app=web'], want: ['get', 'pods', '-l', 'app=web'] },
  ]
  for (const c of cases) it(c.args.join(' '), () => assert.deepEqual(mapImagesInArgs(c.args, MAP), c.want))

  it('leaves them alone without a map', () => assert.deepEqual(mapImagesInArgs([`--image=${APP}`], undefined), [`--image=${APP}`]))
})
