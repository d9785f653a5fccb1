import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { eventually } from '../helpers/eventually';
import { jobFailure } from '../helpers/failures';
import { count, EventType, historyEvents, patchIds, scheduledActivities, type HistoryEvent } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';
import { simJob as simJobRecord, type SimJobRecord } from '../helpers/remote';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const fastPoll = { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1, maxInterval: '1s' } } as const;

const simJob = (remoteJobId: string): Promise<SimJobRecord> => simJobRecord(stack.sim.url, remoteJobId);

const pollActivity = 'pollUntilDone';
const seconds = (e: HistoryEvent | undefined): number => Number(e?.eventTime?.seconds ?? 0) + (e?.eventTime?.nanos ?? 0) / 1e9;

test('poll mode: frequent polls run inside one heartbeating activity until completed', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: '1234', scenario: { durationMs: 1_500 } }, completion: fastPoll });
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  assert.equal(result.via, 'poll');
  assert.ok(result.polls >= 2, `polls: ${result.polls}`);
  assert.equal(result.file?.fileName, 'report.csv');
  assert.equal(result.file?.size, 1024);
  assert.ok(result.remoteJobId);
  const events = await historyEvents(handle);
  // One activity for every poll; no timer, no status read of its own in history.
  assert.equal(scheduledActivities(events, pollActivity).length, 1);
  assert.equal(scheduledActivities(events, 'readRemoteStatus').length, 0);
  assert.equal(count(events, EventType.EVENT_TYPE_TIMER_STARTED), 0);
  assert.deepEqual(patchIds(events), ['prepare-in-activity', 'poll-in-activity'], 'the patches of a new job: input read in a local activity, polls in one activity');
  assert.equal((await simJob(result.remoteJobId)).counters.statusReads, result.polls);
});

test('300 polls cost the history one activity, not 300: the whole job stays under 60 events', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'many', scenario: { completeAfterReads: 300 } },
    completion: { mode: 'poll', timeout: '5m', poll: { interval: 1, backoff: 1, maxInterval: 1 } },
    download: false,
  });
  const result = await handle.result();
  assert.equal(result.polls, 300);
  assert.equal(result.runs, 1);
  const events = await historyEvents(handle);
  assert.ok(events.length < 60, `${events.length} events for 300 polls`);
  assert.equal((await simJob(result.remoteJobId ?? '')).counters.statusReads, 300);
});

test('query status shows phase, remote job, poll count and next poll time while the activity polls', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'q1', scenario: { durationMs: 4_000 } }, completion: { ...fastPoll, poll: { interval: '300ms', backoff: 1 } } });
  const status = await eventually('a poll in the status query', async () => {
    const s = await handle.query<JobStatus>(STATUS_QUERY);
    return s.pollCount >= 1 ? s : undefined;
  });
  assert.equal(status.phase, 'polling');
  assert.equal(status.profile, 'aso-export');
  assert.equal(status.mode, 'poll');
  assert.equal(status.remoteStatus, 'processing');
  assert.equal(status.remoteState, 'running');
  assert.ok(status.remoteJobId);
  assert.ok(status.nextPollAt && Date.parse(status.nextPollAt) > Date.now() - 5_000);
  const result = await handle.result();
  assert.ok(result.polls > status.pollCount);
});

test("the pending activity's heartbeat details show what the last poll saw, and where the next one is", async () => {
  const handle = await stack.start({ profile: 'render-farm', params: { scene: 'hb', scenario: { durationMs: 5_000 } }, completion: { ...fastPoll, poll: { interval: '200ms', backoff: 1 } }, download: false });
  const details = await eventually('heartbeat details with polls', async () => {
    const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === pollActivity);
    const payload = pending?.heartbeatDetails?.payloads?.[0]?.data;
    if (!payload) return undefined;
    const beat = JSON.parse(Buffer.from(payload).toString()) as { polls: number; lastStatus?: string; progress?: number; nextPollAt: string; since: string };
    return beat.polls >= 3 ? beat : undefined;
  });
  assert.equal(details.lastStatus, 'RENDERING');
  assert.ok(details.progress !== undefined && details.progress > 0 && details.progress < 100, `progress ${details.progress}`);
  assert.ok(Date.parse(details.nextPollAt) > Date.parse(details.since));
  await handle.result();
});

