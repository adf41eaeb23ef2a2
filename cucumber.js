// cucumber-js profiles. `export default` is the profile `npx cucumber-js` uses; each named
// export is a profile for `-p <name>`. Arrays given on the command line are appended to the
// profile's; tags are AND-ed.
//
//   default  the embedded reference cluster (simulated runtime, memory store); scenarios whose
//            capability this machine cannot serve are skipped with the reason
//   cluster  any Kubernetes API named by KUBECONFIG; builtin-only scenarios are skipped
//   ci       everything, strictly: a missing capability fails; JUnit, HTML and messages written

const common = {
  paths: ['features/**/*.feature'],
  // tsx-register.js must come first: it lets Node import the TypeScript support code and steps
  import: ['support/tsx-register.js', 'support/**/!(*.test).ts', 'steps/**/*.ts'],
  strict: true,
  formatOptions: { snippetInterface: 'async-await' },
}

/** Reports of one profile, under reports/ (default) or reports/<name>/. */
function reports(dir, profile) {
  return {
    format: [
      ['message', `${dir}/messages.ndjson`],
      ['./support/formatters/conformance.js', `${dir}/conformance.md`],
    ],
    formatOptions: { ...common.formatOptions, conformance: { profile } },
  }
}

const defaultReports = reports('reports', 'default')

export default {
  ...common,
  ...defaultReports,
  format: ['progress-bar', ...defaultReports.format],
  worldParameters: { target: 'builtin' },
}

const clusterReports = reports('reports/cluster', 'cluster')

export const cluster = {
  ...common,
  ...clusterReports,
  format: ['progress', ...clusterReports.format],
  worldParameters: { target: 'cluster' },
}

const ciReports = reports('reports/ci', 'ci')

export const ci = {
  ...common,
  ...ciReports,
  format: ['progress', ['junit', 'reports/junit.xml'], ['html', 'reports/cucumber.html'], ...ciReports.format],
  formatOptions: { ...ciReports.formatOptions, junit: { suiteName: 'ock' } },
  worldParameters: { target: 'builtin', strictCapabilities: true },
}
