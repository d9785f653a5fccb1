import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jobFailure } from '../helpers/failures';
import { historyEvents, scheduledActivities } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';
import { taskTokenFor } from '../helpers/remote';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const callback = { mode: 'callback', timeout: '1m' } as const;

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tokenFor = (workflowId: string): Promise<string> => taskTokenFor(stack.client, workflowId);

test('callback mode: the simulator calls back through the gateway with output', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { waitTime: 0.2, status: 'success', output: { rows: 42 } }, completion: callback });
  const result = await handle.result();
  assert.equal(result.via, 'callback');
  assert.deepEqual(result.output, { rows: 42 });
  assert.equal(result.polls, 0);
  assert.equal(stack.sim.counters().callbacksSent >= 1, true);
});

test('callback failure carries error and cause into a RemoteJobFailed', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { waitTime: 0.2, status: 'failure', error: 'ReportFailed', cause: 'no data for 2017-01' }, completion: callback });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteJobFailed');
  assert.equal(failure.message, 'remote job failed: ReportFailed (no data for 2017-01)');
  assert.deepEqual(failure.details?.[0], { error: 'ReportFailed', cause: 'no data for 2017-01', via: 'callback' });
});

test('duplicate and late callbacks change nothing; a late one is acknowledged with the recorded outcome', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { waitTime: 0.2, output: { n: 1 }, scenario: { callback: 'duplicate' } }, completion: callback });
  const result = await handle.result();
  assert.deepEqual(result.output, { n: 1 });
  const late = await post(`/v1/callbacks/${await tokenFor(handle.workflowId)}`, { status: 'failure', error: 'too late' });
  assert.equal(late.status, 200);
  assert.deepEqual(late.body, { delivered: false, accepted: false, jobId: handle.workflowId, jobStatus: 'COMPLETED' });
  // What a duplicate could have done twice: download the result again.
  const events = await historyEvents(handle);
  assert.equal(scheduledActivities(events, 'downloadResult').length, 1, 'one download, whatever the number of callbacks');
});

test('the overall timeout ends a callback wait too, never a hang', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1500ms' } });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'CallbackTimeout');
});

test('a forged or tampered token is refused before anything reaches the workflow', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { waitTime: 1, output: 'real' }, completion: callback });
  const token = await tokenFor(handle.workflowId);
  const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const refused = await post(`/v1/callbacks/${tampered}`, { status: 'success', output: 'forged' });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.type, 'InvalidToken');
  assert.equal((await handle.result()).output, 'real');
  const callbacks = (await historyEvents(handle)).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'callback');
  assert.equal(callbacks.length, 1, 'only the real callback reached the workflow');
});
