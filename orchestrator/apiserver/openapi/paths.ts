// The REST operations of the OpenAPI documents: for every row of the resource table, the paths
// kube-apiserver's installer registers (collection, object, all-namespaces list, status and scale)
// with their operationId, tags, x-kubernetes-action and x-kubernetes-group-version-kind, and
// their parameters; the PATCH operations keep `fieldValidation`, which kubectl's query-parameter
// verifier looks for before it leaves validation to the server. Written once in swagger 2.0's
// shape (`in: body`, `type` on parameters); `toV3Paths` rewrites them as OpenAPI 3.0 operations.
// Simplifies: no watch paths (`/watch/...`, deprecated upstream), no connect or log operations.

import type { ResourceInfo } from '../../api/resources.js'
import { V2_REF, type Schema } from './declarations.js'

type Operation = Record<string, unknown>
type PathItem = Record<string, unknown>

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'

const q = (name: string, type: string, description: string): Schema => ({ description, in: 'query', name, type, uniqueItems: true })

const PARAM = {
  pretty: q(
    'pretty',
    'string',
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
  ),
  dryRun: q(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: q(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  ),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: q(
    'force',
    'boolean',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  ),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  timeoutSeconds: q(
    'timeoutSeconds',
    'integer',
    'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.',
  ),
  watch: q(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.',
  ),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer.'),
  propagationPolicy: q(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
  ),
  namespace: {
    description: 'object name and auth scope, such as for teams and projects',
    in: 'path',
    name: 'namespace',
    required: true,
    type: 'string',
    uniqueItems: true,
  },
}

const name = (of: string): Schema => ({ description: `name of the ${of}`, in: 'path', name: 'name', required: true, type: 'string', uniqueItems: true })
const body = (ref: string): Schema => ({ in: 'body', name: 'body', required: true, schema: { $ref: `${V2_REF}${ref}` } })

const WRITE = [PARAM.dryRun, PARAM.fieldManager, PARAM.fieldValidation]
const LIST = [PARAM.continue, PARAM.fieldSelector, PARAM.labelSelector, PARAM.limit, PARAM.resourceVersion, PARAM.timeoutSeconds, PARAM.watch]
const DELETE = [PARAM.dryRun, PARAM.gracePeriodSeconds, PARAM.propagationPolicy]
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']
const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']

/** `rbac.authorization.k8s.io` -> `RbacAuthorization`, `` -> `Core`, as upstream's operation ids spell a group. */
function groupWord(group: string): string {
  const words = (group || 'core').replace(/\.k8s\.io$/, '').split('.')
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

/** The tag upstream gives a group version's operations: `core_v1`, `rbacAuthorization_v1`. */
export function gvTag(group: string, version: string): string {
  const w = groupWord(group)
  return `${w[0]!.toLowerCase()}${w.slice(1)}_${version}`
}

export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`
}

/** Where a kind's schema lives: its upstream definition name, when kubernetes-models has one. */
export type DefinitionOf = (info: Pick<ResourceInfo, 'group' | 'version' | 'kind'>) => string | undefined

/** The swagger 2.0 paths of one resource. */
export function resourcePaths(info: ResourceInfo, definitionOf: DefinitionOf): Record<string, PathItem> {
  const gvk = { group: info.group, kind: info.kind, version: info.version }
  const Gv = `${groupWord(info.group)}${info.version[0]!.toUpperCase()}${info.version.slice(1)}`
  const scope = info.namespaced ? 'Namespaced' : ''
  const self = definitionOf(info)
  const list = definitionOf({ ...info, kind: `${info.kind}List` })
  const ok = (ref: string | undefined, codes = ['200']): Record<string, unknown> =>
    Object.fromEntries([
      ...codes.map((c) => [c, ref ? { description: 'OK', schema: { $ref: `${V2_REF}${ref}` } } : { description: 'OK' }]),
      ['401', { description: 'Unauthorized' }],
    ])
  const op = (action: string, id: string, description: string, extra: Operation, theGvk = gvk): Operation => ({
    consumes: action === 'patch' ? PATCH_TYPES : ['*/*'],
    description,
    operationId: id,
    produces: PRODUCES,
    schemes: ['https'],
    tags: [gvTag(info.group, info.version)],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': theGvk,
    ...extra,
  })
  const has = (verb: string): boolean => info.verbs.includes(verb)
  const base = `/${gvPath(info.group, info.version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`
  const scopeParams = info.namespaced ? [PARAM.namespace, PARAM.pretty] : [PARAM.pretty]
  const paths: Record<string, PathItem> = {}
  const collection: PathItem = {}
  if (has('list'))
    collection.get = op('list', `list${Gv}${scope}${info.kind}`, `list or watch objects of kind ${info.kind}`, { parameters: LIST, responses: ok(list) })
  if (has('create'))
    collection.post = op('post', `create${Gv}${scope}${info.kind}`, `create a ${info.kind}`, {
      parameters: [...(self ? [body(self)] : []), ...WRITE],
      responses: ok(self, ['200', '201', '202']),
    })
  if (has('deletecollection'))
    collection.delete = op('deletecollection', `delete${Gv}Collection${scope}${info.kind}`, `delete collection of ${info.kind}`, {
      parameters: [...DELETE, ...LIST],
      responses: ok(`${META}.Status`),
    })
  if (Object.keys(collection).length) paths[base] = { ...collection, parameters: scopeParams }
  const item: PathItem = {}
  const read = (suffix: string, ref: string | undefined, theGvk = gvk): void => {
    const sub = suffix ? `/${suffix}` : ''
    const Sub = suffix ? suffix[0]!.toUpperCase() + suffix.slice(1) : ''
    const what = suffix ? `${suffix} of the specified ${info.kind}` : `the specified ${info.kind}`
    const it: PathItem = {}
    if (has('get')) it.get = op('get', `read${Gv}${scope}${info.kind}${Sub}`, `read ${what}`, { responses: ok(ref) }, theGvk)
    if (has('update'))
      it.put = op(
        'put',
        `replace${Gv}${scope}${info.kind}${Sub}`,
        `replace ${what}`,
        { parameters: [...(ref ? [body(ref)] : []), ...WRITE], responses: ok(ref, ['200', '201']) },
        theGvk,
      )
    if (has('patch'))
      it.patch = op(
        'patch',
        `patch${Gv}${scope}${info.kind}${Sub}`,
        `partially update ${what}`,
        {
          parameters: [body(`${META}.Patch`), ...WRITE, PARAM.force],
          responses: ok(ref, ['200', '201']),
        },
        theGvk,
      )
    if (!suffix && has('delete'))
      it.delete = op('delete', `delete${Gv}${scope}${info.kind}`, `delete a ${info.kind}`, {
        parameters: [body(`${META}.DeleteOptions`), ...DELETE],
        responses: ok(`${META}.Status`, ['200', '202']),
      })
    if (Object.keys(it).length) paths[`${base}/{name}${sub}`] = { ...it, parameters: [name(info.kind), ...scopeParams] }
    Object.assign(item, it)
  }
  if (!info.ephemeral) read('', self)
  if (info.subresources.includes('status')) read('status', self)
  if (info.subresources.includes('scale')) read('scale', 'io.k8s.api.autoscaling.v1.Scale', { group: 'autoscaling', kind: 'Scale', version: 'v1' })
  if (info.namespaced && has('list'))
    paths[`/${gvPath(info.group, info.version)}/${info.resource}`] = {
      get: op('list', `list${Gv}${info.kind}ForAllNamespaces`, `list or watch objects of kind ${info.kind}`, { responses: ok(list) }),
      parameters: [...LIST, PARAM.pretty],
    }
  return paths
}

const V3_REF = '#/components/schemas/'

function v3Param(p: Schema): Schema {
  const { type, uniqueItems, ...rest } = p
  return { ...rest, schema: { type, uniqueItems } }
}

function v3Content(schema: unknown, types: string[]): Record<string, unknown> {
  const s = schema as Schema
  const ref = { $ref: String(s.$ref).replace(V2_REF, V3_REF) }
  return Object.fromEntries(types.map((t) => [t, { schema: ref }]))
}

/** One swagger 2.0 path item as OpenAPI 3.0 writes it: request bodies and response contents. */
export function toV3PathItem(item: PathItem): PathItem {
  const out: PathItem = {}
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') {
      out.parameters = (v as Schema[]).map(v3Param)
      continue
    }
    const { consumes, produces, schemes: _schemes, parameters = [], responses, ...rest } = v as Operation
    const o: Operation = { ...rest }
    const params = parameters as Schema[]
    const bodyParam = params.find((p) => p.in === 'body')
    if (params.some((p) => p.in !== 'body')) o.parameters = params.filter((p) => p.in !== 'body').map(v3Param)
    if (bodyParam) o.requestBody = { content: v3Content(bodyParam.schema, consumes as string[]), required: true }
    o.responses = Object.fromEntries(
      Object.entries(responses as Record<string, Schema>).map(([code, r]) => [
        code,
        r.schema ? { content: v3Content(r.schema, produces as string[]), description: r.description } : { description: r.description },
      ]),
    )
    out[k] = o
  }
  return out
}
