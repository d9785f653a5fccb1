// Type-aware lint for the whole tree, plus a fence around workflow code: workflows run in
// Temporal's deterministic sandbox, so Node built-ins and I/O libraries must never be imported
// there (they would break replay or fail the bundle at worker start).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// The layers of src/, lowest first; a module may import from its own layer and those below.
// contract (names, schemas, types) < services (profiles, HTTP, notify, storage, codec, tokens,
// telemetry, limits, polling, temporal, config) < activities < workflows (which call activities)
// < gateway and client (which reach a job only through the contract) < the entry points.
const layer = {
  contract: ['./src/contract'],
  services: ['./src/profiles', './src/http', './src/notify', './src/storage', './src/codec', './src/tokens', './src/telemetry', './src/limits', './src/polling', './src/temporal', './src/config.ts', './src/yaml-or-json.ts'],
  activities: ['./src/activities'],
  workflows: ['./src/workflows'],
  gateway: ['./src/gateway'],
  client: ['./src/client'],
  entry: ['./src/worker.ts', './src/main.ts'],
};
const above = (...names) => names.flatMap((name) => layer[name]);
const zones = [
  { target: layer.contract, from: './src', except: ['./contract'], message: 'src/contract is the bottom layer: it imports nothing else of ours.' },
  { target: layer.services, from: above('activities', 'workflows', 'gateway', 'client', 'entry'), message: 'A service module must not import activities, workflows, the gateway, the client or an entry point.' },
  { target: layer.activities, from: above('workflows', 'gateway', 'client', 'entry'), message: 'Activities reach their workflow only through src/contract (messages, names).' },
  { target: layer.workflows, from: above('gateway', 'client', 'entry'), message: 'Workflow code must not import the gateway, the client or an entry point.' },
  { target: layer.workflows, from: './src/notify', except: ['./message.ts'], message: 'Workflow code may use only the pure message formatting of src/notify.' },
  { target: layer.gateway, from: above('activities', 'workflows', 'client', 'entry'), message: 'The gateway reaches a job only through src/contract (names, messages, schemas).' },
  { target: layer.client, from: './src', except: ['./client', './contract'], message: 'The client is its own package: it imports only src/contract.' },
  { target: './src', from: ['./dev', './scripts', './test', './bench', './chaos'], message: 'The product never imports development tools, scripts or tests.' },
];

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
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      // node:test's test()/describe() return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The contract, polling arithmetic and message formatting are bundled into workflows too.
    files: ['src/workflows/**/*.ts', 'src/contract/**/*.ts', 'src/polling/**/*.ts', 'src/notify/message.ts'],
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
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
