// A worker killed with SIGKILL in the middle of a download: the job resumes on another worker
// from the bytes already on disk (Range + If-Range), and the file ends whole. Killed in the
// middle of polling: the polling activity resumes on another worker from its last heartbeat.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { STATUS_QUERY, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobResult, JobStatus } from '../../src/contract/job-status';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { EventType, historyEvents } from '../helpers/history';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { startTestWorker, testClient, type TestWorker } from '../helpers/temporal';

const root = path.resolve(__dirname, '../..');
let child: ChildProcess | undefined;
let sim: Simulator | undefined;
let rescuer: TestWorker | undefined;
const cleanups: (() => unknown)[] = [];
after(async () => {
  child?.kill('SIGKILL');
  await rescuer?.stop();
  for (const cleanup of cleanups) await cleanup();
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

test('a worker killed mid-poll: the polling activity resumes on another worker from its heartbeat details', async () => {
  sim ??= await startSimulator({ credentials: SIM_CREDENTIALS });
  const taskQueue = `crash-poll-${randomUUID()}`;
  const downloadDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-crash-poll-'));
  const env = { SIMULATOR_URL: sim.url, SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken, SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey };
  const doomed = await spawnWorker({ ...env, POLLBACK_TASK_QUEUE: taskQueue, POLLBACK_DOWNLOAD_DIR: downloadDir, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' });
  cleanups.push(() => doomed.kill('SIGKILL'));
  const client = await testClient();
  cleanups.push(() => client.connection.close());
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `crash-poll-${randomUUID()}`,
    args: [{ profile: 'aso-export', params: { reportId: 'crash-poll', scenario: { completeAfterReads: 150 } }, completion: { mode: 'poll', poll: { interval: 50, backoff: 1 } }, download: false }],
  });
  type Beat = { polls: number; lastStatus?: string; nextPollAt: string; since: string };
  const pendingPoll = async (): Promise<{ attempt: number; beat?: Beat } | undefined> => {
    const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'pollUntilDone');
    if (!pending) return undefined;
    const data = pending.heartbeatDetails?.payloads?.[0]?.data;
    return { attempt: pending.attempt ?? 0, ...(data ? { beat: JSON.parse(Buffer.from(data).toString()) as Beat } : {}) };
  };
  const remoteJobId = async (): Promise<string> => ((await handle.query<JobStatus>(STATUS_QUERY)).remoteJobId ?? '');
  const statusReads = async (id: string): Promise<number> => ((await (await fetch(`${sim?.url ?? ''}/__sim/jobs/${id}`)).json()) as { counters: Record<string, number> }).counters.statusReads ?? 0;

  // Asked while a worker is there to answer the query.
  const id = await (async () => {
    for (let i = 0; i < 200; i++) {
      const found = await remoteJobId().catch(() => '');
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    return assert.fail('the remote job was started');
  })();
  // Kill once the server has recorded a heartbeat of at least 10 polls.
  let recorded: Beat | undefined;
  for (let i = 0; i < 400 && !recorded; i++) {
    const beat = (await pendingPoll())?.beat;
    if (beat && beat.polls >= 10) {
      doomed.kill('SIGKILL');
      recorded = beat;
    } else await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(recorded, 'the worker was killed while polling');
  assert.equal(recorded.lastStatus, 'processing');
  const readsAtKill = await statusReads(id);
  const worker = await startTestWorker({ taskQueue, downloadDir, env });
  cleanups.push(() => worker.stop());
  const result = (await handle.result()) as JobResult;
  assert.equal(result.status, 'succeeded');
  const events = await historyEvents(handle);
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && e.activityTaskStartedEventAttributes?.lastFailure?.message !== undefined);
  assert.ok((started?.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2, 'the poll activity ran a second attempt (the heartbeat timeout noticed the dead worker)');
  assert.match(started?.activityTaskStartedEventAttributes?.lastFailure?.message ?? '', /heartbeat/i);
  // The count carried on from the heartbeat: polls recorded before the kill plus every read after it.
  const readsAfter = (await statusReads(id)) - readsAtKill;
  assert.ok(result.polls >= recorded.polls + readsAfter, `${result.polls} polls; ${recorded.polls} recorded at the kill, ${readsAfter} reads after it`);
  assert.ok(result.polls <= 150);
});
