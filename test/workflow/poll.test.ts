import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STATUS_QUERY, type JobStatus } from '../../src/contract';
import { jobFailure } from '../helpers/failures';
import { count, EventType, historyEvents, type HistoryEvent } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const fastPoll = { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1, maxInterval: '1s' } } as const;

async function simJob(remoteJobId: string): Promise<{ counters: Record<string, number> }> {
  const res = await fetch(`${stack.sim.url}/__sim/jobs/${remoteJobId}`);
  assert.equal(res.status, 200);
  return (await res.json()) as { counters: Record<string, number> };
}

test('poll mode: an ASO export is polled on durable timers until completed', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: '1234', scenario: { durationMs: 1_500 } }, completion: fastPoll });
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  assert.equal(result.via, 'poll');
  assert.ok(result.polls >= 2, `polls: ${result.polls}`);
  assert.equal(result.file?.fileName, 'report.csv');
  assert.equal(result.file?.size, 1024);
  assert.ok(result.remoteJobId);
  const events = await historyEvents(handle);
  // Each poll waited on a durable timer; nothing polled in a hot loop.
  assert.equal(count(events, EventType.EVENT_TYPE_TIMER_STARTED), result.polls);
  assert.equal((await simJob(result.remoteJobId)).counters.statusReads, result.polls);
});

test('query status shows phase, remote job, poll count and next poll time while polling', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'q1', scenario: { durationMs: 3_000 } }, completion: { ...fastPoll, poll: { interval: '300ms', backoff: 1 } } });
  let status: JobStatus | undefined;
  for (let i = 0; i < 50; i++) {
    status = await handle.query<JobStatus>(STATUS_QUERY);
    if (status.pollCount >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(status);
  assert.equal(status.phase, 'polling');
  assert.equal(status.profile, 'aso-export');
  assert.equal(status.mode, 'poll');
  assert.equal(status.remoteStatus, 'processing');
  assert.equal(status.remoteState, 'running');
  assert.ok(status.remoteJobId);
  assert.ok(status.pollCount >= 2);
  assert.ok(status.nextPollAt && Date.parse(status.nextPollAt) > Date.now() - 5_000);
  await handle.result();
});

test('429 with Retry-After on status reads is retried after the advertised delay', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'ra', scenario: { durationMs: 0, statusErrors: 2, statusErrorCode: 429, retryAfterSeconds: 2 } },
    completion: fastPoll,
  });
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  const events = await historyEvents(handle);
  const scheduled = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'readRemoteStatus');
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 3);
  // Two refusals, each followed by the advertised 2 s (our own backoff would have waited 1 s + 2 s).
  const seconds = (e: HistoryEvent | undefined) => Number(e?.eventTime?.seconds ?? 0) + (e?.eventTime?.nanos ?? 0) / 1e9;
  const completed = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  assert.ok(seconds(completed) - seconds(scheduled) >= 3.9, `waited ${seconds(completed) - seconds(scheduled)}s`);
  assert.equal((await simJob(result.remoteJobId ?? '')).counters.statusReads, 3);
});

test('remote failed → RemoteJobFailed carrying the remote message', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'f', scenario: { durationMs: 100, outcome: 'failed', errorMessage: 'disk quota exceeded' } }, completion: fastPoll });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteJobFailed');
  assert.match(failure.message, /disk quota exceeded/);
});

test('remote cancelled → RemoteJobCancelled', async () => {
  const handle = await stack.start({ profile: 'lro-export', params: { dataset: 'sales', scenario: { durationMs: 100, outcome: 'cancelled' } }, completion: fastPoll });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteJobCancelled');
});

test('LRO style: Operation-Location and Retry-After drive the polling', async () => {
  const handle = await stack.start({ profile: 'lro-export', params: { dataset: 'sales', format: 'csv', scenario: { durationMs: 300, retryAfterSeconds: 1 } }, completion: fastPoll });
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  assert.ok(result.file && result.file.size > 0, 'the result was downloaded with the profile\'s bearer token');
  // Retry-After: 1 s from the API outranks our 100 ms interval.
  assert.ok(result.durationMs >= 900, `finished in ${result.durationMs} ms`);
});

test('a status URL that expires before the job ends → StatusUrlExpired after a last-chance poll, never a 403 loop', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'exp', scenario: { durationMs: 60_000, statusUrlTtlSeconds: 3 } }, completion: { ...fastPoll, poll: { interval: '1s', backoff: 1 } } });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'StatusUrlExpired');
  // A finished job still answers queries: it tells which remote job to ask the simulator about.
  const status = await handle.query<JobStatus>(STATUS_QUERY);
  assert.equal(status.phase, 'failed');
  assert.ok(status.remoteJobId);
  const reads = (await simJob(status.remoteJobId)).counters.statusReads ?? 0;
  assert.ok(reads >= 1 && reads <= 4, `status reads: ${reads}`);
});

test('a 403 from the status URL (expiry not announced) → StatusUrlExpired at once, not retried', async () => {
  const aso = stack.deps.profiles.get('aso-export');
  assert.ok(aso);
  const { statusUrlExpiresInSeconds: _ignored, ...start } = aso.start;
  const handle = await stack.start({
    profile: { ...aso, name: 'aso-no-expiry', start },
    params: { reportId: 'exp2', scenario: { durationMs: 60_000, statusUrlTtlSeconds: 1 } },
    completion: { ...fastPoll, poll: { interval: '1500ms', backoff: 1 } },
  });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'StatusUrlExpired');
  assert.match(failure.message, /403/);
});

test('a 4xx on start is a non-retryable RemoteRejected with status and body excerpt, attempted once', async () => {
  const aso = stack.deps.profiles.get('aso-export');
  assert.ok(aso);
  const handle = await stack.start({
    profile: { ...aso, name: 'aso-bad-key', start: { ...aso.start, headers: { ...aso.start.headers, 'X-API-Key': 'not-the-key' } } },
    params: { reportId: '403' },
    completion: fastPoll,
  });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteRejected');
  assert.match(failure.message, /HTTP 403/);
  const events = await historyEvents(handle);
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 1);
});
