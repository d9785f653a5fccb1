import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_KEY, call, CallbackReceiver, download, field, type HttpResult, startSim, waitUntil } from './helpers';
import { MAX_ATTEMPTS } from '../../dev/simulator/callbacks';
import { eventually } from '../helpers/eventually';

interface Start {
  res: HttpResult;
  jobId: string;
}

async function startTask(simUrl: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Start> {
  const res = await call('POST', `${simUrl}/tasks/v1/jobs`, { headers: { ...API_KEY, ...headers }, json: body });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return { res, jobId: field(res, 'jobId') };
}

async function jobCounters(simUrl: string, jobId: string): Promise<Record<string, number>> {
  return ((await call('GET', `${simUrl}/__sim/jobs/${jobId}`)).body as { counters: Record<string, number> }).counters;
}

test('task: X-API-Key is required (401 missing, 403 wrong)', async (t) => {
  const sim = await startSim(t);
  const body = { callbackUrl: 'http://127.0.0.1:9/cb', taskToken: 'tok' };
  assert.equal((await call('POST', `${sim.url}/tasks/v1/jobs`, { json: body })).status, 401);
  assert.equal((await call('POST', `${sim.url}/tasks/v1/jobs`, { headers: { 'x-api-key': 'nope' }, json: body })).status, 403);
  assert.equal((await call('GET', `${sim.url}/tasks/v1/jobs/task-x`)).status, 401);
});

test('task: an invalid body answers 400 naming the field', async (t) => {
  const sim = await startSim(t);
  const badUrl = await call('POST', `${sim.url}/tasks/v1/jobs`, { headers: API_KEY, json: { callbackUrl: 'ftp://x/y', taskToken: 'tok' } });
  assert.equal(badUrl.status, 400);
  assert.match(badUrl.headers['content-type'] ?? '', /problem\+json/);
  assert.match(field(badUrl, 'detail'), /body\.callbackUrl/);
  const noToken = await call('POST', `${sim.url}/tasks/v1/jobs`, { headers: API_KEY, json: { callbackUrl: 'http://127.0.0.1/cb' } });
  assert.match(field(noToken, 'detail'), /body\.taskToken/);
  assert.equal(sim.counters().jobsCreated, 0);
});

test('task: success calls back after waitTime with the result URL, checksum and size', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const started = Date.now();
  const { res, jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok-1', waitTime: 0.15, scenario: { resultSize: 5000 } });
  assert.equal(field(res, 'statusUrl'), `${sim.url}/tasks/v1/jobs/${jobId}`);
  assert.equal(res.headers['x-sim-job-id'], jobId);
  const [callback] = await receiver.waitFor(1);
  assert.ok(callback);
  assert.ok(callback.at - started >= 150, `called back after ${callback.at - started} ms`);
  assert.equal(callback.headers['content-type'], 'application/json');
  const body = callback.body as { taskToken: string; status: string; output: { jobId: string; resultUrl: string; sha256: string; size: number } };
  assert.equal(body.taskToken, 'tok-1');
  assert.equal(body.status, 'success');
  assert.equal(body.output.jobId, jobId);
  assert.equal(body.output.size, 5000);
  const file = await download(body.output.resultUrl);
  assert.equal(file.status, 200);
  assert.equal(createHash('sha256').update(file.bytes).digest('hex'), body.output.sha256);
  assert.deepEqual(await jobCounters(sim.url, jobId), { idempotentReplays: 0, startRequests: 1, statusReads: 0, downloads: 1, rangedDownloads: 0, resultUrlsIssued: 0, callbacksSent: 1, callbackAttempts: 1, cancels: 0 });
});

test('task: a caller-supplied output is passed through unchanged', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.05, output: { rows: 3, tags: ['a'] } });
  const [callback] = await receiver.waitFor(1);
  assert.deepEqual(callback?.body, { taskToken: 'tok', status: 'success', output: { rows: 3, tags: ['a'] } });
});

