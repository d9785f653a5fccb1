// `npm start` as a user runs it: one process with the worker and the gateway, against a
// configured Temporal or the embedded dev server; a bad variable stops it naming the variable;
// SIGTERM drains and exits cleanly, leaving no dev server behind.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { freePort } from '../../src/temporal/dev-server';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { TEST_KEYS } from '../helpers/temporal';

const root = path.resolve(__dirname, '../..');
const children: ChildProcess[] = [];
let sim: Simulator | undefined;
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sim?.close();
});

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_CLI: process.env.TEMPORAL_CLI ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function waitReady(url: string, running: Running): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (running.child.exitCode !== null) throw new Error(`exited early:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready:\n${running.output()}`);
}

async function baseEnv(port: number): Promise<Record<string, string>> {
  sim ??= await startSimulator({ credentials: SIM_CREDENTIALS });
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    POLLBACK_API_AUTH: 'off',
    POLLBACK_TASK_QUEUE: `start-${randomUUID()}`,
    POLLBACK_DOWNLOAD_DIR: await mkdtemp(path.join(os.tmpdir(), 'pollback-start-dl-')),
    SIMULATOR_URL: sim.url,
    SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken,
    SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey,
  };
}

async function runCallbackJob(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: 'task-token', params: { waitTime: 0.2, output: { rows: 7 } }, completion: { mode: 'callback', timeout: '1m' } }),
  });
  assert.equal(res.status, 202);
  const { jobId } = (await res.json()) as { jobId: string };
  for (let i = 0; i < 300; i++) {
    const job = (await (await fetch(`${url}/v1/jobs/${encodeURIComponent(jobId)}`)).json()) as Record<string, unknown>;
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('job did not finish');
}

test('npm start against a configured Temporal: a callback job round-trips through the gateway, SIGTERM drains', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = start({ ...(await baseEnv(port)), TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '', POLLBACK_TOKEN_KEYS: TEST_KEYS, POLLBACK_PUBLIC_URL: url });
  await waitReady(url, running);
  const job = await runCallbackJob(url);
  assert.equal(job.state, 'succeeded', JSON.stringify(job));
  running.child.kill('SIGTERM');
  assert.equal(await running.exit, 0, running.output());
});

test('npm start with no TEMPORAL_ADDRESS runs the embedded dev server, keeps its state on disk, and stops it on SIGTERM', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-start-data-'));
  const running = start({ ...(await baseEnv(port)), POLLBACK_DATA_DIR: dataDir, POLLBACK_DEV_SERVER_PORT: String(await freePort()), POLLBACK_DEV_UI_PORT: String(await freePort()) });
  await waitReady(url, running);
  assert.match(running.output(), /embedded Temporal dev server at 127\.0\.0\.1:\d+, Web UI http:\/\/127\.0\.0\.1:\d+/);
  const job = await runCallbackJob(url);
  assert.equal(job.state, 'succeeded', JSON.stringify(job));
  assert.ok(existsSync(path.join(dataDir, 'temporal.sqlite')));
  running.child.kill('SIGTERM');
  assert.equal(await running.exit, 0, running.output());
  const leftovers = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((line) => line.includes(dataDir));
  assert.deepEqual(leftovers, [], 'no orphan dev server');
});

test('a bad variable stops start-up with a message naming it', async () => {
  const running = start({ ...(await baseEnv(await freePort())), TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '', POLLBACK_TOKEN_KEYS: TEST_KEYS, POLLBACK_PUBLIC_URL: 'not a url' });
  assert.equal(await running.exit, 1);
  assert.match(running.output(), /POLLBACK_PUBLIC_URL/);
});

