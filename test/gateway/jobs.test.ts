// The job API against the real dev server: auth, start (idempotent), read, list, cancel, and
// the job metrics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jobIdForKey } from '../../src/gateway/jobs/start-job';
import type { JobInputJson } from '../../src/contract/job-input';
import type { JobSummary, JobView } from '../../src/gateway/jobs/job-view';
import { API_TOKEN, eventually, metricValue, scrape, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

let stack: GatewayStack;
const testStarted = Date.now();
before(async () => {
  stack = await startGatewayStack();
});
after(async () => {
  await stack.stop();
});

/** A job that waits until the test calls back (the simulator's own callback is dropped). */
const waiting = (title: string): JobInputJson => ({
  profile: 'task-token',
  title,
  params: { waitTime: 0.1, scenario: { callback: 'drop' } },
  completion: { mode: 'callback', timeout: '2m' },
  download: false,
});

async function startJob(input: JobInputJson, key?: string) {
  const answer = await stack.api('POST', '/v1/jobs', { body: input, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body as { jobId: string; runId: string; created: boolean; statusUrl: string; webUiUrl: string };
}

async function view(jobId: string): Promise<JobView> {
  const answer = await stack.api('GET', `/v1/jobs/${jobId}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as JobView;
}

async function complete(jobId: string, output: unknown): Promise<void> {
  const answer = await stack.api('POST', '/v1/tasks/success', { body: { taskToken: await stack.tokenFor(jobId), output }, token: null });
  assert.equal(answer.status, 200);
}

test('the job API wants the bearer token; callbacks and probes do not', async () => {
  for (const token of [null, 'wrong-token-0123456789abcdef', `${API_TOKEN}x`]) {
    const answer = await stack.api('GET', '/v1/jobs', { token });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.type, 'Unauthorized');
    assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
  }
  assert.equal((await stack.api('POST', '/v1/jobs', { body: waiting('no auth'), token: null })).status, 401);
  assert.equal((await stack.api('GET', '/healthz', { token: null })).status, 200);
  assert.equal((await stack.api('GET', '/readyz', { token: null })).status, 200);
  assert.equal((await stack.api('POST', '/v1/tasks/heartbeat', { body: { taskToken: 'pb1.k1.e30.AAAA' }, token: null })).body.type, 'InvalidToken');
});

test('POST /v1/jobs starts an asyncJob: 202, links, Web UI texts, the input exactly as sent', async () => {
  const input = waiting('Quarterly export');
  const started = await startJob(input);
  assert.equal(started.created, true);
  assert.equal(started.statusUrl, `/v1/jobs/${started.jobId}`);
  assert.equal(started.webUiUrl, `http://ui.test:8233/namespaces/default/workflows/${started.jobId}`);
  const handle = stack.client.workflow.getHandle(started.jobId);
  const description = await handle.describe();
  assert.equal(description.type, 'asyncJob');
  assert.equal(description.taskQueue, stack.taskQueue);
  assert.equal(await description.staticSummary(), 'Quarterly export (callback)');
  assert.match((await description.staticDetails()) ?? '', /\*\*Profile:\*\* task-token/);
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  assert.ok(payload);
  assert.deepEqual(JSON.parse(Buffer.from(payload).toString('utf8')), input, 'the workflow gets what was sent, not the schema defaults');
  await complete(started.jobId, 'done');
});

test('an invalid body is a 400 naming the field, and nothing is started', async () => {
  const key = `bad-input-${Date.now()}`;
  const answer = await stack.api('POST', '/v1/jobs', { body: { profile: 'task-token', completion: { mode: 'sometimes' } }, headers: { 'idempotency-key': key } });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.type, 'InvalidRequest');
  assert.match(answer.body.detail as string, /completion\.mode/);
  await assert.rejects(stack.client.workflow.getHandle(jobIdForKey(key)).describe(), /not found/i);
});

test('Idempotency-Key: a repeat, also concurrent and also after the job finished, returns the same job', async () => {
  const key = `order-${Date.now()}`;
  const input = waiting('idempotent');
  const before = metricValue(await scrape(stack.url), 'pollback_jobs_started_total') ?? 0;
  const answers = await Promise.all([startJob(input, key), startJob(input, key), startJob(input, key)]);
  assert.equal(new Set(answers.map((a) => a.jobId)).size, 1);
  assert.equal(new Set(answers.map((a) => a.runId)).size, 1);
  assert.equal(answers.filter((a) => a.created).length, 1, 'exactly one request created the job');
  const jobId = answers[0]?.jobId ?? '';
  assert.equal(jobId, jobIdForKey(key));
  await complete(jobId, 'once');
  await stack.client.workflow.getHandle(jobId).result();
  const again = await startJob(input, key);
  assert.deepEqual([again.jobId, again.runId, again.created], [jobId, answers[0]?.runId, false]);
  const { count } = await stack.client.workflow.count(`WorkflowId = "${jobId}"`);
  assert.equal(count, 1, 'one execution, never a second one');
  const after = metricValue(await scrape(stack.url), 'pollback_jobs_started_total') ?? 0;
  assert.equal(after - before, 1);

  const reused = await stack.api('POST', '/v1/jobs', { body: { ...input, title: 'something else' }, headers: { 'idempotency-key': key } });
  assert.equal(reused.status, 422);
  assert.equal(reused.body.type, 'IdempotencyKeyReused');
});

test('GET /v1/jobs/:id: live status while running, result once succeeded, typed error once failed', async () => {
  const ok = await startJob(waiting('read me'));
  const running = await eventually('the job to be waiting', async () => {
    const v = await view(ok.jobId);
    return v.status?.phase === 'waiting-callback' ? v : undefined;
  });
  assert.equal(running.state, 'running');
  assert.equal(running.profile, 'task-token');
  assert.equal(running.summary, 'read me (callback)');
  assert.equal(running.status?.mode, 'callback');
  assert.equal(running.links.result, undefined);
  await complete(ok.jobId, { rows: 3 });
  await stack.client.workflow.getHandle(ok.jobId).result();
  const done = await view(ok.jobId);
  assert.equal(done.state, 'succeeded');
  assert.deepEqual(done.result?.output, { rows: 3 });
  assert.equal(done.result?.via, 'callback');
  assert.equal(done.links.result, `/v1/jobs/${ok.jobId}/result`);

  const bad = await startJob(waiting('fail me'));
  const fail = await stack.api('POST', '/v1/tasks/failure', { body: { taskToken: await stack.tokenFor(bad.jobId), error: 'Boom', cause: 'why' }, token: null });
  assert.equal(fail.status, 200);
  await assert.rejects(stack.client.workflow.getHandle(bad.jobId).result());
  const failed = await view(bad.jobId);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.error?.type, 'RemoteJobFailed');
  assert.match(failed.error?.message ?? '', /Boom/);

  const missing = await stack.api('GET', '/v1/jobs/no-such-job');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.type, 'JobNotFound');
});

