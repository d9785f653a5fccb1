// The client as a service gets it: built (ESM + types), packed with `npm pack`, installed from
// the tarball into an empty project, then imported by plain Node to run a job against a running
// gateway; and the project's TypeScript check sees the published types (a wrong job input is a
// type error there).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { API_TOKEN, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let stack: GatewayStack;
let project: string;

before(async () => {
  stack = await startGatewayStack();
  project = await mkdtemp(path.join(os.tmpdir(), 'pollback-client-consumer-'));
});
after(async () => {
  await stack.stop();
  await rm(project, { recursive: true, force: true });
});

test('the packed client installs into an empty project, runs a job against the gateway, and types its calls', async () => {
  await run('npm', ['run', 'build:client'], { cwd: root });
  const { stdout: packed } = await run('npm', ['pack', './packages/client', '--pack-destination', project, '--json'], { cwd: root });
  const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
  assert.deepEqual(files.map((f) => f.path).sort(), ['README.md', 'dist/index.d.ts', 'dist/index.js', 'dist/index.js.map', 'package.json']);

  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(project, filename)], { cwd: project });
  assert.deepEqual((await readdir(path.join(project, 'node_modules/@pollback/client'))).sort(), ['README.md', 'dist', 'package.json']);

  await writeFile(
    path.join(project, 'main.mjs'),
    `import { PollbackClient, PollbackApiError } from '@pollback/client';
const client = new PollbackClient({ baseUrl: process.env.GATEWAY, token: process.env.TOKEN });
const started = await client.startJob({ profile: 'task-token', title: 'from the tarball', params: { waitTime: 0.1, scenario: { resultSize: 2048 } }, completion: { mode: 'callback', timeout: '1m' } });
const result = await client.waitForResult(started.jobId, { pollIntervalMs: 100, timeoutMs: 60000 });
const file = await client.openResult(started.jobId);
const bytes = Buffer.from(await file.body.arrayBuffer()).length;
let refusal;
try { await client.getJob('no-such-job'); } catch (err) { refusal = err instanceof PollbackApiError ? err.type : String(err); }
await client.close();
console.log(JSON.stringify({ jobId: started.jobId, status: result.status, via: result.via, size: result.file?.size, bytes, refusal }));
`,
  );
  const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: project, env: { ...process.env, GATEWAY: stack.url, TOKEN: API_TOKEN } });
  const out = JSON.parse(stdout.trim()) as Record<string, unknown>;
  assert.deepEqual({ ...out, jobId: undefined }, { jobId: undefined, status: 'succeeded', via: 'callback', size: 2048, bytes: 2048, refusal: 'JobNotFound' });
  // The job really ran on this stack's worker.
  assert.equal(((await stack.client.workflow.getHandle(out.jobId as string).result()) as { status: string }).status, 'succeeded');

  // Types: the consumer's own TypeScript (the repository's compiler) against the published declarations.
  await writeFile(
    path.join(project, 'check.ts'),
    `import { PollbackClient, type JobInputJson, type JobResult } from '@pollback/client';
const client = new PollbackClient({ baseUrl: 'http://localhost:8080' });
const good: JobInputJson = { profile: 'aso-export', completion: { mode: 'poll', poll: { interval: '30s' } } };
// @ts-expect-error an unknown completion mode is refused by the types
const bad: JobInputJson = { profile: 'aso-export', completion: { mode: 'sometimes' } };
export async function f(): Promise<string | undefined> {
  const r: JobResult = await client.waitForResult((await client.startJob(good)).jobId);
  void bad;
  return r.file?.sha256;
}
`,
  );
  await writeFile(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')] }, files: ['check.ts'] }),
  );
  await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project }).catch((err: { stdout?: string }) => {
    assert.fail(`the consumer's type check failed:\n${err.stdout ?? 'no output'}`);
  });
});
