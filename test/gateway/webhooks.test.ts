// Signed webhooks (GitHub style) settling real jobs: the source file is loaded the way the
// gateway loads it at start, the job is found through its PollbackRemoteJobId search attribute.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { STATUS_QUERY, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { signBody } from '../../src/gateway/callbacks/signature';
import { loadWebhookSources, WebhookSourcesError } from '../../src/gateway/webhooks/sources';
import type { asyncJob } from '../../src/workflows/async-job';
import { jobFailure } from '../helpers/failures';
import { eventually, metricValue, request, scrape, startGatewayStack, type ApiAnswer, type GatewayStack } from '../helpers/gateway-stack';
import { count, EventType, historyEvents } from '../helpers/history';

const SECRET = 'exporter-webhook-secret-0123456789';
const SOURCES = `
sources:
  - name: exporter
    secretEnv: EXPORTER_WEBHOOK_SECRET
    correlation: { body: job.id }
    profile: task-token
    outcome:
      state: { body: job.state }
      success: [completed]
      failure: [failed]
      heartbeat: [running]
      error: { body: job.error }
`;

let stack: GatewayStack;
let dir: string;
const logLines: string[] = [];
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-webhooks-'));
  const file = path.join(dir, 'webhooks.yaml');
  await writeFile(file, SOURCES);
  const webhookSources = await loadWebhookSources(file, { EXPORTER_WEBHOOK_SECRET: SECRET });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  stack = await startGatewayStack({ webhookSources, logger: { level: 'info', stream } });
});
after(async () => {
  await stack.stop();
});

let seq = 0;
/** A waiting job and its remote id, once visibility can find it by that id. */
async function waitingJob(): Promise<{ job: WorkflowHandle<typeof asyncJob>; remoteId: string }> {
  const job = await stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `gw-webhook-${Date.now()}-${seq++}`,
    args: [{ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m', heartbeatTimeout: '20s' }, download: false }],
  });
  const remoteId = await eventually('the remote job id', async () => (await job.query<JobStatus>(STATUS_QUERY)).remoteJobId);
  await eventually('the remote id in visibility', async () => {
    const { count: n } = await stack.client.workflow.count(`PollbackRemoteJobId = "${remoteId}" AND ExecutionStatus = "Running"`);
    return n > 0 ? true : undefined;
  });
  return { job, remoteId };
}

function deliver(body: string, signature: string | undefined, source = 'exporter'): Promise<ApiAnswer> {
  return request(stack.url, 'POST', `/v1/webhooks/${source}`, { raw: body, contentType: 'application/json', headers: signature === undefined ? {} : { 'x-hub-signature-256': signature } });
}
const signed = (body: string): string => signBody(Buffer.from(SECRET), body);
const signals = async (job: WorkflowHandle): Promise<number> => count(await historyEvents(job), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);

test('a correctly signed webhook completes the waiting job, with the payload as its output', async () => {
  const { job, remoteId } = await waitingJob();
  // Signed as sent, whitespace and all: the signature covers the raw bytes.
  const body = JSON.stringify({ job: { id: remoteId, state: 'completed', rows: 12 } }, null, 2);
  const answer = await deliver(body, signed(body));
  assert.equal(answer.status, 202);
  assert.deepEqual(answer.body, { matched: true, action: 'success', jobIds: [job.workflowId] });
  const result = await job.result();
  assert.deepEqual(result.output, { job: { id: remoteId, state: 'completed', rows: 12 } });
  assert.equal(result.via, 'callback');
});

test('a bad, missing or stale signature → 401 InvalidSignature and the job is untouched', async () => {
  const { job, remoteId } = await waitingJob();
  const body = JSON.stringify({ job: { id: remoteId, state: 'completed' } });
  const wrongKey = signBody(Buffer.from('not-the-shared-secret-000000'), body);
  const forOtherBody = signed(JSON.stringify({ job: { id: remoteId, state: 'failed' } }));
  for (const signature of [wrongKey, forOtherBody, undefined, 'sha256=zz', signed(body).replace('sha256=', 'sha1=')]) {
    const answer = await deliver(body, signature);
    assert.equal(answer.status, 401, String(signature));
    assert.equal(answer.body.type, 'InvalidSignature');
  }
  assert.equal(await signals(job), 0);
  assert.equal((await job.describe()).status.name, 'RUNNING');
  await job.cancel();
});

test('an unknown correlation is answered 202 {matched:false}, touches no job, and is logged', async () => {
  const { job } = await waitingJob();
  const body = JSON.stringify({ job: { id: 'remote-id-nobody-waits-for', state: 'completed' } });
  const answer = await deliver(body, signed(body));
  assert.equal(answer.status, 202);
  assert.deepEqual(answer.body, { matched: false, jobIds: [] });
  assert.ok(logLines.some((line) => line.includes('webhook matched no running job') && line.includes('remote-id-nobody-waits-for')));
  assert.equal(await signals(job), 0);
  const metrics = await scrape(stack.url);
  assert.ok((metricValue(metrics, 'pollback_callbacks_total{kind="webhook",outcome="unmatched"}') ?? 0) >= 1);
  await job.cancel();
});

test('a failure state fails the job with the payload error; a working state heartbeats; other states change nothing', async () => {
  const { job, remoteId } = await waitingJob();
  const send = async (payload: object): Promise<ApiAnswer> => {
    const body = JSON.stringify(payload);
    return deliver(body, signed(body));
  };
  assert.deepEqual((await send({ job: { id: remoteId, state: 'queued' } })).body, { matched: true, action: 'ignored', jobIds: [job.workflowId] });
  assert.equal(await signals(job), 0);
  assert.equal((await send({ job: { id: remoteId, state: 'running' } })).body.action, 'heartbeat');
  assert.equal((await send({ job: { id: remoteId, state: 'failed', error: 'quota exceeded' } })).body.action, 'failure');
  const failure = await jobFailure(job);
  assert.equal(failure.type, 'RemoteJobFailed');
  assert.match(failure.message, /quota exceeded/);
  assert.equal(await signals(job), 2);
});

test('an unknown source → 404 WebhookSourceNotFound; a non-JSON body → 415', async () => {
  const body = '{}';
  const missing = await deliver(body, signed(body), 'nobody');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.type, 'WebhookSourceNotFound');
  const form = await request(stack.url, 'POST', '/v1/webhooks/exporter', { raw: 'payload=%7B%7D', contentType: 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415);
  assert.equal(form.body.type, 'UnsupportedMediaType');
});

test('the sources file is validated at load: errors name the file and the field', async () => {
  const file = path.join(dir, 'broken.yaml');
  await writeFile(file, SOURCES.replace('correlation: { body: job.id }', 'correlation: { bdy: job.id }'));
  await assert.rejects(loadWebhookSources(file, { EXPORTER_WEBHOOK_SECRET: SECRET }), (err: Error) => {
    assert.ok(err instanceof WebhookSourcesError);
    assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: sources\\.0\\.correlation`));
    return true;
  });
  const good = path.join(dir, 'webhooks.yaml');
  await assert.rejects(loadWebhookSources(good, {}), /webhooks\.yaml: sources\.0\.secretEnv: environment variable EXPORTER_WEBHOOK_SECRET is not set/);
  await assert.rejects(loadWebhookSources(good, { EXPORTER_WEBHOOK_SECRET: 'short' }), /sources\.0\.secretEnv: EXPORTER_WEBHOOK_SECRET is shorter than 16 bytes/);
});
