// cucumber-js profiles. `export default` is the profile `npx cucumber-js` uses; each named
// export is a profile for `-p <name>`. Arrays given on the command line are appended to the
// profile's, except feature paths, which replace the profile's (below); tags are AND-ed.
// Profiles select scenarios by tags and capabilities, never by file, so new features join them
// without edits here; and by language, because a language is a property of the file
// (`# language: ar`), not of a scenario: `ar` runs the Arabic editions (features/ar/), every
// other profile the English features. The two editions check the same things:
// support/twins.test.ts proves each Arabic scenario binds the same step bodies with the same
// arguments as its English twin, and `npm test` runs both, strictly (ci, then ar).
//
//   default  the embedded reference cluster (simulated runtime, memory store); scenarios whose
//            capability this machine cannot serve are skipped, with the reason printed at the end
//   docker   only scenarios tagged @docker (real containers), strictly
//   etcd     only scenarios tagged @etcd (a real etcd cluster), strictly
//   ci       everything, strictly (a missing capability fails), three workers; JUnit XML, Cucumber
//            HTML, messages and Allure results under reports/
//   cluster  any Kubernetes API named by KUBECONFIG; scenarios that need what its target
//            configuration (OCK_TARGET_CONFIG) does not give (@faults: a fault provider; @audit:
//            an audit log file; @docker: the kit's images; @store, @etcd: the cluster's etcd) or
//            the built-in orchestrator's own doors (@trace, @runtime, @config, @load) are
//            skipped, each with its reason
//   ar       the Arabic editions (features/ar/, the course's own language), on the embedded
//            reference cluster, strictly (a missing capability fails), three workers; Cucumber
//            HTML, messages and Allure results under reports/
//   mutants  what `npm run test:mutants` runs in each mutant's copy of the tree: strictly, no
//            reports (below)
//   explain  what `npx ock explain <ID> --run` runs: the command names the features, the tags and
//            where the messages go; the profile writes no report (the other profiles' stay as
//            they are) and attaches each sequence diagram as text too, for the terminal
//
// Every profile writes reports/<profile>/messages.ndjson and reports/<profile>/cucumber.html
// and refreshes the conformance matrix (reports/conformance.md and .html) across the profiles
// that have run. `npm run report` rebuilds the matrix and the Allure report.
// The configuration is cloned into parallel workers: plain data only (no functions).

// Feature files or folders named on the command line (`npx cucumber-js -p ar
// features/ar/etcd/leader.feature:12`) replace a profile's own paths: cucumber-js would add them
// to the profile's, and run every feature of the profile besides the one named.
const namedPaths = process.argv.slice(2).some((a) => !a.startsWith('-') && /(^|\/)features(\/|$)|\.feature(:\d+)*$/.test(a))
/** A profile's feature paths, unless the command line names its own. */
const pathsOf = (paths) => (namedPaths ? {} : { paths })

/**
 * The features that take longest, first (as paths under an edition's folder): cucumber-js hands
 * scenarios to its workers in path order, so the long ones start early and short ones fill the
 * end, and the workers finish together instead of one waiting for the other's last long
 * scenario. Only the order: whatever is not named here runs after these, as the globs find it.
 */
const SLOWEST_FIRST = [
  'etcd/**/*.feature',
  'cluster-architecture/masters*.feature',
  'container-orchestration/autoscaling*.feature',
  'container-orchestration/containers.feature',
  'kubernetes-features/probes.feature',
  'kubernetes-features/self-healing.feature',
  'worker-components/utilisation.feature',
  'container-orchestration/node-*.feature',
]

/** The English features (features/*.feature and every folder but ar/), the slowest first. */
const ENGLISH = [...SLOWEST_FIRST.map((p) => `features/${p}`), 'features/*.feature', 'features/!(ar)/**/*.feature']
/** The Arabic editions, in the same order. */
const ARABIC = [...SLOWEST_FIRST.map((p) => `features/ar/${p}`), 'features/ar/**/*.feature']

const common = {
  ...pathsOf(ENGLISH),
  // tsx-register.js must come first: it lets Node import the TypeScript support code and steps
  import: ['support/tsx-register.js', 'support/**/!(*.test|*.testing|*.browser).ts', 'steps/**/*.ts'],
  strict: true,
}

// A dry run (`--dry-run`, to find undefined or ambiguous steps) executes nothing: it must not
// replace a profile's reports, or the matrix would show every behavior as skipped.
const dryRun = process.argv.includes('--dry-run') || process.argv.includes('-d')

