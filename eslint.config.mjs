// Type-aware lint for the whole tree, plus a fence around workflow code: workflows run in
// Temporal's deterministic sandbox, so Node built-ins and I/O libraries must never be imported
// there (they would break replay or fail the bundle at worker start).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ioModules = ['undici', 'fastify', 'fastify-*', '@fastify/*', 'yaml', '@slack/*', '@aws-sdk/*', 'pino', '@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing', '@temporalio/envconfig'];

export default tseslint.config(
  { ignores: ['node_modules/', '**/dist/', '.tools/', '.data/', 'downloads/', 'test-output/', 'bench/results/', 'bench/.before/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'Workflow code runs in the deterministic sandbox: no Node built-ins.' },
          { group: ioModules, message: 'Workflow code must not do I/O: call an activity instead.' },
        ],
        paths: ['fs', 'fs/promises', 'path', 'os', 'http', 'https', 'net', 'crypto', 'child_process', 'stream', 'url', 'util', 'events', 'timers', 'dns', 'zlib', 'worker_threads'].map((name) => ({ name, message: 'Workflow code runs in the deterministic sandbox: no Node built-ins.' })),
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'Workflow code must not read the environment.' },
        { name: 'fetch', message: 'Workflow code must not do I/O: call an activity instead.' },
        { name: 'setInterval', message: 'Use sleep() or condition() from @temporalio/workflow.' },
      ],
    },
  },
  {
    // The client ships as its own package (packages/client): it may import only itself and the
    // API contract, never the gateway's or the workflows' code.
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../*', '!../api', '!../api/*'], message: 'The client imports only src/api (the shared contract): it is built into its own package.' }],
      }],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