test('npm start with nothing configured: the embedded server gets a job-API token generated once, printed, kept across restarts; the API stays closed without it', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-start-token-'));
  const env: Record<string, string> = { ...(await baseEnv(port)), POLLBACK_DATA_DIR: dataDir, POLLBACK_DEV_SERVER_PORT: String(await freePort()), POLLBACK_DEV_UI_PORT: String(await freePort()) };
  delete env.POLLBACK_API_AUTH;
  const tokenFile = path.join(dataDir, 'api-token');
  const printedToken = (running: Running): string => {
    const token = /job API token \(generated once, kept in (.+?);.*\n\s+(\S+)/.exec(running.output());
    assert.ok(token, `the token is printed:\n${running.output()}`);
    assert.equal(token[1], tokenFile);
    return token[2] ?? '';
  };
  const first = start(env);
  await waitReady(url, first);
  const token = printedToken(first);
  assert.ok(token.length >= 32, token);
  assert.equal((await stat(tokenFile)).mode & 0o777, 0o600, 'only its owner reads the token file');
  assert.equal((await fetch(`${url}/v1/jobs`)).status, 401, 'without the token the job API refuses');
  assert.equal((await fetch(`${url}/v1/jobs`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  first.child.kill('SIGTERM');
  assert.equal(await first.exit, 0, first.output());

  const second = start(env);
  await waitReady(url, second);
  assert.equal(printedToken(second), token, 'the same token after a restart');
  second.child.kill('SIGTERM');
  assert.equal(await second.exit, 0, second.output());
});

test('npm start against a configured Temporal without POLLBACK_API_TOKENS still refuses to open the job API', async () => {
  const env = await baseEnv(await freePort());
  delete env.POLLBACK_API_AUTH;
  const running = start({ ...env, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '', POLLBACK_TOKEN_KEYS: TEST_KEYS, POLLBACK_PUBLIC_URL: 'http://127.0.0.1:1' });
  assert.equal(await running.exit, 1);
  assert.match(running.output(), /POLLBACK_API_TOKENS: required unless POLLBACK_API_AUTH=off/);
});

test('npm start with POLLBACK_PAYLOAD_KEYS: the embedded Web UI is pointed at the gateway\'s codec endpoint, which decodes for the UI\'s origin', async () => {
  const port = await freePort();
  const uiPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const key = randomBytes(32).toString('base64');
  const env: Record<string, string> = {
    ...(await baseEnv(port)),
    POLLBACK_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'pollback-start-codec-')),
    POLLBACK_DEV_SERVER_PORT: String(await freePort()),
    POLLBACK_DEV_UI_PORT: String(uiPort),
    POLLBACK_API_TOKENS: 'start-codec-token-0123456789',
    POLLBACK_PAYLOAD_KEYS: `dev1:${key}`,
  };
  delete env.POLLBACK_API_AUTH;
  const running = start(env);
  await waitReady(url, running);
  try {
    // The UI's own settings name the codec endpoint: the gateway, the API token in its path (this UI sends none).
    const settings = (await (await fetch(`${uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    assert.equal(settings.Codec?.Endpoint, `${url}/codec/start-codec-token-0123456789`);
    const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') };
    const call = (op: string, payloads: unknown[]) =>
      fetch(`${settings.Codec?.Endpoint ?? ''}/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: uiUrl }, body: JSON.stringify({ payloads }) });
    const encoded = await call('encode', [payload]);
    assert.equal(encoded.status, 200);
    assert.equal(encoded.headers.get('access-control-allow-origin'), uiUrl);
    const decoded = await call('decode', ((await encoded.json()) as { payloads: unknown[] }).payloads);
    assert.deepEqual(await decoded.json(), { payloads: [payload] });
    assert.match(running.output(), /decoding payloads through the gateway's \/codec/);
    assert.ok(!running.output().includes(key), 'the key is never printed');
  } finally {
    running.child.kill('SIGTERM');
    assert.equal(await running.exit, 0, running.output());
  }
});

test('a bad payload key stops start-up naming the variable, without printing the key', async () => {
  const short = randomBytes(16).toString('base64');
  const running = start({ ...(await baseEnv(await freePort())), TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '', POLLBACK_TOKEN_KEYS: TEST_KEYS, POLLBACK_PUBLIC_URL: 'http://127.0.0.1:1', POLLBACK_PAYLOAD_KEYS: `k1:${short}` });
  assert.equal(await running.exit, 1);
  // The refusal is the last log line, a fatal one, its message naming the variable and the key's id.
  const fatal = running.output().trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string }).find((line) => line.level === 'fatal');
  assert.match(fatal?.msg ?? '', /POLLBACK_PAYLOAD_KEYS: key "k1": 16 bytes, AES-256 needs exactly 32/);
  assert.ok(!running.output().includes(short));
});