/** Console output and the reports every profile writes, under reports/<profile>/. */
function profile(name, { worldParameters, tags, paths, parallel, extraFormats = [], extraFormatOptions = {} }) {
  const dir = `reports/${name}`
  const reports = [
    ['message', `${dir}/messages.ndjson`],
    // Cucumber's HTML report, with right-to-left text rendered right (Arabic features)
    ['./support/formatters/html.js', `${dir}/cucumber.html`],
    ['./support/formatters/conformance.js', 'reports/conformance.md'],
    ...extraFormats,
  ]
  return {
    ...common,
    ...(paths ? pathsOf(paths) : {}),
    ...(tags ? { tags } : {}),
    ...(parallel ? { parallel } : {}),
    // progress bar on a terminal, dots otherwise; then skipped scenarios with their reasons
    format: ['./support/formatters/console.js', ...(dryRun ? [] : reports)],
    formatOptions: { snippetInterface: 'async-await', console: { listSkipped: !dryRun }, conformance: { profile: name }, ...extraFormatOptions },
    worldParameters,
  }
}

export default profile('default', { worldParameters: { target: 'builtin' } })

export const docker = profile('docker', { tags: '@docker', worldParameters: { target: 'builtin', strictCapabilities: true } })

export const etcd = profile('etcd', { tags: '@etcd', worldParameters: { target: 'builtin', strictCapabilities: true } })

/**
 * The Allure results a strict profile writes (reports/<name>/allure-results; `npm run report`
 * builds one Allure report from ci's and ar's): the reporter gets an output file of its own (it
 * stays empty) so it leaves stdout alone; allure-cucumberjs reads its options from the top level
 * of formatOptions.
 */
function allure(name) {
  return {
    format: ['./support/formatters/allure.js', `reports/${name}/allure-reporter.out`],
    options: {
      resultsDir: `reports/${name}/allure-results`,
      environmentInfo: { profile: name, target: 'builtin (reference orchestrator)', node: process.version, platform: `${process.platform}-${process.arch}` },
      categories: [
        { name: 'Missing capability', messageRegex: '.*cannot run this scenario.*' },
        { name: 'Rejected request nobody checked', messageRegex: '.*no step checked the rejection.*' },
        { name: 'Timed out waiting', messageRegex: '.*(within|timed out|Timeout).*' },
      ],
    },
  }
}

// every scenario builds its own cluster, so workers run them independently. Three workers on
// CI's two cores: most scenarios spend their time waiting for the cluster (a window, a back-off,
// a container), so a third keeps the cores busy (ci profile, measured on this machine: 253 s on
// 2 workers, 205 s on 3, 183-204 s on 4, where a real container's "Ready within 2s" bound failed
// once under the load); support/parallel.ts keeps scenarios on real etcd one at a time.
// Starting a worker costs a few seconds, so OCK_PARALLEL=0 runs serially
const workers = Number(process.env.OCK_PARALLEL ?? 3)

export const ci = profile('ci', {
  worldParameters: { target: 'builtin', strictCapabilities: true },
  parallel: workers,
  extraFormats: [['junit', 'reports/junit.xml'], allure('ci').format],
  extraFormatOptions: { junit: { suiteName: 'ock' }, ...allure('ci').options },
})

export const ar = profile('ar', {
  paths: ARABIC,
  worldParameters: { target: 'builtin', strictCapabilities: true },
  parallel: workers,
  extraFormats: [allure('ar').format],
  extraFormatOptions: allure('ar').options,
})

export const cluster = profile('cluster', { worldParameters: { target: 'cluster' } })

// `npm run test:mutants` (scripts/mutants.ts) runs each mutant's scenarios with this profile, in
// a copy of the tree with the mutant applied: the English features only (the Arabic editions
// bind the same step bodies with the same arguments, which support/twins.test.ts proves),
// strictly (a missing capability fails and is never counted as a kill), one worker (the runner
// runs several copies side by side), no sequence diagrams and no reports: the runner asks for
// a messages file with --format and reads the verdict from it.
export const mutants = {
  ...common,
  format: [],
  worldParameters: { target: 'builtin', strictCapabilities: true, diagrams: false },
}

export const explain = {
  import: common.import,
  strict: true,
  format: ['./support/formatters/console.js'],
  formatOptions: { snippetInterface: 'async-await', console: { listSkipped: true } },
  worldParameters: { target: 'builtin', diagramText: true },
}