test('GET /v1/jobs lists jobs filtered by phase, profile and state through search attributes', async () => {
  const waitingJob = await startJob(waiting('listed, waiting'));
  const finished = await startJob(waiting('listed, finished'));
  await complete(finished.jobId, 'x');
  await stack.client.workflow.getHandle(finished.jobId).result();
  const listed = async (qs: string): Promise<JobSummary[]> => ((await stack.api('GET', `/v1/jobs?${qs}`)).body as { jobs: JobSummary[] }).jobs;
  // Visibility is eventually consistent: wait until it shows the waiting job and no longer the finished one.
  const waitingOnes = await eventually('the phase filter to show the waiting job only', async () => {
    const jobs = await listed('phase=waiting-callback&profile=task-token');
    return jobs.some((j) => j.jobId === waitingJob.jobId) && !jobs.some((j) => j.jobId === finished.jobId) ? jobs : undefined;
  });
  assert.ok(waitingOnes.every((j) => j.phase === 'waiting-callback' && j.profile === 'task-token' && j.state === 'running'));
  const succeeded = await eventually('the finished job in the state filter', async () => {
    const jobs = await listed('state=succeeded');
    return jobs.some((j) => j.jobId === finished.jobId) ? jobs : undefined;
  });
  assert.ok(succeeded.every((j) => j.state === 'succeeded'));
  assert.deepEqual(await listed('profile=no-such-profile'), []);
  assert.equal((await listed('limit=1')).length, 1);
  const badFilter = await stack.api('GET', '/v1/jobs?phase=sleeping');
  assert.equal(badFilter.status, 400);
  assert.match(badFilter.body.detail as string, /phase/);
  await complete(waitingJob.jobId, 'x');
  await stack.client.workflow.getHandle(waitingJob.jobId).result();
});

test('DELETE /v1/jobs/:id cancels a running job; a repeat is answered with the recorded state', async () => {
  const job = await startJob(waiting('cancel me'));
  await eventually('the job to wait', async () => ((await view(job.jobId)).status?.phase === 'waiting-callback' ? true : undefined));
  const cancelled = await stack.api('DELETE', `/v1/jobs/${job.jobId}`);
  assert.equal(cancelled.status, 202);
  assert.deepEqual(cancelled.body, { jobId: job.jobId, cancelRequested: true, state: 'running' });
  const ended = await eventually('the job to end', async () => {
    const v = await view(job.jobId);
    return v.state !== 'running' ? v : undefined;
  });
  assert.equal(ended.state, 'cancelled');
  assert.equal(ended.error?.type, 'Cancelled');
  const again = await stack.api('DELETE', `/v1/jobs/${job.jobId}`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, { jobId: job.jobId, cancelRequested: false, state: 'cancelled' });
  assert.equal((await stack.api('DELETE', '/v1/jobs/no-such-job')).status, 404);
});

test('/metrics: jobs waiting and the age of the oldest, read from visibility on scrape', async () => {
  // Nothing else runs on this file's task queue by now but what this test starts.
  const first = await startJob(waiting('metrics 1'));
  const second = await startJob(waiting('metrics 2'));
  const text = await eventually('both jobs counted as waiting', async () => {
    const body = await scrape(stack.url);
    return metricValue(body, 'pollback_jobs_waiting') === 2 ? body : undefined;
  });
  const age = metricValue(text, 'pollback_oldest_waiting_job_age_seconds');
  assert.ok(age !== undefined && age >= 0 && age <= (Date.now() - testStarted) / 1000, `age ${age}`);
  await Promise.all([complete(first.jobId, 1), complete(second.jobId, 2)]);
  await eventually('no job waiting', async () => {
    const body = await scrape(stack.url);
    return metricValue(body, 'pollback_jobs_waiting') === 0 ? body : undefined;
  });
});
