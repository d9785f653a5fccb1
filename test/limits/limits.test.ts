// Limits per API, end to end: two real worker processes (src/worker.ts, as production starts
// them) share one task queue and discover the limited profiles in their profiles folder; the
// real simulator counts what reaches it. The same jobs against the same API without limits show
// what the limits hold back, so no assertion here could pass with the limits gone.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { testClient } from '../helpers/temporal';
import { logLines, logMessages } from '../helpers/log-lines';
import { apiTaskQueueName, runLroJobs, startWorkerProcess, waitForPollers, writeLroProfile, type LimitsRun, type WorkerProcess } from '../helpers/limits';

const CONCURRENCY = 4;
const PER_SECOND = 4;
// The server keeps the rate with a token bucket per task-queue partition (a burst of about one
// second's worth after a pause), and on a busy 2-core machine requests reach the simulator
// bunched by scheduling: counted over five seconds the rate is seen past both. Five seconds'
// worth, plus the burst, plus twice that as slack (without limits the same jobs send all 60
// requests within five seconds).
const FIVE_SECONDS_TOLERANCE = 5 * PER_SECOND + 3 * PER_SECOND;
const JOBS = 20;

let sim: Simulator;
let client: Client;
let tmp: string;
let workers: WorkerProcess[] = [];
const taskQueue = `test-limits-${randomUUID()}`;
let unlimited: LimitsRun;

before(async () => {
  sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  client = await testClient();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-limits-'));
  const profiles = path.join(tmp, 'profiles');
  await mkdir(profiles);
  await writeLroProfile(profiles, 'lro-unlimited');
  await writeLroProfile(profiles, 'lro-concurrency', { concurrency: CONCURRENCY });
  await writeLroProfile(profiles, 'lro-rate', { perSecond: PER_SECOND });
  const env = {
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '',
    POLLBACK_TASK_QUEUE: taskQueue,
    POLLBACK_PROFILES_DIR: profiles,
    POLLBACK_WORKER_PROCESSES: '2',
    POLLBACK_DOWNLOAD_DIR: path.join(tmp, 'downloads'),
    SIMULATOR_URL: sim.url,
    SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken,
  };
  workers = [startWorkerProcess(env), startWorkerProcess(env)];
  await waitForPollers(client, taskQueue, 2, 'workflow', workers);
  for (const profile of ['lro-concurrency', 'lro-rate']) await waitForPollers(client, apiTaskQueueName(taskQueue, profile), 2, 'activity', workers);
  assert.match(logMessages(workers[0]?.output() ?? ''), /limits: lro-concurrency → task queue "[^"]+-api-lro-concurrency": ≤ 4 in flight \(2 here × 2 processes\)/);
  unlimited = await runLroJobs({ client, simUrl: sim.url, taskQueue, profile: 'lro-unlimited', jobs: JOBS, latencyMs: 400 });
  console.log('without limits:', JSON.stringify(unlimited));
  assert.equal(unlimited.succeeded, JOBS);
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await client?.connection.close();
  await sim?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('limits: a profile\'s requests in flight never exceed its concurrency, across two worker processes', async () => {
  // Without limits the same jobs overlap far more: the limit below is what holds them back.
  assert.ok((unlimited.load?.maxInFlight ?? 0) > CONCURRENCY, `without limits ${unlimited.load?.maxInFlight} were in flight at once`);
  const run = await runLroJobs({ client, simUrl: sim.url, taskQueue, profile: 'lro-concurrency', jobs: JOBS, latencyMs: 400 });
  console.log('concurrency limit:', JSON.stringify(run));
  assert.equal(run.succeeded, JOBS);
  assert.equal(run.load?.requests, unlimited.load?.requests, 'the same requests were made');
  assert.ok((run.load?.maxInFlight ?? Infinity) <= CONCURRENCY, `${run.load?.maxInFlight} requests were in flight at once (limit ${CONCURRENCY})`);
  // Both processes served the limited queue: each alone would allow only 2 at once.
  assert.ok((run.load?.maxInFlight ?? 0) > CONCURRENCY / 2, `at most ${run.load?.maxInFlight} in flight: the second worker never helped`);
});

test('limits: a profile\'s requests per second stay within its rate, across two worker processes', async () => {
  assert.ok((unlimited.load?.maxPer5Seconds ?? 0) > FIVE_SECONDS_TOLERANCE, `without limits only ${unlimited.load?.maxPer5Seconds} requests arrived within five seconds`);
  const run = await runLroJobs({ client, simUrl: sim.url, taskQueue, profile: 'lro-rate', jobs: JOBS, latencyMs: 20 });
  console.log('rate limit:', JSON.stringify(run));
  assert.equal(run.succeeded, JOBS);
  assert.equal(run.load?.requests, unlimited.load?.requests, 'the same requests were made');
  assert.ok((run.load?.maxPer5Seconds ?? Infinity) <= FIVE_SECONDS_TOLERANCE, `${run.load?.maxPer5Seconds} requests within five seconds (limit ${PER_SECOND}/s)`);
});

test('limits: a limited profile\'s remote calls are scheduled on its own task queue, the rest on the worker\'s', async () => {
  const started = await client.workflow.start('asyncJob', {
    taskQueue,
    workflowId: `limits-probe-${randomUUID()}`,
    args: [{ profile: 'lro-concurrency', params: { dataset: 'd', format: 'csv', scenario: JSON.stringify({ durationMs: 0 }) }, completion: { mode: 'poll', poll: { interval: '500ms' } } }],
  });
  await started.result();
  const history = await started.fetchHistory();
  const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[e.activityTaskScheduledEventAttributes.activityType?.name, e.activityTaskScheduledEventAttributes.taskQueue?.name]] : []));
  const apiQueue = apiTaskQueueName(taskQueue, 'lro-concurrency');
  assert.deepEqual(scheduled, [['startRemoteJob', apiQueue], ['readRemoteStatus', apiQueue], ['downloadResult', apiQueue]]);
  const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes).length;
  assert.ok(markers >= 2, 'the patch marker and the recorded task-queue look-up');
});

test('limits: SIGTERM drains every worker of a process, the limited APIs\' included, and it exits cleanly', async () => {
  const codes = await Promise.all(workers.map((w) => w.stop()));
  assert.deepEqual(codes, [0, 0], workers.map((w) => w.output()).join('\n---\n'));
  for (const worker of workers) {
    for (const queue of [taskQueue, apiTaskQueueName(taskQueue, 'lro-concurrency'), apiTaskQueueName(taskQueue, 'lro-rate')]) {
      assert.ok(logLines(worker.output()).some((line) => line.taskQueue === queue && line.state === 'STOPPED'), `${queue} stopped`);
    }
  }
});
