// Lint rules, including the layout's dependency rules (architecture: who may import whom).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const components = ['controllers', 'scheduler', 'kubelet', 'runtime', 'proxy', 'metrics']
const TEST_FILES = ['**/*.test.ts', '**/*.testing.ts']

/** Forbids importing the given folders (relative paths that end in them). */
function forbid(folders, message) {
  return folders.map((f) => ({ group: [`**/${f}`, `**/${f}/**`], message }))
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', 'allure-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  { files: ['.dependency-cruiser.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  {
    files: ['support/formatters/*.js', 'bin/*.js', 'cucumber.js', 'eslint.config.js', 'support/tsx-register.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  // the book's script runs in the reader's browser
  {
    files: ['support/report/book/assets/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', URLSearchParams: 'readonly' } },
  },
  // The orchestrator knows nothing about Gherkin or the harness.
  {
    files: ['orchestrator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbid(['support', 'steps', 'features'], 'the orchestrator must not depend on the test harness') }],
    },
  },
  // Only the API server (and the composition root that wires it) touches the store.
  ...['api', 'admission', 'pki', 'client', ...components].map((dir) => ({
    files: [`orchestrator/${dir}/**/*.ts`],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbid(
              ['store', 'apiserver', 'cluster'],
              `orchestrator/${dir} talks to the API server through orchestrator/client; only apiserver/ touches the store and only cluster/ wires components`,
            ),
            ...forbid(['support', 'steps'], 'the orchestrator must not depend on the test harness'),
            // the kubelet acts on containers only through the ContainerRuntime interface
            // (runtime/runtime.ts), never through an implementation
            ...forbid(
              components.filter((c) => c !== dir && !(dir === 'kubelet' && c === 'runtime')),
              'components never import each other: they meet at the API server',
            ),
            ...(dir === 'kubelet'
              ? [
                  {
                    group: ['**/runtime/*/**', '**/runtime/contract*'],
                    message: 'the kubelet uses the ContainerRuntime interface (runtime/runtime.ts), not an implementation',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  })),
  // Tests (x.test.ts) and their support modules (x.testing.ts) may assemble an in-process API
  // server and store to test a component against; components still never import each other.
  ...['api', 'admission', 'pki', 'client', ...components].map((dir) => ({
    files: TEST_FILES.map((f) => `orchestrator/${dir}/${f}`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbid(['support', 'steps'], 'the orchestrator must not depend on the test harness'),
            ...forbid(
              components.filter((c) => c !== dir && !(dir === 'kubelet' && c === 'runtime')),
              'components never import each other: they meet at the API server',
            ),
          ],
        },
      ],
    },
  })),
  // chai's property assertions (`expect(x).to.be.empty`) are expressions by design
  { files: ['steps/**/*.ts', 'support/**/*.ts'], rules: { '@typescript-eslint/no-unused-expressions': 'off' } },
  // Steps speak Kubernetes through support/; they never reach into the orchestrator. They are
  // defined through steps/define.ts, which binds a step's Arabic phrasing to the same body.
  {
    files: ['steps/**/*.ts'],
    ignores: ['steps/define.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(['orchestrator'], 'steps act through the Kubernetes API (support/), never on orchestrator internals'),
          paths: [
            {
              name: '@cucumber/cucumber',
              importNames: ['Given', 'When', 'Then', 'defineStep'],
              message: "import Given / When / Then from './define.js', which also registers a step's Arabic phrasing",
            },
          ],
        },
      ],
    },
  },
)
