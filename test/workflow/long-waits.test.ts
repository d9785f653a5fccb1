// Hours of polling and day-long waits, on the time-skipping test server: timers complete at
// once while the workflow waits; activities (real HTTP to the simulator) run in real time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
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

test('1,000+ infrequent polls (about 17 hours at 1 min, on timers) keep every run bounded through continue-as-new, and the job its start and summary', async () => {
  const pollsPerRun = 100;
  const handle = await stack.start({
    profile: 'aso-export',
    title: 'Quarterly downloads',
    params: { reportId: 'many', scenario: { completeAfterReads: 1_005, statusUrlTtlSeconds: 10_000_000 } },
    completion: { mode: 'poll', timeout: '2d', poll: { interval: '1m', backoff: 1 } },
    pollsPerRun,
  });
  const firstStart = (await handle.describe()).startTime.getTime();
  const result = await handle.result().catch((err: Error & { cause?: Error }) => assert.fail(`${err.message}: ${err.cause?.message ?? ''}`));
  assert.equal(result.polls, 1_005);
  assert.ok(result.durationMs >= 1_004 * 60_000, `virtual duration ${result.durationMs} ms`);
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
  // The last run still knows the job's summary and its first start.
  assert.equal(status.summary, 'Quarterly downloads (poll)');
  assert.ok(Math.abs(Date.parse(status.startedAt) - firstStart) < 1_000, `${status.startedAt} vs ${new Date(firstStart).toISOString()}`);
  assert.equal(result.startedAt, status.startedAt);
  const details = (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';
  assert.match(details, /Quarterly downloads \(poll\) · started \S+ · run 11/);
});

test('a day-long callback wait ends in CallbackTimeout, never a hang', async () => {
  const handle = await stack.start({ profile: 'task-token', params: { scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '2d', heartbeatTimeout: '1d' } });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'CallbackTimeout');
  assert.match(failure.message, /within 1d|within 24h/);
});
