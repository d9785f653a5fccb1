import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { count, EventType, historyEvents } from '../helpers/history';
import { startTestWorker, type TestWorker } from '../helpers/temporal';

let env: TestWorker;
before(async () => {
  env = await startTestWorker();
});
after(async () => {
  await env.stop();
});

async function failureOf(input: unknown): Promise<ApplicationFailure> {
  const workflowId = `invalid-${randomUUID()}`;
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: env.taskQueue, workflowId, args: [input] });
  // Before the fix an input that threw inside the parser failed the workflow task, which
  // Temporal retries without end: bound the wait so such a hang fails the test, not the run.
  const hung = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000).unref());
  const err = await Promise.race([handle.result().then(() => 'completed', (e: unknown) => e), hung]);
  assert.ok(err instanceof WorkflowFailedError, `expected the workflow to fail, got ${String(err)}`);
  assert.ok(err.cause instanceof ApplicationFailure);
  // Failed at once: one workflow task, no activity, no retry loop.
  const events = await historyEvents(handle);
  assert.equal(count(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED), 1);
  assert.equal(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 0);
  return err.cause;
}

test('a malformed input fails the workflow at once, non-retryable, naming the field', async () => {
  const failure = await failureOf({ profile: 'aso-export', completion: { mode: 'sometimes' } });
  assert.equal(failure.type, 'InvalidInput');
  assert.equal(failure.nonRetryable, true);
  assert.match(failure.message, /completion\.mode/);
});

test('a wrong-typed nested field is named by its path', async () => {
  const failure = await failureOf({ profile: 'aso-export', completion: { mode: 'poll', poll: { interval: 'soon' } } });
  assert.match(failure.message, /completion\.poll\.interval/);
});

test('missing input is refused too', async () => {
  const failure = await failureOf(undefined);
  assert.equal(failure.type, 'InvalidInput');
});

test('an unknown profile name fails non-retryably with the known names', async () => {
  const workflowId = `unknown-profile-${randomUUID()}`;
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId,
    args: [{ profile: 'no-such-api', completion: { mode: 'poll' } }],
  });
  const err = await handle.result().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof ApplicationFailure);
  assert.equal(err.cause.type, 'ProfileNotFound');
  assert.match(err.cause.message, /no-such-api.*known: .*aso-export/);
});

// Regression (issue 13): `ms` throws on an empty string, inside the schema's transform; the
// workflow task failed and was retried forever, the job RUNNING for good.
for (const [field, completion] of [
  ['completion.timeout', { mode: 'poll', timeout: '' }],
  ['completion.poll.interval', { mode: 'poll', poll: { interval: '' } }],
  ['completion.poll.maxInterval', { mode: 'hybrid', poll: { maxInterval: '' } }],
  ['completion.heartbeatTimeout', { mode: 'callback', heartbeatTimeout: '' }],
  ['completion.timeout', { mode: 'callback', timeout: 1e300 }],
] as const) {
  test(`an unreadable duration (${JSON.stringify(completion)}) fails at once naming ${field}`, async () => {
    const failure = await failureOf({ profile: 'aso-export', completion });
    assert.equal(failure.type, 'InvalidInput');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, new RegExp(`${field.replace(/\./g, '\\.')}: expected a positive duration`));
  });
}
