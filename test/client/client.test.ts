// The typed client against the real gateway and dev server: a service's whole conversation
// (start, follow, wait, cancel, list, download), calling back from Node, and typed errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { JobFailedError, PollbackApiError, PollbackClient, WaitTimeoutError } from '../../src/client';
import type { JobInputJson } from '../../src/contract/job-input';
import { API_TOKEN, eventually, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

let stack: GatewayStack;
let client: PollbackClient;
before(async () => {
  stack = await startGatewayStack();
  client = new PollbackClient({ baseUrl: stack.url, token: API_TOKEN });
});
after(async () => {
  await client.close();
  await stack.stop();
});

const waiting: JobInputJson = { profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' }, download: false };

async function apiError(promise: Promise<unknown>): Promise<PollbackApiError> {
  const err = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PollbackApiError, `expected PollbackApiError, got ${String(err)}`);
  return err;
}

test('startJob + waitForResult: the simulator calls back, the result comes back typed, the file streams', async () => {
  const started = await client.startJob({ profile: 'task-token', title: 'client e2e', params: { waitTime: 0.2, scenario: { resultSize: 5_000 } }, completion: { mode: 'callback', timeout: '1m' } });
  assert.equal(started.created, true);
  const result = await client.waitForResult(started.jobId, { pollIntervalMs: 100, timeoutMs: 60_000 });
  assert.equal(result.status, 'succeeded');
  assert.equal(result.via, 'callback');
  assert.ok(result.file);
  const whole = await client.openResult(started.jobId);
  assert.equal(whole.status, 200);
  const bytes = Buffer.from(await whole.body.arrayBuffer());
  assert.equal(createHash('sha256').update(bytes).digest('hex'), result.file.sha256);
  const tail = await client.openResult(started.jobId, { range: 'bytes=-100' });
  assert.equal(tail.status, 206);
  assert.ok(Buffer.from(await tail.body.arrayBuffer()).equals(bytes.subarray(-100)));
});

test('completeTask / heartbeatTask / failTask call back from Node', async () => {
  const ok = await client.startJob({ ...waiting, completion: { mode: 'callback', timeout: '1m', heartbeatTimeout: '30s' } });
  const okToken = await stack.tokenFor(ok.jobId);
  assert.deepEqual(await client.heartbeatTask(okToken), { delivered: true, accepted: true, jobId: ok.jobId });
  assert.deepEqual(await client.completeTask(okToken, { rows: 1 }), { delivered: true, accepted: true, jobId: ok.jobId });
  assert.deepEqual((await client.waitForResult(ok.jobId, { pollIntervalMs: 100 })).output, { rows: 1 });
  assert.deepEqual(await client.completeTask(okToken, { rows: 2 }), { delivered: false, accepted: false, jobId: ok.jobId, jobStatus: 'COMPLETED' });

  const bad = await client.startJob(waiting);
  await client.failTask(await stack.tokenFor(bad.jobId), 'Rejected', 'bad dataset');
  const failure = await client.waitForResult(bad.jobId, { pollIntervalMs: 100 }).then(
    () => assert.fail('expected the job to fail'),
    (e: unknown) => e,
  );
  assert.ok(failure instanceof JobFailedError);
  assert.equal(failure.state, 'failed');
  assert.equal(failure.error.type, 'RemoteJobFailed');
  assert.match(failure.error.message, /Rejected/);
});

test('getJob, listJobs and cancelJob; waitForResult gives up with WaitTimeoutError while the job goes on', async () => {
  const job = await client.startJob(waiting, { idempotencyKey: `client-${Date.now()}` });
  const view = await eventually('the job to wait', async () => {
    const v = await client.getJob(job.jobId);
    return v.status?.phase === 'waiting-callback' ? v : undefined;
  });
  assert.equal(view.state, 'running');
  await assert.rejects(client.waitForResult(job.jobId, { pollIntervalMs: 50, timeoutMs: 200 }), WaitTimeoutError);
  const listed = await eventually('the job in the list', async () => {
    const jobs = await client.listJobs({ phase: 'waiting-callback', profile: 'task-token' });
    return jobs.some((j) => j.jobId === job.jobId) ? jobs : undefined;
  });
  assert.ok(listed.every((j) => j.phase === 'waiting-callback'));
  assert.deepEqual(await client.cancelJob(job.jobId), { jobId: job.jobId, cancelRequested: true, state: 'running' });
  const ended = await client.waitForResult(job.jobId, { pollIntervalMs: 100 }).then(
    () => assert.fail('a cancelled job has no result'),
    (e: unknown) => e,
  );
  assert.ok(ended instanceof JobFailedError);
  assert.equal(ended.state, 'cancelled');
});

test('refusals are PollbackApiError typed from problem+json', async () => {
  const missing = await apiError(client.getJob('no-such-job'));
  assert.deepEqual([missing.status, missing.type], [404, 'JobNotFound']);
  const forged = await apiError(client.completeTask('pb1.k1.e30.AAAA', {}));
  assert.deepEqual([forged.status, forged.type], [401, 'InvalidToken']);
  const invalid = await apiError(client.startJob({ profile: 'task-token', completion: { mode: 'poll', timeout: 'soon' } }));
  assert.deepEqual([invalid.status, invalid.type], [400, 'InvalidRequest']);
  assert.match(invalid.detail ?? '', /completion\.timeout/);
  const anonymous = new PollbackClient({ baseUrl: stack.url });
  try {
    const unauthorized = await apiError(anonymous.listJobs());
    assert.deepEqual([unauthorized.status, unauthorized.type], [401, 'Unauthorized']);
  } finally {
    await anonymous.close();
  }
});

test('a 429 is retried after Retry-After; with retries off it surfaces as RateLimited', async () => {
  const limited = await stack.extraGateway({ rateLimit: { max: 1, windowMs: 1_000 } });
  const patient = new PollbackClient({ baseUrl: limited.url, retries: 3 });
  const impatient = new PollbackClient({ baseUrl: limited.url, retries: 0 });
  const forged = 'pb1.k1.e30.AAAA';
  try {
    assert.equal((await apiError(patient.heartbeatTask(forged))).type, 'InvalidToken');
    // The window is used up: this call is refused once, waits as told, then goes through.
    assert.equal((await apiError(patient.heartbeatTask(forged))).type, 'InvalidToken');
    const metrics = await (await fetch(`${limited.url}/metrics`)).text();
    assert.match(metrics, /pollback_callbacks_total\{kind="task",outcome="RateLimited"\} 1\n/);
    assert.match(metrics, /pollback_callbacks_total\{kind="task",outcome="InvalidToken"\} 2\n/);
    await impatient.heartbeatTask(forged).catch(() => undefined);
    const refused = await apiError(impatient.heartbeatTask(forged));
    assert.deepEqual([refused.status, refused.type], [429, 'RateLimited']);
    assert.ok((refused.retryAfterSeconds ?? 0) > 0);
  } finally {
    await Promise.all([patient.close(), impatient.close()]);
    await limited.close();
  }
});

test('recurring jobs: create, read, pause, resume, trigger, list, delete; a taken id is a typed ScheduleExists', async () => {
  const id = `client-schedule-${Date.now()}`;
  const job: JobInputJson = { profile: 'aso-export', params: { reportId: '9', scenario: { durationMs: 50, resultSize: 512 } }, completion: { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1 } } };
  const created = await client.createSchedule({ id, spec: { interval: '1h' }, paused: true, job });
  assert.equal(created.scheduleId, id);
  assert.equal((await apiError(client.createSchedule({ id, spec: { interval: '1h' }, job }))).type, 'ScheduleExists');
  assert.equal((await client.getSchedule(id)).paused, true);
  assert.equal((await client.resumeSchedule(id, 'go')).paused, false);
  assert.equal((await client.pauseSchedule(id, 'stop')).note, 'stop');
  await client.triggerSchedule(id);
  const run = await eventually('the triggered run', async () => (await client.getSchedule(id)).recentRuns[0]?.jobId);
  assert.equal((await client.waitForResult(run, { pollIntervalMs: 100 })).file?.size, 512);
  assert.ok((await client.listSchedules({ limit: 200 })).some((s) => s.scheduleId === id));
  await client.deleteSchedule(id);
  assert.equal((await apiError(client.getSchedule(id))).type, 'ScheduleNotFound');
});
