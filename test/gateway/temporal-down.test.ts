// Temporal unreachable: the gateway answers 503 with Retry-After (never a 500, never a hang),
// and once Temporal is back the caller's retry lands — nothing is lost. Runs against a dev
// server of its own, stopped and restarted on the same database and port.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { ensureTemporalCli } from '../../dev/temporal-cli';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import type { asyncJob } from '../../src/workflows/async-job';
import { eventually, startGatewayStack, type ApiAnswer, type GatewayStack } from '../helpers/gateway-stack';

let dir: string;
let cli: string;
let server: DevServer;
let native: NativeConnection;
let client: Client;
let stack: GatewayStack;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-down-'));
  cli = await ensureTemporalCli();
  server = await startDevServer({ cli, dbFile: path.join(dir, 'temporal.sqlite') });
  native = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  stack = await startGatewayStack({ temporalTimeoutMs: 2_000 }, { connection: native, client });
});
after(async () => {
  try {
    await stack.stop(); // throws if a response broke the OpenAPI document: clean up regardless
  } finally {
    await client.connection.close();
    await native.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

function assertUnavailable(answer: ApiAnswer): void {
  assert.equal(answer.status, 503, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(answer.body.type, 'ServiceUnavailable');
  assert.ok(Number(answer.headers.get('retry-after')) > 0, 'Retry-After tells the caller when to come back');
}

test('Temporal stopped: callbacks, job API and readiness answer 503 + Retry-After; after the restart the retried callback completes the job', async () => {
  const job = await client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `gw-down-${Date.now()}`,
    args: [{ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '5m' }, download: false }],
  });
  const token = await stack.tokenFor(job.workflowId);
  assert.equal((await stack.api('GET', '/readyz')).status, 200);

  const port = Number(server.address.split(':').pop());
  await server.stop();
  const callback = () => stack.api('POST', `/v1/callbacks/${token}`, { body: { status: 'success', output: 'kept' }, token: null });
  assertUnavailable(await callback());
  assertUnavailable(await stack.api('POST', '/v1/tasks/heartbeat', { body: { taskToken: token }, token: null }));
  assertUnavailable(await stack.api('GET', `/v1/jobs/${job.workflowId}`));
  assertUnavailable(await stack.api('GET', '/readyz'));
  // Verification does not need Temporal: a forged token is still refused as such.
  assert.equal((await stack.api('POST', '/v1/callbacks/pb1.k1.e30.AAAA', { body: { status: 'success' }, token: null })).status, 401);
  assert.equal((await stack.api('GET', '/healthz')).status, 200);

  server = await startDevServer({ cli, dbFile: path.join(dir, 'temporal.sqlite'), port });
  // The caller retries as told; the first retry that reaches Temporal is delivered.
  const delivered = await eventually('the retried callback to be delivered', async () => {
    const answer = await callback();
    return answer.status === 200 ? answer : undefined;
  }, 60_000);
  assert.deepEqual(delivered.body, { delivered: true, accepted: true, jobId: job.workflowId });
  assert.equal((await job.result()).output, 'kept');
});