test('task: failure calls back with error and cause', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok-f', waitTime: 0.05, status: 'failure', error: 'ReportError', cause: 'no data' });
  await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok-s', scenario: { durationMs: 50, outcome: 'failed', errorMessage: 'disk full' } });
  const callbacks = await receiver.waitFor(2);
  const byToken = new Map(callbacks.map((c) => [(c.body as { taskToken: string }).taskToken, c.body]));
  assert.deepEqual(byToken.get('tok-f'), { taskToken: 'tok-f', status: 'failure', error: 'ReportError', cause: 'no data' });
  assert.deepEqual(byToken.get('tok-s'), { taskToken: 'tok-s', status: 'failure', error: 'JobFailed', cause: 'disk full' });
});

test('task: callback "drop" never calls back, but the status endpoint has the outcome', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.05, scenario: { callback: 'drop' } });
  await sleep(250);
  assert.equal(receiver.received.length, 0);
  const status = await call('GET', `${sim.url}/tasks/v1/jobs/${jobId}`, { headers: API_KEY });
  assert.equal(field(status, 'status'), 'succeeded');
  assert.ok(field(status, 'resultUrl'));
  assert.equal(sim.counters().callbackAttempts, 0);
});

test('task: callback "duplicate" delivers the same callback twice', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.05, scenario: { callback: 'duplicate' } });
  const [first, second] = await receiver.waitFor(2);
  assert.deepEqual(second?.body, first?.body);
  await sleep(100);
  assert.equal(receiver.received.length, 2);
  assert.equal((await jobCounters(sim.url, jobId)).callbacksSent, 2);
});

test('task: callback "early" arrives at creation, before the job has finished', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const started = Date.now();
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 2, scenario: { callback: 'early' } });
  const [callback] = await receiver.waitFor(1);
  assert.ok(callback && callback.at - started < 1000);
  assert.equal((callback.body as { status: string }).status, 'success');
  assert.equal(field(await call('GET', `${sim.url}/tasks/v1/jobs/${jobId}`, { headers: API_KEY }), 'status'), 'running');
  const notReady = await call('GET', (callback.body as { output: { resultUrl: string } }).output.resultUrl);
  assert.equal(notReady.status, 404);
  assert.match(field(notReady, 'detail'), /not ready/);
});

test('task: callbackDelayMs delays the callback past the job end', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const started = Date.now();
  await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.05, scenario: { callbackDelayMs: 200 } });
  const [callback] = await receiver.waitFor(1);
  assert.ok(callback && callback.at - started >= 250, `called back after ${(callback?.at ?? 0) - started} ms`);
});

test('task: a 503 from the receiver is retried with backoff until delivered', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  receiver.answers.push(503, 503);
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.02 });
  const attempts = await receiver.waitFor(3);
  assert.deepEqual(attempts.map((a) => a.answeredWith), [503, 503, 200]);
  const gaps = [1, 2].map((i) => (attempts[i]?.at ?? 0) - (attempts[i - 1]?.at ?? 0));
  assert.ok((gaps[0] ?? 0) >= 180 && (gaps[1] ?? 0) >= 380, `gaps ${gaps.join(', ')} ms`);
  const counters = await jobCounters(sim.url, jobId);
  assert.equal(counters.callbackAttempts, 3);
  assert.equal(counters.callbacksSent, 1);
});

test('task: a 4xx from the receiver is not retried', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  receiver.answers.push(410);
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.02 });
  await receiver.waitFor(1);
  await sleep(400);
  assert.equal(receiver.received.length, 1);
  assert.deepEqual([(await jobCounters(sim.url, jobId)).callbackAttempts, sim.counters().callbacksSent], [1, 0]);
});

