// Hours of polling, day-long waits and heartbeats an hour apart, on the time-skipping test
// server: timers complete at once while the workflow waits (or when the test sleeps on the
// job's clock); activities (real HTTP to the simulator) run in real time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { mintToken } from '../../src/tokens/task-token';
import { jobFailure } from '../helpers/failures';
import { request } from '../helpers/gateway-stack';
import { historyEvents, runChain, scheduledActivities } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';
import { testKeyring } from '../helpers/temporal';
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
  for (const [i, runId] of runs.entries()) {
    const events = await historyEvents(handle, runId);
    // About 11 events a poll: the bound is set by pollsPerRun, not by the total number of polls.
    assert.ok(events.length <= pollsPerRun * 12 + 50, `run ${runId} has ${events.length} events`);
    // Only the run that saw the end downloads; the others poll and continue as new.
    assert.equal(scheduledActivities(events, 'downloadResult').length, i === runs.length - 1 ? 1 : 0, `downloads in run ${i + 1}`);
  }
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

test('heartbeats through the gateway keep a job past its heartbeat timeout; without them it ends in CallbackTimeout', async () => {
  const completion = { mode: 'callback', timeout: '1d', heartbeatTimeout: '1h' } as const;
  const kept = await stack.start({ profile: 'task-token', params: { waitTime: 86_000, scenario: { callback: 'drop' } }, completion, download: false });
  const dropped = await stack.start({ profile: 'task-token', params: { waitTime: 86_000, scenario: { callback: 'drop' } }, completion, download: false });
  const token = mintToken(testKeyring, { workflowId: kept.workflowId, runId: kept.firstExecutionRunId, expiresAt: Date.now() + 3_600_000 });
  // Three hours of the job's clock, a heartbeat every 40 minutes: the kept job outlives its 1 h
  // heartbeat timeout three times over; the other one times out at the first hour.
  for (let beat = 0; beat < 4; beat++) {
    const answer = await request(stack.gatewayUrl, 'POST', '/v1/tasks/heartbeat', { body: { taskToken: token }, token: null });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    await env.sleep('40m');
  }
  // Read without waiting on a result: a result() lets the server skip ahead to the kept job's deadline.
  assert.equal((await dropped.describe()).status.name, 'FAILED');
  assert.equal((await kept.describe()).status.name, 'RUNNING');
  const status = await kept.query<JobStatus>(STATUS_QUERY);
  assert.ok(status.callbackDeadline && Date.parse(status.callbackDeadline) > Date.parse(status.startedAt) + 2 * 3_600_000, `the wait was extended: ${status.callbackDeadline ?? 'none'}`);
  const success = await request(stack.gatewayUrl, 'POST', '/v1/tasks/success', { body: { taskToken: token, output: 'done' }, token: null });
  assert.equal(success.status, 200, JSON.stringify(success.body));
  const result = await kept.result().catch(async () => assert.fail(`the kept job failed: ${(await jobFailure(kept)).message}`));
  assert.equal(result.output, 'done');
  const failure = await jobFailure(dropped);
  assert.equal(failure.type, 'CallbackTimeout');
  assert.match(failure.message, /no callback arrived within 1h/);
});
