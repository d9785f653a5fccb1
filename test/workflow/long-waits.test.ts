// Hours of polling and day-long waits, on the time-skipping test server: timers complete at
// once while the workflow waits; activities (real HTTP to the simulator) run in real time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { STATUS_QUERY, type JobStatus } from '../../src/contract';
import { jobFailure } from '../helpers/failures';
import { count, EventType, historyEvents, runChain } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';
import { timeSkippingEnv } from '../helpers/time-skipping';

let env: TestWorkflowEnvironment;
let stack: Stack;
before(async () => {
  env = await timeSkippingEnv();
  stack = await startStack({ connection: env.nativeConnection, client: env.client });
});
after(async () => {
  await stack.stop();
  await env.teardown();
});

test('1,000+ polls (about 3 hours at 10 s) keep every run of the history bounded through continue-as-new', async () => {
  const pollsPerRun = 100;
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'many', scenario: { completeAfterReads: 1_005, statusUrlTtlSeconds: 1_000_000 } },
    completion: { mode: 'poll', timeout: '1d', poll: { interval: '10s', backoff: 1 } },
    pollsPerRun,
  });
  const result = await handle.result().catch((err: Error & { cause?: Error }) => assert.fail(`${err.message}: ${err.cause?.message ?? ''}`));
  assert.equal(result.polls, 1_005);
  assert.ok(result.durationMs >= 1_004 * 10_000, `virtual duration ${result.durationMs} ms`);
  const runs = await runChain(handle);
  assert.equal(runs.length, result.runs);
  assert.equal(runs.length, 11);
  for (const runId of runs) {
    const events = await historyEvents(handle, runId);
    // About 11 events a poll: the bound is set by pollsPerRun, not by the total number of polls.
    assert.ok(events.length <= pollsPerRun * 12 + 50, `run ${runId} has ${events.length} events`);
  }
  const last = await historyEvents(handle, runs.at(-1));
  assert.equal(count(last, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), 1);
  const status = await handle.query<JobStatus>(STATUS_QUERY);
  assert.equal(status.pollCount, 1_005);
  assert.equal(status.runsSoFar, runs.length);
});

test('a day-long callback wait ends in CallbackTimeout, never a hang', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '2d', heartbeatTimeout: '1d' } });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'CallbackTimeout');
  assert.match(failure.message, /within 1d|within 24h/);
});
