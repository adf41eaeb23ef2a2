// Parameter types shared by every step, in both languages of the features: {kind}
// ("deployment", "replica set", "pods": the Kubernetes terms, which the Arabic features keep in
// English as the notes do), {duration} ("2s", "500ms", "1m", "1.5s"; "20 ثانية", "5 ثواني",
// "500 مللي ثانية": support/durations.ts; or a bound named after a timing the scenario stated,
// "the node monitor grace period plus 3s": support/timings.ts), {quantity} ("500m", "2", "1Gi", "512Mi"),
// {timing} ("node monitor grace period", support/timings.ts), {pressure} ("memory", "disk", "PID"),
// {client} ("kubectl", "python") and {patchTypes} ("merge, JSON and server-side apply").

import { defineParameterType } from '@cucumber/cucumber'
import { parseDuration } from '../support/durations.js'
import { KIND_PATTERN, kindRef, type KindRef } from '../support/kinds.js'
import { BOUND_PATTERN, TIMING_PATTERN, resolveBound, timingName } from '../support/timings.js'
import type { OckWorld } from '../support/world.js'
import type { ClientName, PatchType } from '../support/clients.js'

/** Milliseconds of a duration in either language (support/durations.ts); steps that read a duration from a table use it. */
export { parseDuration }

defineParameterType({
  name: 'kind',
  regexp: KIND_PATTERN,
  transformer: (s: string): KindRef => kindRef(s),
  useForSnippets: false,
})

// cucumber-js calls a transformer with the scenario's World as `this`
defineParameterType({
  name: 'duration',
  regexp: BOUND_PATTERN,
  transformer(this: OckWorld, s: string): number {
    return resolveBound(s, this.statedTimings)
  },
})

// {identity}: who acts in a step other than the admin ("I"): a user name such as `alice` or
// `system:node:node-1`, or `the service account "deployer"` / `the service account "ci:jenkins"`
// (`الـ service account "deployer"` in the Arabic features, read as the English).
defineParameterType({
  name: 'identity',
  regexp: /(?:the|الـ) service account "[^"]+"|[a-z][a-z0-9:.-]*/,
  transformer: (s: string): string => s.replace(/^الـ service account /, 'the service account '),
})

const VERB = '(?:get|list|watch|create|update|patch|delete|scale|bind|escalate)'
const VERB_SEPARATOR = ', | and |، | و '

// {verbs}: RBAC verbs in prose, "create", "get and list", "get, list and watch" ("get و list و
// watch" in the Arabic features); `scale` stands for get/update/patch of the <resource>/scale
// subresource; `bind` and `escalate` are RBAC's own verbs on roles and cluster roles.
defineParameterType({
  name: 'verbs',
  regexp: new RegExp(`${VERB}(?:(?:${VERB_SEPARATOR})${VERB})*`),
  transformer: (s: string): string[] => s.split(new RegExp(VERB_SEPARATOR)),
})

defineParameterType({
  name: 'quantity',
  regexp: /\d+(?:\.\d+)?(?:m|Ki|Mi|Gi|Ti|k|M|G|T)?/,
  transformer: (s: string): string => s,
})

// {timing}: a duration of the reference cluster, named as a flag would be ("node monitor grace period").
defineParameterType({
  name: 'timing',
  regexp: TIMING_PATTERN,
  transformer: timingName,
  useForSnippets: false,
})

// {pressure}: what a node can run short of ("memory", "disk", "PID"), as the condition it reports.
defineParameterType({
  name: 'pressure',
  regexp: /memory|disk|PID/,
  transformer: (s: string): 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' =>
    s === 'memory' ? 'MemoryPressure' : s === 'disk' ? 'DiskPressure' : 'PIDPressure',
  useForSnippets: false,
})

// {client}: a client a user drives the cluster with (support/clients.ts): kubectl, or the
// official Python client ("python").
defineParameterType({
  name: 'client',
  regexp: /kubectl|python/,
  transformer: (s: string): ClientName => s as ClientName,
  useForSnippets: false,
})

const PATCH_TYPE_NAMES: Record<string, PatchType> = { merge: 'merge', JSON: 'json', 'strategic merge': 'strategic', 'server-side apply': 'apply' }
const PATCH_TYPE = '(?:strategic merge|merge|JSON|server-side apply)'
const PATCH_SEPARATOR = ', | and |، | و '

// {patchTypes}: patch types in prose, "merge, JSON, strategic merge and server-side apply"
// ("JSON و strategic merge" in the Arabic features).
defineParameterType({
  name: 'patchTypes',
  regexp: new RegExp(`${PATCH_TYPE}(?:(?:${PATCH_SEPARATOR})${PATCH_TYPE})*`),
  transformer: (s: string): PatchType[] => s.split(new RegExp(PATCH_SEPARATOR)).map((t) => PATCH_TYPE_NAMES[t]!),
  useForSnippets: false,
})