test('task: the status endpoint reports running, then the outcome, and counts as a status read', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  // A second of work: room for the first two reads to see it running even on a loaded machine.
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 1, scenario: { statusErrors: 1, statusErrorCode: 502 } });
  const statusUrl = `${sim.url}/tasks/v1/jobs/${jobId}`;
  const transient = await call('GET', statusUrl, { headers: API_KEY });
  assert.equal(transient.status, 502);
  assert.equal(transient.headers['retry-after'], '1');
  assert.deepEqual((await call('GET', statusUrl, { headers: API_KEY })).body, { jobId, status: 'running' });
  let reads = 2;
  type Done = { status: string; resultUrl: string; output: { resultUrl: string; sha256: string } };
  const done = await eventually('the task to finish', async () => {
    reads++;
    const body = (await call('GET', statusUrl, { headers: API_KEY })).body as Done;
    return body.status === 'running' ? undefined : body;
  });
  assert.equal(done.status, 'succeeded');
  assert.equal((await download(done.resultUrl)).headers['x-checksum-sha256'], done.output.sha256);
  assert.equal((await jobCounters(sim.url, jobId)).statusReads, reads);
});

test('task: DELETE cancels the job, and no callback follows', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  // Half a second to cancel in, even on a loaded machine; then wait past it: no callback.
  const { jobId } = await startTask(sim.url, { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.5 });
  const cancel = await call('DELETE', `${sim.url}/tasks/v1/jobs/${jobId}`, { headers: API_KEY });
  assert.equal(cancel.status, 202);
  assert.deepEqual(cancel.body, { jobId, status: 'cancelled' });
  await sleep(700);
  assert.equal(receiver.received.length, 0);
  const status = await call('GET', `${sim.url}/tasks/v1/jobs/${jobId}`, { headers: API_KEY });
  assert.equal(field(status, 'status'), 'cancelled');
  assert.equal(field(status, 'error'), 'JobCancelled');
});

test('task: a repeated Idempotency-Key returns the same job and calls back once', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const body = { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.05 };
  const first = await startTask(sim.url, body, { 'idempotency-key': 'same' });
  const again = await startTask(sim.url, body, { 'idempotency-key': 'same' });
  assert.equal(again.jobId, first.jobId);
  await receiver.waitFor(1);
  await sleep(100);
  assert.equal(receiver.received.length, 1);
  assert.deepEqual([sim.counters().jobsCreated, sim.counters().idempotentReplays], [1, 1]);
});

test('task: a job whose start response was lost still calls back, once, after the retried start', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const body = { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.05, scenario: { startErrors: 1 } };
  const lost = await call('POST', `${sim.url}/tasks/v1/jobs`, { headers: { ...API_KEY, 'idempotency-key': 'lost-start' }, json: body });
  assert.equal(lost.status, 503);
  const retried = await startTask(sim.url, body, { 'idempotency-key': 'lost-start' });
  await receiver.waitFor(1);
  await sleep(100);
  assert.equal(receiver.received.length, 1);
  assert.deepEqual([sim.counters().jobsCreated, (await jobCounters(sim.url, retried.jobId)).callbacksSent], [1, 1]);
});

test(`task: network errors are retried, then delivery gives up after ${MAX_ATTEMPTS} attempts`, async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  // Port 9 (discard) is closed on the loopback interface, so every attempt is refused.
  const { jobId } = await startTask(sim.url, { callbackUrl: 'http://127.0.0.1:9/callback', taskToken: 'tok', waitTime: 0 });
  const counters = await waitUntil(`${MAX_ATTEMPTS} callback attempts`, async () => {
    const c = await jobCounters(sim.url, jobId);
    return (c.callbackAttempts ?? 0) >= MAX_ATTEMPTS ? c : undefined;
  }, 30_000);
  await sleep(300);
  assert.deepEqual([(await jobCounters(sim.url, jobId)).callbackAttempts, counters.callbacksSent], [MAX_ATTEMPTS, 0]);
  assert.equal(receiver.received.length, 0);
});
