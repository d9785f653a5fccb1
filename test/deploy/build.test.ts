// The production build as the image and `npm run start:prod` use it: `npm run build` compiles
// src/ to dist/ with the workflow bundle made ahead; everything the compiled entry points load
// at run time is a runtime dependency (the image installs no devDependencies); and the compiled
// service runs a job end to end, loading the prebuilt bundle, and drains on SIGTERM.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { freePort } from '../../src/temporal/dev-server';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { TEST_KEYS } from '../helpers/temporal';

const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
let sim: Simulator | undefined;

before(async () => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 300_000, maxBuffer: 8 << 20 });
});
after(async () => {
  await sim?.close();
});

/** The bare package names the compiled module graph from `entries` requires. */
function packagesLoadedFrom(entries: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)) {
      if (!spec) continue;
      if (spec.startsWith('.')) {
        const target = [`${path.resolve(path.dirname(file), spec)}.js`, path.join(path.resolve(path.dirname(file), spec), 'index.js'), path.resolve(path.dirname(file), spec)].find((f) => existsSync(f) && f.endsWith('.js'));
        assert.ok(target, `${path.relative(root, file)} requires ${spec}, which the build does not have`);
        visit(target);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
        found.set(name, path.relative(root, file));
      }
    }
  };
  entries.forEach(visit);
  return found;
}

test('npm run build: the compiled service, its built-in profiles and a prebuilt workflow bundle', () => {
  for (const file of ['main.js', 'worker.js', 'gateway/main.js', 'workflow-bundle.js', 'profiles/builtin/aso-export.yaml']) {
    assert.ok(existsSync(path.join(dist, file)), `dist/${file}`);
  }
  assert.ok(!existsSync(path.join(dist, 'test')) && !existsSync(path.join(dist, 'bench')), 'only src/ is compiled');
});

test('everything the compiled worker and gateway load is a runtime dependency (the image omits devDependencies)', () => {
  const loaded = packagesLoadedFrom(['main.js', 'worker.js', 'gateway/main.js'].map((f) => path.join(dist, f)));
  assert.ok(loaded.has('@temporalio/worker') && loaded.has('fastify'), `the walk found the service's packages: ${[...loaded.keys()].join(', ')}`);
  const missing = [...loaded].filter(([name]) => !(name in pkg.dependencies)).map(([name, from]) => `${name} (required by ${from})`);
  assert.deepEqual(missing, [], 'packages the compiled service loads but package.json lists only as devDependencies (or not at all)');
});

test('npm run start:prod runs the compiled service: prebuilt workflow bundle, a callback job end to end, SIGTERM drains', async () => {
  sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const token = 'build-test-api-token-0123456789';
  // The same command as package.json's start:prod, run with node directly so SIGTERM reaches it.
  const args = (pkg.scripts['start:prod'] ?? '').split(' ').slice(1);
  assert.ok(args.includes('dist/main.js'), `start:prod runs the build: ${pkg.scripts['start:prod']}`);
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      POLLBACK_TASK_QUEUE: `build-${port}`,
      POLLBACK_TOKEN_KEYS: TEST_KEYS,
      POLLBACK_API_TOKENS: token,
      POLLBACK_PUBLIC_URL: url,
      POLLBACK_DOWNLOAD_DIR: await mkdtemp(path.join(os.tmpdir(), 'pollback-build-dl-')),
      SIMULATOR_URL: sim.url,
      SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey,
      SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken,
    },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    for (let i = 0; !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false)); i++) {
      assert.ok(i < 600 && child.exitCode === null, `not ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = await fetch(`${url}/v1/jobs`, { method: 'POST', headers, body: JSON.stringify({ profile: 'task-token', params: { waitTime: 0.2, output: { rows: 3 } }, completion: { mode: 'callback', timeout: '1m' } }) });
    assert.equal(started.status, 202, await started.clone().text());
    const { jobId } = (await started.json()) as { jobId: string };
    let job: { state: string; result?: { output?: unknown } } = { state: 'running' };
    for (let i = 0; i < 300 && job.state === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await (await fetch(`${url}/v1/jobs/${jobId}`, { headers })).json()) as typeof job;
    }
    assert.equal(job.state, 'succeeded', JSON.stringify(job));
    assert.deepEqual(job.result?.output, { rows: 3 });
    assert.match(output, /workflows bundle dist\/workflow-bundle\.js/, 'the worker loaded the prebuilt bundle instead of bundling at start');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exit, 0, output);
});