test('429 with Retry-After on status reads: the activity is retried after the advertised delay and goes on polling', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'ra', scenario: { durationMs: 0, statusErrors: 2, statusErrorCode: 429, retryAfterSeconds: 2 } },
    completion: fastPoll,
  });
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  assert.equal(result.polls, 1);
  const events = await historyEvents(handle);
  const scheduled = scheduledActivities(events, pollActivity)[0];
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 3);
  // Two refusals, each followed by the advertised 2 s (our own backoff would have waited 1 s + 2 s).
  const completed = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
  assert.ok(seconds(completed) - seconds(scheduled) >= 3.9, `waited ${seconds(completed) - seconds(scheduled)}s`);
  assert.equal((await simJob(result.remoteJobId ?? '')).counters.statusReads, 3);
});

test('the deadline ends a polling activity: JobTimeout, and the remote is no longer polled', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'dl', scenario: { durationMs: 60_000 } }, completion: { mode: 'poll', timeout: '2s', poll: { interval: '100ms', backoff: 1 } }, download: false });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'JobTimeout');
  assert.match(failure.message, /within its timeout of 2s/);
  const status = await handle.query<JobStatus>(STATUS_QUERY);
  const reads = async (): Promise<number> => (await simJob(status.remoteJobId ?? '')).counters.statusReads ?? 0;
  assert.ok((await reads()) >= 5);
  // The activity learns at its next heartbeat that it timed out (within 5 s), then stops.
  await new Promise((r) => setTimeout(r, 6_000));
  const settled = await reads();
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(await reads(), settled, 'no status reads after the activity stopped');
});

test('a cancelled job cancels its polling activity: the remote job is cancelled and polls stop', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'cx', scenario: { durationMs: 60_000 } }, completion: { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1 } }, download: false });
  const status = await eventually('polling', async () => {
    const s = await handle.query<JobStatus>(STATUS_QUERY);
    return s.pollCount >= 1 && s.remoteJobId ? s : undefined;
  });
  await handle.cancel();
  await handle.result().then(
    () => assert.fail('a cancelled job must not succeed'),
    () => undefined,
  );
  const events = await historyEvents(handle);
  assert.equal(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED), 1);
  assert.equal(count(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED), 1);
  const job = await simJob(status.remoteJobId ?? '');
  assert.equal(job.counters.cancels, 1);
  // The cancel reaches the activity at its next heartbeat (at most a few seconds): then no more reads.
  const reads = await eventually('polls stopped', async () => {
    const before = (await simJob(status.remoteJobId ?? '')).counters.statusReads ?? 0;
    await new Promise((r) => setTimeout(r, 1_000));
    return ((await simJob(status.remoteJobId ?? '')).counters.statusReads ?? 0) === before ? before : undefined;
  });
  assert.ok(reads >= 1);
});

test('infrequent polling (an interval of a minute or more) stays on workflow timers', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'slow', scenario: { durationMs: 60_000 } }, completion: { mode: 'poll', timeout: '1m', poll: { interval: '1m', backoff: 1 } }, download: false });
  await eventually('a pending poll timer', async () => {
    const events = await historyEvents(handle);
    return count(events, EventType.EVENT_TYPE_TIMER_STARTED) >= 1 ? events : undefined;
  });
  const events = await historyEvents(handle);
  assert.equal(scheduledActivities(events, pollActivity).length, 0);
  assert.deepEqual(patchIds(events), ['prepare-in-activity'], 'no polling-in-activity patch: the slow path is the timer loop');
  const status = await handle.query<JobStatus>(STATUS_QUERY);
  assert.equal(status.phase, 'polling');
  assert.ok(status.nextPollAt && Date.parse(status.nextPollAt) - Date.now() > 30_000);
  await handle.terminate('test done');
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
