// The image's commands and health check, run as the containers run them (without Docker): the
// roles of `dist/gateway/main.js` / `dist/worker.js`, run here from their sources through tsx
// (test/deploy/build.test.ts runs the compiled build) with the compose file's environment, probed by `node deploy/healthcheck.mjs <role>`, stopped with SIGTERM. The worker
// test needs the run's Temporal dev server (`npm run test:run -- test/deploy/healthcheck.test.ts`)
// and is skipped without one.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { environmentOf, interpolate, loadCompose, root, serviceRunning } from './support';

const SCRIPT = 'deploy/healthcheck.mjs';
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() };

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const healthcheck = (role: string, env: Record<string, string>) => run([SCRIPT, role], env);

async function listen(status: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? status : 404, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function until(what: string, probe: () => Promise<Outcome>, timeoutMs: number): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  let last: Outcome | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.code === 0) return last;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  assert.fail(`${what} within ${timeoutMs} ms; last answer: ${last?.stderr || last?.stdout}`);
}

/** Starts one of the image's roles the way docker-compose.yml does. */
function startRole(file: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stopWithSigterm(role: ReturnType<typeof startRole>, timeoutMs: number): Promise<number | null> {
  role.child.kill('SIGTERM');
  const timer = setTimeout(() => role.child.kill('SIGKILL'), timeoutMs);
  const code = await role.exited;
  clearTimeout(timer);
  return code;
}

/** The compose file's environment for a role, `${…}` resolved with test values. */
function composeEnv(file: string, overrides: Record<string, string>): Record<string, string> {
  const [entry] = serviceRunning(loadCompose(), file);
  assert.ok(entry, `no service runs ${file}`);
  const operator = {
    POLLBACK_TOKEN_KEYS: 'k1:test-key-one-0123456789abcdefghijklmnop',
    POLLBACK_API_TOKENS: 'test-api-token-0123456789abcdef',
    POLLBACK_PUBLIC_URL: 'http://127.0.0.1:9',
  };
  const env: Record<string, string> = {};
  for (const [name, raw] of environmentOf(entry[1])) if (raw !== null) env[name] = interpolate(raw, operator);
  return { ...env, ...overrides };
}

test('gateway check: healthy on 200 from /healthz, unhealthy on 503 or nothing listening', async () => {
  const ok = await listen(200);
  const bad = await listen(503);
  try {
    const healthy = await healthcheck('gateway', { PORT: String(ok.port) });
    assert.equal(healthy.code, 0, healthy.stderr);
    assert.match(healthy.stdout, /healthy: .*\/healthz answered 200/);
    const failing = await healthcheck('gateway', { PORT: String(bad.port) });
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /answered 503/);
  } finally {
    ok.server.close();
    bad.server.close();
  }
  const closed = await listen(200);
  closed.server.close();
  const down = await healthcheck('gateway', { PORT: String(closed.port) });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /unhealthy gateway/);
});

test('an unknown role is unhealthy, with the reason', async () => {
  const outcome = await healthcheck('scheduler', {});
  assert.equal(outcome.code, 1);
  assert.match(outcome.stderr, /unknown role "scheduler"/);
});

test("the image's gateway command starts with the compose environment, passes its health check and drains on SIGTERM", async () => {
  const { port } = await listen(200).then(({ server, port: p }) => new Promise<{ port: number }>((r) => server.close(() => r({ port: p }))));
  const downloads = await mkdtemp(path.join(os.tmpdir(), 'pollback-deploy-'));
  // Temporal is not needed: the gateway connects lazily (/healthz answers, /readyz says 503).
  // The gateway reads the profiles' callback sections from the same folder as the workers.
  const env = composeEnv('dist/gateway/main.js', { PORT: String(port), HOST: '127.0.0.1', TEMPORAL_ADDRESS: '127.0.0.1:9', POLLBACK_DOWNLOAD_DIR: downloads, POLLBACK_PROFILES_DIR: path.join(root, 'deploy/config/profiles') });
  const gateway = startRole('src/gateway/main.ts', env);
  try {
    await until('the gateway health check passes', () => healthcheck('gateway', { PORT: String(port), HOST: '127.0.0.1' }), 30_000);
    assert.equal(await stopWithSigterm(gateway, 30_000), 0, `the gateway did not exit 0 on SIGTERM:\n${gateway.output()}`);
  } finally {
    gateway.child.kill('SIGKILL');
    await rm(downloads, { recursive: true, force: true });
  }
});

test(
  "the image's worker command polls its task queue (health check passes) and stops on SIGTERM",
  { skip: process.env.TEMPORAL_ADDRESS ? false : 'needs the Temporal dev server: npm run test:run -- test/deploy/healthcheck.test.ts', timeout: 120_000 },
  async () => {
    const address = process.env.TEMPORAL_ADDRESS as string;
    const taskQueue = `deploy-health-${process.pid}-${Date.now()}`;
    const downloads = await mkdtemp(path.join(os.tmpdir(), 'pollback-deploy-'));
    const env = composeEnv('dist/worker.js', { TEMPORAL_ADDRESS: address, POLLBACK_TASK_QUEUE: taskQueue, POLLBACK_DOWNLOAD_DIR: downloads, POLLBACK_PROFILES_DIR: path.join(root, 'deploy/config/profiles') });
    const worker = startRole('src/worker.ts', env);
    try {
      // Before the worker polls (it bundles its workflow code first) the check fails, naming the queue.
      const early = await healthcheck('worker', { TEMPORAL_ADDRESS: address, POLLBACK_TASK_QUEUE: `${taskQueue}-nobody` });
      assert.equal(early.code, 1);
      assert.match(early.stderr, /no poller of @.* on task queue "deploy-health-.*-nobody"/);
      const healthy = await until('the worker health check passes', () => healthcheck('worker', { TEMPORAL_ADDRESS: address, POLLBACK_TASK_QUEUE: taskQueue }), 90_000);
      assert.match(healthy.stdout, new RegExp(`@${os.hostname()} polls "${taskQueue}"`));
      assert.equal(await stopWithSigterm(worker, 30_000), 0, `the worker did not exit 0 on SIGTERM:\n${worker.output()}`);
    } finally {
      worker.child.kill('SIGKILL');
      await rm(downloads, { recursive: true, force: true });
    }
  },
);
