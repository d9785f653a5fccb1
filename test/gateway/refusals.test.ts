// Every refusal of a callback, each against a real waiting job: the answer is problem+json
// with a stable type, and nothing reaches the workflow (no signal in its history).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { mintToken, parseKeyring } from '../../src/tokens/task-token';
import type { asyncJob } from '../../src/workflows/async-job';
import { request, scrape, startGatewayStack, type ApiAnswer, type GatewayStack } from '../helpers/gateway-stack';
import { count, EventType, historyEvents } from '../helpers/history';
import { testKeyring } from '../helpers/temporal';
import { redactUrl } from '../../src/gateway/request-log';

let stack: GatewayStack;
let job: WorkflowHandle<typeof asyncJob>;
let token: string;
before(async () => {
  stack = await startGatewayStack({ bodyLimit: 4 * 1024, requestTimeoutMs: 1_500 });
  // One job that waits for the whole file: every refusal below must leave it untouched.
  job = await stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `gw-refusals-${Date.now()}`,
    args: [{ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '2m' }, download: false }],
  });
  token = await stack.tokenFor(job.workflowId);
});
after(async () => {
  await job.cancel();
  await stack.stop();
});

function assertProblem(answer: ApiAnswer, status: number, type: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(answer.body.type, type);
  assert.equal(answer.body.status, status);
  assert.equal(typeof answer.body.title, 'string');
}

