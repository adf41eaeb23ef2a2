// The upstream OpenAPI definitions of the built-in kinds, read from the kubernetes-models package
// the kit already depends on: its type declarations (.d.ts, read with the TypeScript compiler
// API) carry every definition's fields, which are required, their types and upstream's
// descriptions as doc comments; its compiled validators (_schemas/*.js) carry the formats the
// declarations lose (int32, int64, double, byte, date-time) and tell integers from numbers.
// Mirrors the `definitions` of kube-apiserver's /openapi/v2, named as upstream names them
// (`io.k8s.api.core.v1.Pod`), `$ref`s written `#/definitions/<name>`.
// Simplifies: no `default` values; the fields are those of the kubernetes-models release.

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as TS from 'typescript'

/** The compiler API (the module's default export when imported from ESM). */
export type TypeScriptApi = typeof TS

/** An OpenAPI schema object as JSON (v2 shape: `$ref`s into `#/definitions/`). */
export type Schema = Record<string, unknown>

/** A kind whose definition (and its List's) roots a walk. */
export interface KindRef {
  group: string
  version: string
  kind: string
}

export const V2_REF = '#/definitions/'

/** The package prefixes kubernetes-models spells in PascalCase, with upstream's dotted package. */
const PACKAGES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^IoK8sApi([A-Z][a-z]+)(V\d+(?:(?:alpha|beta)\d+)?)(?=[A-Z])/, (m) => `io.k8s.api.${m[1]!.toLowerCase()}.${m[2]!.toLowerCase()}`],
  [/^IoK8sApimachineryPkgApisMetaV1(?=[A-Z])/, () => 'io.k8s.apimachinery.pkg.apis.meta.v1'],
  [/^IoK8sApimachineryPkgApiResource(?=[A-Z])/, () => 'io.k8s.apimachinery.pkg.api.resource'],
  [/^IoK8sApimachineryPkgUtilIntstr(?=[A-Z])/, () => 'io.k8s.apimachinery.pkg.util.intstr'],
  [/^IoK8sApimachineryPkgRuntime(?=[A-Z])/, () => 'io.k8s.apimachinery.pkg.runtime'],
  [/^IoK8sApimachineryPkgVersion(?=[A-Z])/, () => 'io.k8s.apimachinery.pkg.version'],
  [
    /^IoK8sKubeAggregatorPkgApisApiregistration(V\d+(?:(?:alpha|beta)\d+)?)(?=[A-Z])/,
    (m) => `io.k8s.kube-aggregator.pkg.apis.apiregistration.${m[1]!.toLowerCase()}`,
  ],
  [
    /^IoK8sApiextensionsApiserverPkgApisApiextensions(V\d+(?:(?:alpha|beta)\d+)?)(?=[A-Z])/,
    (m) => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${m[1]!.toLowerCase()}`,
  ],
]

/** `IoK8sApiCoreV1PodSpec` -> `io.k8s.api.core.v1.PodSpec`; undefined for a name of no known package. */
export function definitionName(pascal: string): string | undefined {
  for (const [re, pkg] of PACKAGES) {
    const m = pascal.match(re)
    if (m) return `${pkg(m)}.${pascal.slice(m[0].length)}`
  }
  return undefined
}

/** Definitions upstream writes by hand (custom OpenAPI types in apimachinery), not from their Go fields. */
const CUSTOM: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
}

function packageDir(): { models: string; machinery: string } {
  const models = dirname(fileURLToPath(import.meta.resolve('kubernetes-models')))
  // the package's own dependency: nested under it, or hoisted beside it
  const candidates = [join(models, 'node_modules/@kubernetes-models/apimachinery'), join(models, '../@kubernetes-models/apimachinery')]
  const machinery = candidates.find((d) => existsSync(join(d, 'package.json')))
  if (!machinery) throw new Error('@kubernetes-models/apimachinery is not installed beside kubernetes-models')
  return { models, machinery }
}

/** The declaration file of a kind: `<package>/<group>/<version>/<Kind>.d.ts` (the core group: `<version>/`). */
function kindFile(models: string, ref: KindRef): string {
  return join(models, ref.group, ref.version, `${ref.kind}.d.ts`)
}

/** Reads definitions from the declarations, each file once; a walk from kinds collects their closure. */
export class Declarations {
  private readonly dirs = packageDir()
  private readonly byFile = new Map<string, { name: string; schema: Schema; refs: string[] } | null>()
  private readonly formats = new Map<string, Map<string, FieldFormat>>()
  private typeMetaDocs?: { apiVersion?: string; kind?: string }

  constructor(private readonly ts: TypeScriptApi) {}

  /** The file of a kind's definition, or undefined when kubernetes-models has no such kind. */
  kindFile(ref: KindRef): string | undefined {
    const f = kindFile(this.dirs.models, ref)
    return existsSync(f) ? f : undefined
  }

  /** The file of a metav1 (or other apimachinery) definition by its path in that package. */
  machineryFile(path: string): string {
    return join(this.dirs.machinery, `${path}.d.ts`)
  }

  /**
   * Every definition reachable from the files, by upstream name (a Map in the order first reached).
   * Yields to the event loop every few files: a first build must not stall an in-process cluster.
   */
  async closure(files: string[], into = new Map<string, Schema>()): Promise<Map<string, Schema>> {
    const queue = [...files]
    let parsed = 0
    while (queue.length) {
      const file = queue.shift()!
      if (!this.byFile.has(file) && ++parsed % 8 === 0) await new Promise((r) => setImmediate(r))
      const def = this.read(file)
      if (!def || into.has(def.name)) continue
      into.set(def.name, def.schema)
      queue.push(...def.refs)
    }
    return into
  }

  /** The upstream name of the definition a file declares. */
  nameOf(file: string): string | undefined {
    return this.read(file)?.name
  }

  private read(file: string): { name: string; schema: Schema; refs: string[] } | undefined {
    if (!this.byFile.has(file)) this.byFile.set(file, existsSync(file) ? this.parse(file) : null)
    return this.byFile.get(file) ?? undefined
  }

  private parse(file: string): { name: string; schema: Schema; refs: string[] } | null {
    const ts = this.ts
    const text = readFileSync(file, 'utf8')
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false)
    const imports = new Map<string, string>()
    let local: string | undefined
    let pascal: string | undefined
    for (const st of sf.statements) {
      if (
        ts.isImportDeclaration(st) &&
        ts.isStringLiteral(st.moduleSpecifier) &&
        st.importClause?.namedBindings &&
        ts.isNamedImports(st.importClause.namedBindings)
      ) {
        const target = this.resolveImport(file, st.moduleSpecifier.text)
        if (target) for (const el of st.importClause.namedBindings.elements) imports.set(el.name.text, target)
      }
      // export type { IPod as IIoK8sApiCoreV1Pod, Pod as IoK8sApiCoreV1Pod }
      if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          if (el.name.text.startsWith('IIoK8s')) {
            local = el.propertyName?.text ?? el.name.text
            pascal = el.name.text.slice(1)
          }
        }
      }
    }
    const name = pascal && definitionName(pascal)
    if (!name || !local) return null
    const refs: string[] = []
    const custom = CUSTOM[name]
    const decl = sf.statements.find((st) => (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === local) as
      TS.InterfaceDeclaration | TS.TypeAliasDeclaration | undefined
    if (!decl) return null
    const schema: Schema = {}
    const doc = docComment(ts, text, decl)
    if (doc) schema.description = doc
    if (custom) return { name, schema: { ...schema, ...custom }, refs }
    const typeOf = (node: TS.TypeNode): Schema => this.typeSchema(node, imports, refs)
    if (ts.isTypeAliasDeclaration(decl)) {
      Object.assign(schema, typeOf(decl.type))
      return { name, schema, refs }
    }
    const formats = this.formatsOf(file, pascal!)
    const properties: Record<string, Schema> = {}
    const required: string[] = []
    for (const m of decl.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue
      const prop = ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : undefined
      if (!prop) continue
      let s: Schema
      const typeMeta = (prop === 'apiVersion' || prop === 'kind') && ts.isLiteralTypeNode(m.type)
      if (typeMeta) {
        // kubernetes-models pins a kind's apiVersion and kind to literals; upstream types them as strings
        s = { type: 'string' }
        const d = this.typeMetaDoc(prop)
        if (d) s.description = d
      } else {
        s = typeOf(m.type)
        applyFormat(s, formats.get(prop))
        const d = docComment(ts, text, m)
        if (d) s = s.$ref ? { $ref: s.$ref, description: d } : { description: d, ...s }
      }
      properties[prop] = s
      if (!m.questionToken && !typeMeta) required.push(prop)
    }
    if (Object.keys(properties).length) {
      schema.type = 'object'
      if (required.length) schema.required = required.sort()
      schema.properties = properties
    } else schema.type = 'object'
    return { name, schema, refs }
  }

  private typeSchema(node: TS.TypeNode, imports: Map<string, string>, refs: string[]): Schema {
    const ts = this.ts
    const k = ts.SyntaxKind
    switch (node.kind) {
      case k.StringKeyword:
        return { type: 'string' }
      case k.NumberKeyword:
        return { type: 'number' }
      case k.BooleanKeyword:
        return { type: 'boolean' }
      case k.AnyKeyword:
      case k.UnknownKeyword:
      case k.ObjectKeyword:
        return { type: 'object' }
    }
    if (ts.isParenthesizedTypeNode(node)) return this.typeSchema(node.type, imports, refs)
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(node.elementType, imports, refs) }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { type: 'string', enum: [node.literal.text] }
    if (ts.isUnionTypeNode(node)) {
      const literals = node.types.filter((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) as TS.LiteralTypeNode[]
      if (literals.length === node.types.length) return { type: 'string', enum: literals.map((t) => (t.literal as TS.StringLiteral).text) }
      const kinds = new Set(node.types.map((t) => t.kind))
      if (kinds.has(k.NumberKeyword) && kinds.has(k.StringKeyword)) return { type: 'string', format: 'int-or-string' }
      return { type: 'object' }
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration)
      return index ? { type: 'object', additionalProperties: this.typeSchema(index.type, imports, refs) } : { type: 'object' }
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const id = node.typeName.text
      const arg = node.typeArguments?.[0]
      if (id === 'Array' && arg) return { type: 'array', items: this.typeSchema(arg, imports, refs) }
      if (id === 'Record' && node.typeArguments?.[1]) return { type: 'object', additionalProperties: this.typeSchema(node.typeArguments[1], imports, refs) }
      // imported as `IIoK8sApiCoreV1PodSpec`: the name says the definition without parsing its file
      const file = imports.get(id)
      const target = id.startsWith('I') ? definitionName(id.slice(1)) : undefined
      if (file && target && existsSync(file)) {
        refs.push(file)
        return { $ref: `${V2_REF}${target}` }
      }
    }
    return { type: 'object' }
  }

  private resolveImport(from: string, spec: string): string | undefined {
    if (spec.startsWith('.')) return resolve(dirname(from), spec.replace(/\.js$/, '.d.ts'))
    const pkg = '@kubernetes-models/apimachinery/'
    if (spec.startsWith(pkg)) return join(this.dirs.machinery, `${spec.slice(pkg.length)}.d.ts`)
    return undefined
  }

  /** Upstream's descriptions of apiVersion and kind, as metav1.Status's declaration carries them. */
  private typeMetaDoc(prop: 'apiVersion' | 'kind'): string | undefined {
    if (!this.typeMetaDocs) {
      const status = this.read(this.machineryFile('apis/meta/v1/Status'))
      const props = (status?.schema.properties ?? {}) as Record<string, Schema>
      this.typeMetaDocs = { apiVersion: props.apiVersion?.description as string, kind: props.kind?.description as string }
    }
    return this.typeMetaDocs[prop]
  }

  private formatsOf(file: string, pascal: string): Map<string, FieldFormat> {
    let f = this.formats.get(pascal)
    if (!f) {
      const pkgRoot = file.startsWith(this.dirs.machinery) ? this.dirs.machinery : this.dirs.models
      const js = join(pkgRoot, '_schemas', `${pascal}.js`)
      f = existsSync(js) ? validatorFormats(readFileSync(js, 'utf8')) : new Map()
      this.formats.set(pascal, f)
    }
    return f
  }
}

/** What a field's compiled validator checks: integers rather than numbers, and a format. */
export interface FieldFormat {
  integer: boolean
  format?: string
}

/**
 * The formats per field of one compiled validator module (ajv's standalone code): each field's
 * check is a local function `validateN(data.<field>, ...)`, and the functions it calls, in turn,
 * name `formatsK` (`formats.int32`) and the JSON type they require.
 */
export function validatorFormats(js: string): Map<string, FieldFormat> {
  const formatVars = new Map<string, string>()
  for (const m of js.matchAll(/let (formats\d+)=formats(?:\.([\w-]+)|\["([^"]+)"\])/g)) formatVars.set(m[1]!, (m[2] ?? m[3])!)
  const bodies = new Map<string, string>()
  const starts = [...js.matchAll(/function (validate\d+)\(/g)]
  starts.forEach((m, i) => bodies.set(m[1]!, js.slice(m.index, starts[i + 1]?.index ?? js.length)))
  const main = js.match(/export const validate=(validate\d+)/)?.[1]
  const mainBody = main && bodies.get(main)
  const out = new Map<string, FieldFormat>()
  if (!mainBody) return out
  const closure = (fn: string): { formats: Set<string>; integer: boolean } => {
    const seen = new Set<string>()
    const formats = new Set<string>()
    let integer = false
    const stack = [fn]
    while (stack.length) {
      const f = stack.pop()!
      if (seen.has(f) || !bodies.has(f)) continue
      seen.add(f)
      const body = bodies.get(f)!
      for (const m of body.matchAll(/(formats\d+)\.validate/g)) formats.add(formatVars.get(m[1]!)!)
      if (body.includes('params:{type:"integer"}')) integer = true
      for (const m of body.matchAll(/(validate\d+)\(/g)) if (m[1] !== f) stack.push(m[1]!)
    }
    return { formats, integer }
  }
  for (const m of mainBody.matchAll(/(validate\d+)\(data(?:\.([A-Za-z_$][\w$]*)|\["([^"]+)"\]),/g)) {
    const field = (m[2] ?? m[3])!
    if (m[1] === main || out.has(field)) continue
    const c = closure(m[1]!)
    const format = ['int32', 'int64', 'double', 'byte', 'date-time'].find((f) => c.formats.has(f))
    out.set(field, format ? { integer: c.integer, format } : { integer: c.integer })
  }
  return out
}

/** Puts a field's format on its innermost primitive (through arrays and maps). */
function applyFormat(s: Schema, f: FieldFormat | undefined): void {
  if (!f) return
  let leaf = s
  for (;;) {
    const next = (leaf.items ?? leaf.additionalProperties) as Schema | undefined
    if (!next || typeof next !== 'object') break
    leaf = next
  }
  if (leaf.$ref) return
  if (leaf.type === 'number' && f.integer) leaf.type = 'integer'
  if (f.format && (leaf.type === 'integer' || leaf.type === 'number' || leaf.type === 'string') && !leaf.enum) leaf.format = f.format
}

/** The doc comment before a node, as upstream's description: `/** ... *\/` with the leading `*`s removed. */
function docComment(ts: TypeScriptApi, text: string, node: TS.Node): string | undefined {
  const ranges = ts.getLeadingCommentRanges(text, node.pos)
  const last = ranges?.filter((r) => text.startsWith('/**', r.pos)).pop()
  if (!last) return undefined
  const body = text.slice(last.pos + 3, last.end - 2)
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, ''))
  while (lines.length && !lines[0]!.trim()) lines.shift()
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop()
  const doc = lines.join('\n').replace(/\*\\\//g, '*/')
  return doc || undefined
}
