// Who may import whom, checked by `npm run lint` (dependency-cruiser; type-only imports count).
// An allow-list: an import is an error unless a rule below allows it, so a new folder may use
// its own files, Node's modules and npm packages, and nothing else of the project until a rule
// here says so. The finer rules (the kubelet uses the runtime interface only, steps reach the
// orchestrator only through support/) stay in eslint.config.js. No import cycles, anywhere.
//
// The layers, from the bottom: api (types, no project imports) and store, host, pki; client and
// admission on api; the runtimes on api and host; apiserver on api, admission, host, pki and
// store; the components (controllers, scheduler, proxy, metrics) on api and client
// only, and the kubelet on those and the runtime interface: they meet at the API server;
// cluster, the composition root, on everything. orchestrator/testing (on api: its object builders) holds helpers for the
// orchestrator's tests only (tests are x.test.ts, their helpers x.testing.ts or a testing.ts);
// a controller never imports another controller's files. The harness (support, steps) talks Kubernetes; scripts,
// benchmarks and bin may assemble anything. The table below is the truth; this is its summary.

/** `from` files, by folder; tests (x.test.ts) and their helpers (x.testing.ts) are listed apart. */
const TESTS = '(\\.(test|testing|browser)|/testing)\\.ts$'
const o = (...folders) => `^orchestrator/(${folders.join('|')})/`

/** Production code of an orchestrator folder may import these folders (besides its own). */
const ORCHESTRATOR = {
  api: [],
  store: [],
  host: [],
  pki: [],
  // test helpers only (no production code imports them); the object builders need the API's types
  testing: ['api'],
  client: ['api'],
  admission: ['api'],
  apiserver: ['admission', 'api', 'host', 'pki', 'store'],
  runtime: ['api', 'host'],
  kubelet: ['api', 'client', 'runtime'],
  controllers: ['api', 'client'],
  scheduler: ['api', 'client'],
  proxy: ['api', 'client'],
  metrics: ['api', 'client'],
  cluster: ['.+'],
}

const allowed = [
  // Node's modules and the packages package.json declares
  { from: {}, to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer'] } },
  // a folder's own files (orchestrator/x/..., support/x/..., steps/, scripts/, bench/)
  { from: { path: '^(orchestrator/[^/]+|support/[^/]+|steps|scripts|bench|bin)/' }, to: { path: '^$1/' } },
  ...Object.entries(ORCHESTRATOR).map(([folder, to]) => ({ from: { path: o(folder), pathNot: TESTS }, to: { path: to.length ? o(...to) : '^$' } })),
  // the command line (orchestrator/cli.ts) assembles a cluster
  { from: { path: '^orchestrator/[^/]+\\.ts$' }, to: { path: '^orchestrator/' } },
  // tests may assemble an API server, a store, certificates or a cluster to test against; a
  // component's tests still never import another component
  {
    from: { path: `^orchestrator/.+${TESTS}` },
    to: { path: o('api', 'apiserver', 'admission', 'client', 'cluster', 'host', 'pki', 'store', 'runtime', 'testing') },
  },
  // the harness: support's top-level files use the PKI, the runtime's image catalogue and the
  // kubeconfig file format; the target drivers assemble the built-in cluster; reports and
  // formatters read support's files
  { from: { path: '^support/' }, to: { path: '^support/' } },
  { from: { path: '^support/[^/]+\\.ts$' }, to: { path: `${o('pki', 'runtime')}|^orchestrator/cluster/kubeconfig\\.ts$` } },
  { from: { path: '^support/targets/' }, to: { path: o('cluster', 'host', 'store') } },
  { from: { path: '^steps/' }, to: { path: '^support/' } },
  // tools outside the cluster may assemble anything
  { from: { path: '^(scripts|bench|bin)/' }, to: { path: '^(orchestrator|support)/' } },
]

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import cycle: split the shared part into a module both import', from: {}, to: { circular: true } },
    {
      name: 'no-controller-imports-another',
      severity: 'error',
      comment: "a controller never imports another controller's files: what they share lives at controllers/ top level or in api/",
      from: { path: '^orchestrator/controllers/([^/]+)/' },
      to: { path: '^orchestrator/controllers/[^/]+/', pathNot: '^orchestrator/controllers/$1/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that does not resolve (or a package missing from package.json)',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  allowed,
  allowedSeverity: 'error',
  options: {
    // type-only imports are imports too
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports)/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
