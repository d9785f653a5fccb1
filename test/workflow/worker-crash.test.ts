// A worker killed with SIGKILL in the middle of a download: the job resumes on another worker
// from the bytes already on disk (Range + If-Range), and the file ends whole.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { WORKFLOW_TYPE, type JobResult } from '../../src/contract';
import { startSimulator, type Simulator } from '../../src/simulator';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { startTestWorker, testClient, type TestWorker } from '../helpers/temporal';

const root = path.resolve(__dirname, '../..');
let child: ChildProcess | undefined;
let sim: Simulator | undefined;
let rescuer: TestWorker | undefined;
after(async () => {
  child?.kill('SIGKILL');
  await rescuer?.stop();
  await sim?.close();
});

/** The real worker entry point (`npm run worker`) as a separate process, so it can really die. */
async function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/worker.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('pollback worker:')) resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return proc;
}

test('a worker killed mid-download: the job resumes on another worker from its offset', async () => {
  sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  const taskQueue = `crash-${randomUUID()}`;
  const downloadDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-crash-'));
  const env = { SIMULATOR_URL: sim.url, SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken, SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey };
  child = await spawnWorker({ ...env, POLLBACK_TASK_QUEUE: taskQueue, POLLBACK_DOWNLOAD_DIR: downloadDir, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' });

  const client = await testClient();
  const size = 900_000_000;
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `crash-${randomUUID()}`,
    args: [{ profile: 'aso-export', params: { reportId: 'crash', scenario: { durationMs: 50, resultSize: size } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } }],
  });
  // Kill once the server has recorded the download's progress (a heartbeat with bytes).
  let killedAt = 0;
  for (let i = 0; i < 1_200 && !killedAt; i++) {
    const pending = (await handle.describe()).raw.pendingActivities?.[0];
    const recorded = pending?.heartbeatDetails?.payloads?.length ? (JSON.parse(Buffer.from(pending.heartbeatDetails.payloads[0]?.data ?? []).toString()) as { bytes: number }).bytes : 0;
    if (recorded > 0 && recorded < size) {
      child.kill('SIGKILL');
      killedAt = recorded;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(killedAt > 0, 'the worker was killed while downloading');
  rescuer = await startTestWorker({ taskQueue, downloadDir, env });
  const result = (await handle.result()) as JobResult;
  assert.ok(result.file);
  assert.equal(result.file.size, size);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(result.file.path)) hash.update(chunk as Buffer);
  assert.equal(hash.digest('hex'), result.file.sha256);
  const job = (await (await fetch(`${sim.url}/__sim/jobs/${result.remoteJobId ?? ''}`)).json()) as { counters: Record<string, number> };
  assert.equal(job.counters.downloads, 2);
  assert.equal(job.counters.rangedDownloads, 1, 'the new worker resumed from the offset on disk');
  await client.connection.close();
});
