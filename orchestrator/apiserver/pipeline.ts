// The request pipeline of the reference API server, in order: the one list to read for "what
// happens to a request?". Each stage names the file that implements it and the phase it
// writes to the request's trace (`/debug/trace`, support/ reads it), so a test can check that
// a real request walks exactly this list. What a stage does to a particular kind is that
// kind's strategy (registry/strategies/<kind>.ts); the admission plugins run in the order of
// admission/chain.ts.
// Mirrors k8s.io/apiserver's DefaultBuildHandlerChain (WithAudit, WithAuthentication,
// WithImpersonation, WithAuthorization) followed by the REST handler and the generic
// registry's create path (admission, validation, storage).

export interface Stage {
  /** What happens, in a few words. */
  stage: string
  /** Where it happens (relative to orchestrator/). */
  file: string
  /** The trace phase it records (`kind: 'phase'`), the trace entry kind for the others, '' for none of its own. */
  trace: string
  /** Which requests reach it (every request when absent). */
  only?: string
}

export const PIPELINE: readonly Stage[] = [
  { stage: 'the request target is parsed as Go parses it; a malformed one is a plain 400', file: 'apiserver/filters/requesttarget.ts', trace: 'request' },
  { stage: 'verb, group, resource, namespace, name, subresource', file: 'apiserver/filters/requestinfo.ts', trace: 'request' },
  { stage: 'audit: the request is on record before anyone looks at who sent it', file: 'apiserver/filters/audit.ts', trace: 'audit' },
  { stage: 'deadline (60 s) for requests that are not long-running', file: 'apiserver/filters/timeout.ts', trace: '', only: 'not watch, logs, exec' },
  { stage: 'authentication: client certificate, then bearer token; else 401', file: 'apiserver/filters/authentication.ts', trace: 'authentication' },
  {
    stage: 'impersonation (Impersonate-* headers), each authorized',
    file: 'apiserver/filters/impersonation.ts',
    trace: 'impersonation',
    only: 'requests with Impersonate-* headers',
  },
  { stage: 'authorization: system:masters, Node, RBAC; else 403', file: 'apiserver/filters/authorization.ts', trace: 'authorization' },
  {
    stage: 'the REST handler: route, read and decode the body',
    file: 'apiserver/handlers/rest.ts',
    trace: 'decoding',
    only: 'writes (a refusal is traced as decoding)',
  },
  {
    stage: "the kind's defaults and initial status, system fields",
    file: 'apiserver/registry/store.ts + registry/strategies/<kind>.ts',
    trace: '',
    only: 'create, update',
  },
  { stage: 'mutating admission, in the order of admission/chain.ts', file: 'admission/chain.ts', trace: 'mutating-admission', only: 'writes' },
  { stage: 'RBAC escalation check of roles and bindings', file: 'apiserver/authz/escalation.ts', trace: 'escalation-check', only: 'writes of RBAC kinds' },
  {
    stage: "validation: object meta, schema, labels, the kind's strategy",
    file: 'apiserver/registry/validation.ts + registry/strategies/<kind>.ts',
    trace: 'validation',
    only: 'create, update, patch',
  },
  { stage: 'validating admission, in the order of admission/chain.ts', file: 'admission/chain.ts', trace: 'validating-admission', only: 'writes' },
  { stage: "the kind's storage hooks (a Service's ClusterIP), then one store write", file: 'apiserver/registry/store.ts', trace: 'store', only: 'writes' },
  { stage: 'the answer: the stored object, a Table, or a Status', file: 'apiserver/handlers/rest.ts', trace: 'response' },
]
