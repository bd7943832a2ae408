import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.js';

/** One layer's imports: the project folders and the packages it may use (docs/architecture.md). */
const layer = (files, options) => ({
  files,
  plugins: { layers },
  rules: { 'layers/allowed-imports': ['error', options] },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'scratch/',
      'test-results/',
      'coverage/',
      '.wrangler/',
      'reports/',
      '.stryker-tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/**', 'machines/**', 'server/**', 'demo/**', 'scripts/**', 'bench/**'],
    plugins: { layers },
    rules: { 'layers/no-cycle': 'error' },
  },
  layer(['src/protocol/**'], { layer: 'src/protocol', folders: ['src/protocol'], packages: [] }),
  layer(['machines/**'], { layer: 'machines', folders: ['machines', 'src/protocol'], packages: ['xstate'] }),
  layer(['src/*.ts'], {
    layer: 'the client',
    folders: ['src/*', 'src/protocol', 'machines'],
    packages: ['xstate'],
  }),
  layer(['src/diagram/**'], { layer: 'src/diagram', folders: ['src/diagram'], packages: ['xstate'] }),
  layer(['src/react/**'], {
    layer: 'src/react',
    folders: ['src/react', 'src/index.ts'],
    packages: ['react', 'xstate', '@xstate/react'],
  }),
  // A dialect plug-in of the client: it extends the client's ledger and gate, and folds the session view.
  layer(['src/lobehub/**'], {
    layer: 'src/lobehub',
    folders: ['src/lobehub', 'src/*', 'src/protocol', 'machines'],
    packages: [],
  }),
  layer(['src/ai-sdk/**'], {
    layer: 'src/ai-sdk',
    folders: ['src/ai-sdk', 'src/index.ts'],
    packages: ['ai'],
  }),
  layer(['server/**'], { layer: 'server', folders: ['server', 'src/protocol'], packages: '*' }),
  // The protocol core both engines run (Node and the Durable Object): no package, no Node module.
  layer(['server/core/**'], {
    layer: 'server/core',
    folders: ['server/core', 'src/protocol'],
    packages: [],
    nodeBuiltins: false,
  }),
  {
    // The demo, the gateway CLI, benchmarks and tests talk to a terminal.
    files: ['demo/**', 'server/cli.ts', 'bench/**', 'test/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
