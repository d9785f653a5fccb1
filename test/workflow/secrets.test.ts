// Secrets are referenced by profiles and resolved only inside activities: a finished job's
// history, the worker's and the gateway's logs, the exported spans and the errors must never
// contain a secret value.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { logger } from '../../src/telemetry/logger';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { mintToken } from '../../src/tokens/task-token';
import { jobFailure } from '../helpers/failures';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver';
import { SIM_CREDENTIALS, startStack, type Stack } from '../helpers/stack';
import { startTestWorker, TEST_KEYS, testClient, testKeyring, workerLogs } from '../helpers/temporal';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { pollbackDataConverter } from '../../src/codec/data-converter';
import { parsePayloadKeys } from '../../src/codec/keys';
import { newPayloadKey } from '../helpers/encryption';
import { EventType, historyEvents } from '../helpers/history';
import { eventually } from '../helpers/eventually';

let stack: Stack;
let receiver: OtlpReceiver;
let tracing: Tracing;
before(async () => {
  // Traced, and the gateway logging where the worker does: spans and every log line are scanned.
  receiver = await startOtlpReceiver();
  tracing = startTracing({ tracesUrl: receiver.tracesUrl, serviceName: 'pollback-test' });
  stack = await startStack(undefined, { gatewayLogger: logger() });
});
after(async () => {
  await stack.stop();
  await tracing.shutdown();
  await receiver.close();
});

const keyMaterial = TEST_KEYS.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1));

async function assertClean(handle: WorkflowHandle, extra: string[] = []): Promise<void> {
  const history = historyToJSON(await handle.fetchHistory());
  const logs = workerLogs.join('\n');
  await tracing.flush();
  assert.ok(receiver.spans.some((span) => span.attributes.temporalWorkflowId === handle.workflowId), `spans of ${handle.workflowId} were exported`);
  const spans = receiver.spans.map((span) => span.raw).join('\n');
  for (const secret of [SIM_CREDENTIALS.bearerToken, SIM_CREDENTIALS.apiKey, ...keyMaterial, ...extra]) {
    assert.ok(!history.includes(secret), `history of ${handle.workflowId} contains a secret`);
    assert.ok(!logs.includes(secret), 'logs contain a secret');
    assert.ok(!spans.includes(secret), 'spans contain a secret');
  }
  // Query strings carry pre-signed URLs' signatures and some APIs' keys: no span shows one.
  for (const span of receiver.spans) {
    for (const [name, value] of Object.entries(span.attributes)) {
      if (name.startsWith('url.')) assert.doesNotMatch(value, /\?(?!\[redacted\])/, `${span.name} ${name} shows a query string`);
    }
  }
}

test('poll and callback jobs leave no secret in history or logs', async () => {
  const polled = await stack.start({ profile: 'aso-export', params: { reportId: 's1', scenario: { durationMs: 200 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } });
  await polled.result();
  await assertClean(polled);
  const called = await stack.start({ profile: 'task-token', params: { waitTime: 0.2 }, completion: { mode: 'callback', timeout: '1m' } });
  await called.result();
  // The task token handed to the remote API is a credential too.
  const { runId } = await called.describe();
  const status = await called.query<JobStatus>(STATUS_QUERY);
  const token = mintToken(testKeyring, { workflowId: called.workflowId, runId, expiresAt: Date.parse(status.deadline) });
  // The callback came in through the gateway, its token in the URL path: logged and traced redacted.
  assert.ok(workerLogs.some((line) => line.includes('/v1/callbacks/[redacted]')), 'the gateway logged the callback request');
  await assertClean(called, [token, token.split('.').at(-1) ?? token]);
});

test('a remote error that echoes a secret is redacted before it reaches the failure', async () => {
  const aso = stack.deps.profiles.get('aso-export');
  assert.ok(aso);
  // An API that takes its key in the query string, and a 404 page that echoes the URL.
  const handle = await stack.start({
    profile: { ...aso, name: 'echoing-api', start: { ...aso.start, url: '{{vars.baseUrl}}/no-such-route', query: { key: '{{secrets.apiKey}}' } } },
    params: { reportId: 'x' },
    completion: { mode: 'poll' },
  });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteRejected');
  assert.match(failure.message, /HTTP 404/);
  assert.match(failure.message, /\[redacted\]/);
  assert.ok(!failure.message.includes(SIM_CREDENTIALS.apiKey));
  await assertClean(handle);
});

test('job input cannot name environment variables the operator did not allow (e.g. the signing keys)', async () => {
  const aso = stack.deps.profiles.get('aso-export');
  assert.ok(aso);
  const handle = await stack.start({
    profile: { ...aso, name: 'exfiltrate', secrets: { ...aso.secrets, keys: { env: 'POLLBACK_TOKEN_KEYS' } } },
    params: { reportId: 'x' },
    completion: { mode: 'poll' },
  });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'InvalidInput');
  assert.match(failure.message, /POLLBACK_TOKEN_KEYS, which is not in POLLBACK_INPUT_ENV/);
});

test('payload encryption keys never reach history or logs, not even when a payload cannot be decrypted', async () => {
  const [k1, k9] = [newPayloadKey(), newPayloadKey()];
  const converter = pollbackDataConverter(parsePayloadKeys(`k1:${k1}`));
  const encrypted = await startTestWorker({ env: stack.deps.env, dataConverter: converter });
  const stranger = await testClient(pollbackDataConverter(parsePayloadKeys(`k9:${k9}`)));
  try {
    const input = { profile: 'aso-export', params: { reportId: 's2', scenario: { durationMs: 100 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } };
    const ok = await encrypted.client.workflow.start(WORKFLOW_TYPE, { taskQueue: encrypted.taskQueue, workflowId: `secrets-encrypted-${Date.now()}`, args: [input] });
    await ok.result();
    // A payload under a key the worker lacks: the failure and the worker's error log name the key id only.
    const unreadable = await stranger.workflow.start(WORKFLOW_TYPE, { taskQueue: encrypted.taskQueue, workflowId: `secrets-unreadable-${Date.now()}`, args: [input] });
    await eventually('the workflow task to fail', async () => ((await historyEvents(unreadable)).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) ? true : undefined));
    await unreadable.terminate('test done');
    for (const handle of [ok, unreadable]) {
      const history = historyToJSON(await encrypted.client.workflow.getHandle(handle.workflowId).fetchHistory());
      for (const key of [k1, k9]) assert.ok(!history.includes(key), `history of ${handle.workflowId} contains payload key material`);
    }
    const logs = workerLogs.join('\n');
    for (const key of [k1, k9]) assert.ok(!logs.includes(key), 'worker logs contain payload key material');
  } finally {
    await stranger.connection.close();
    await encrypted.stop();
  }
});
