// Callbacks through the real gateway: the simulator calling back on its own, and the
// Step Functions-shaped task endpoints driven by the test, each settling a real job.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { jobFailure } from '../helpers/failures';
import { eventually, metricValue, scrape, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';
import { count, EventType, historyEvents } from '../helpers/history';
import { STATUS_QUERY, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import type { asyncJob } from '../../src/workflows/async-job';
import type { JobInputJson } from '../../src/contract/job-input';
import { mintToken, parseKeyring } from '../../src/tokens/task-token';
import { heartbeatExtendsWait } from '../helpers/remote';
import { TEST_KEYS } from '../helpers/temporal';

let stack: GatewayStack;
before(async () => {
  stack = await startGatewayStack();
});
after(async () => {
  await stack.stop();
});

const callback = { mode: 'callback', timeout: '1m' } as const;
let seq = 0;
const start = (input: JobInputJson) =>
  stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: `gw-callbacks-${Date.now()}-${seq++}`, args: [input] });
/** A job whose remote side never calls back on its own: the test is the caller. */
const silentJob = () => start({ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: callback, download: false });

test('full round trip: the simulator calls the callback URL, the job completes with its output and downloads the result', async () => {
  const handle = await start({ profile: 'task-token', params: { waitTime: 0.2 }, completion: callback });
  const result = await handle.result();
  assert.equal(result.via, 'callback');
  assert.ok(result.file, 'the result announced by the callback was downloaded');
  assert.equal(stack.sim.counters().callbacksSent >= 1, true);
  const metrics = await scrape(stack.url);
  assert.ok((metricValue(metrics, 'pollback_callbacks_total{kind="callback-url",outcome="delivered"}') ?? 0) >= 1);
  assert.ok((metricValue(metrics, 'pollback_callback_duration_seconds_count{kind="callback-url"}') ?? 0) >= 1);
});

test('POST /v1/tasks/success completes a waiting job with its output', async () => {
  const handle = await silentJob();
  const answer = await stack.api('POST', '/v1/tasks/success', { body: { taskToken: await stack.tokenFor(handle.workflowId), output: { rows: 7 } }, token: null });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { delivered: true, accepted: true, jobId: handle.workflowId });
  const result = await handle.result();
  assert.deepEqual(result.output, { rows: 7 });
  assert.equal(result.via, 'callback');
});

test('POST /v1/tasks/failure fails the job with RemoteJobFailed carrying error and cause', async () => {
  const handle = await silentJob();
  const answer = await stack.api('POST', '/v1/tasks/failure', { body: { taskToken: await stack.tokenFor(handle.workflowId), error: 'ExportFailed', cause: 'disk full' }, token: null });
  assert.equal(answer.status, 200);
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteJobFailed');
  assert.deepEqual(failure.details?.[0], { error: 'ExportFailed', cause: 'disk full', via: 'callback' });
});

test('POST /v1/tasks/heartbeat extends the wait: the callback deadline moves; without heartbeats the job times out', async () => {
  const kept = await start({ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { ...callback, heartbeatTimeout: '30s' }, download: false });
  const token = await stack.tokenFor(kept.workflowId);
  await heartbeatExtendsWait(kept, async () => {
    const beat = await stack.api('POST', '/v1/tasks/heartbeat', { body: { taskToken: token }, token: null });
    assert.equal(beat.status, 200, JSON.stringify(beat.body));
  });
  await stack.api('POST', '/v1/tasks/success', { body: { taskToken: token, output: 'done' }, token: null });
  assert.equal((await kept.result()).output, 'done');
  const dropped = await start({ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { ...callback, heartbeatTimeout: '1s' }, download: false });
  assert.equal((await jobFailure(dropped)).type, 'CallbackTimeout');
});

test('a callback for a finished job is acknowledged with its recorded outcome and changes nothing', async () => {
  const handle = await silentJob();
  const token = await stack.tokenFor(handle.workflowId);
  await stack.api('POST', `/v1/callbacks/${token}`, { body: { status: 'success', output: 'first' }, token: null });
  assert.equal((await handle.result()).output, 'first');
  for (const body of [{ status: 'success', output: 'second' }, { status: 'failure', error: 'late' }]) {
    const replay = await stack.api('POST', `/v1/callbacks/${token}`, { body, token: null });
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body, { delivered: false, accepted: false, jobId: handle.workflowId, jobStatus: 'COMPLETED' });
  }
  const sfnStyle = await stack.api('POST', '/v1/tasks/success', { body: { taskToken: token, output: 'third' }, token: null });
  assert.deepEqual(sfnStyle.body, { delivered: false, accepted: false, jobId: handle.workflowId, jobStatus: 'COMPLETED' });
  const events = await historyEvents(handle);
  assert.equal(count(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1, 'the late callbacks never reached the job');
  const metrics = await eventually('the already-finished outcome in the metrics', async () => {
    const text = await scrape(stack.url);
    return metricValue(text, 'pollback_callbacks_total{kind="callback-url",outcome="already-finished"}') === 2 ? text : undefined;
  });
  assert.equal(metricValue(metrics, 'pollback_callbacks_total{kind="task",outcome="already-finished"}'), 1);
});

test('both keys of the keyring verify (rotation): a token signed with the second key is accepted', async () => {
  const handle = await silentJob();
  const { runId } = await handle.describe();
  const signedWithK2 = mintToken(parseKeyring(TEST_KEYS, 'k2'), { workflowId: handle.workflowId, runId, expiresAt: Date.now() + 60_000 });
  assert.match(signedWithK2, /^pb1\.k2\./);
  const answer = await stack.api('POST', `/v1/callbacks/${signedWithK2}`, { body: { status: 'success', output: 'rotated' }, token: null });
  assert.equal(answer.status, 200);
  assert.equal((await handle.result()).output, 'rotated');
});

test('npm run task-token mints the token the job handed its API: an operator\'s callback with it completes the job', async () => {
  const handle = await silentJob();
  await eventually('the job waits for its callback', async () => ((await handle.query<JobStatus>(STATUS_QUERY)).phase === 'waiting-callback' ? true : undefined));
  const script = path.join(__dirname, '../../scripts/task-token.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, handle.workflowId], {
    env: { PATH: process.env.PATH ?? '', TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '', POLLBACK_TOKEN_KEYS: TEST_KEYS },
  });
  const token = stdout.trim();
  assert.equal(token, await stack.tokenFor(handle.workflowId), 'the same token the worker minted');
  const answer = await stack.api('POST', `/v1/callbacks/${token}`, { body: { status: 'success', output: { by: 'operator' } }, token: null });
  assert.equal(answer.body.delivered, true);
  assert.deepEqual((await handle.result()).output, { by: 'operator' });
});