async function assertUntouched(): Promise<void> {
  assert.equal(count(await historyEvents(job), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0);
  assert.equal((await job.describe()).status.name, 'RUNNING');
}

const success = (t: string) => stack.api('POST', `/v1/callbacks/${t}`, { body: { status: 'success', output: 'forged' }, token: null });

test('forged: a token signed with a key the gateway does not hold → 401 InvalidToken', async () => {
  const { runId } = await job.describe();
  const foreign = parseKeyring('k1:an-attackers-own-key-0123456789abcdefgh');
  assertProblem(await success(mintToken(foreign, { workflowId: job.workflowId, runId, expiresAt: Date.now() + 60_000 })), 401, 'InvalidToken');
  const unknownKid = parseKeyring('k9:an-attackers-own-key-0123456789abcdefgh');
  assertProblem(await success(mintToken(unknownKid, { workflowId: job.workflowId, runId, expiresAt: Date.now() + 60_000 })), 401, 'InvalidToken');
  await assertUntouched();
});

test('tampered: claims changed after signing (another job id) → 401 InvalidToken', async () => {
  const [version, kid, , signature] = token.split('.');
  const otherClaims = Buffer.from(JSON.stringify({ w: 'someone-elses-job', r: 'run', e: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
  assertProblem(await success(`${version}.${kid}.${otherClaims}.${signature}`), 401, 'InvalidToken');
  const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
  assertProblem(await success(flipped), 401, 'InvalidToken');
  await assertUntouched();
});

test('malformed: not a token at all → 401 InvalidToken, also on the task endpoints', async () => {
  assertProblem(await success('not-a-token'), 401, 'InvalidToken');
  assertProblem(await stack.api('POST', '/v1/tasks/success', { body: { taskToken: 'pb1.k1.!!.??' }, token: null }), 401, 'InvalidToken');
  assertProblem(await stack.api('POST', '/v1/tasks/success', { body: { output: 1 }, token: null }), 400, 'InvalidRequest');
  await assertUntouched();
});

test('expired: a correctly signed token past its expiry → 410 TaskTimedOut', async () => {
  const expired = await stack.tokenFor(job.workflowId, Date.now() - 1_000);
  assertProblem(await success(expired), 410, 'TaskTimedOut');
  assertProblem(await stack.api('POST', '/v1/tasks/heartbeat', { body: { taskToken: expired }, token: null }), 410, 'TaskTimedOut');
  await assertUntouched();
});

test('a body taskToken that differs from the URL token → 400 InvalidToken', async () => {
  const answer = await stack.api('POST', `/v1/callbacks/${token}`, { body: { status: 'success', taskToken: `${token}x` }, token: null });
  assertProblem(answer, 400, 'InvalidToken');
  await assertUntouched();
});

test('a token for a job that does not exist → 404 TaskDoesNotExist', async () => {
  const { runId } = await job.describe();
  const ghost = mintToken(testKeyring, { workflowId: `no-such-job-${Date.now()}`, runId, expiresAt: Date.now() + 60_000 });
  assertProblem(await success(ghost), 404, 'TaskDoesNotExist');
});

test('oversized body → 413 PayloadTooLarge', async () => {
  const big = { status: 'success', output: 'x'.repeat(8 * 1024) };
  assertProblem(await stack.api('POST', `/v1/callbacks/${token}`, { body: big, token: null }), 413, 'PayloadTooLarge');
  await assertUntouched();
});

test('wrong content type → 415 UnsupportedMediaType', async () => {
  const form = await stack.api('POST', `/v1/callbacks/${token}`, { raw: 'status=success', contentType: 'application/x-www-form-urlencoded', token: null });
  assertProblem(form, 415, 'UnsupportedMediaType');
  const text = await stack.api('POST', '/v1/tasks/success', { raw: JSON.stringify({ taskToken: token }), contentType: 'text/plain', token: null });
  assertProblem(text, 415, 'UnsupportedMediaType');
  await assertUntouched();
});

test('slow-drip body: the gateway cuts the request off with 408 instead of waiting forever', async () => {
  const { hostname, port } = new URL(stack.url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  socket.write(`POST /v1/callbacks/${token} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{`);
  const drip = setInterval(() => socket.write(' '), 300);
  const startedAt = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  clearInterval(drip);
  assert.ok(Date.now() - startedAt < 5_000, `cut off after ${Date.now() - startedAt} ms`);
  assert.match(answer, /^HTTP\/1\.1 408/);
  await assertUntouched();
  // Node sends this one before any route runs: the document says so for every route with a body.
  const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  assert.ok(doc.paths['/v1/callbacks/{token}']?.post?.responses['408'], 'the OpenAPI document lists the 408');
});

test('request logs show callback routes without their task token', async () => {
  assert.equal(redactUrl(`/v1/callbacks/${token}?x=1`), '/v1/callbacks/[redacted]?x=1');
  const lines: string[] = [];
  const logged = await stack.extraGateway({ logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } });
  const expired = await stack.tokenFor(job.workflowId, Date.now() - 1_000);
  try {
    assert.equal((await request(logged.url, 'POST', `/v1/callbacks/${expired}`, { body: { status: 'heartbeat' } })).status, 410);
  } finally {
    await logged.close();
  }
  const log = lines.join('');
  assert.match(log, /\/v1\/callbacks\/\[redacted\]/);
  assert.ok(!log.includes(expired.split('.')[3] ?? expired), 'no task token signature in the request log');
});

test('rate limited per client → 429 RateLimited with Retry-After, and the refusals are counted', async () => {
  const limited = await stack.extraGateway({ rateLimit: { max: 2, windowMs: 60_000 } });
  try {
    const expired = await stack.tokenFor(job.workflowId, Date.now() - 1_000);
    const answers: ApiAnswer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await request(limited.url, 'POST', `/v1/callbacks/${expired}`, { body: { status: 'heartbeat' } }));
    assert.deepEqual(answers.map((a) => a.status), [410, 410, 429]);
    const refused = answers[2];
    assert.ok(refused);
    assertProblem(refused, 429, 'RateLimited');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // Probes are exempt: a load balancer must still see the gateway alive.
    assert.equal((await request(limited.url, 'GET', '/healthz')).status, 200);
    const metrics = await scrape(limited.url);
    assert.match(metrics, /pollback_callbacks_total\{kind="callback-url",outcome="RateLimited"\} 1/);
    assert.match(metrics, /pollback_callbacks_total\{kind="callback-url",outcome="TaskTimedOut"\} 2/);
  } finally {
    await limited.close();
  }
  await assertUntouched();
});

test('replayed: the token of an earlier job that used the same id does not settle the new job', async () => {
  const workflowId = `gw-replay-${Date.now()}`;
  const input = { profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' }, download: false } as const;
  const first = await stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId, args: [input] });
  const oldToken = await stack.tokenFor(workflowId);
  await stack.api('POST', `/v1/callbacks/${oldToken}`, { body: { status: 'success', output: 'first' }, token: null });
  assert.equal((await first.result()).output, 'first');

  const second = await stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId, args: [input] });
  const replay = await stack.api('POST', `/v1/callbacks/${oldToken}`, { body: { status: 'success', output: 'replayed' }, token: null });
  assert.ok(replay.status < 500);
  const newToken = await stack.tokenFor(workflowId);
  assert.notEqual(newToken, oldToken);
  await stack.api('POST', `/v1/callbacks/${newToken}`, { body: { status: 'success', output: 'second' }, token: null });
  assert.equal((await second.result()).output, 'second', 'the replayed token was ignored');
});
