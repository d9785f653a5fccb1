// What a polled job shows and keeps: Retry-After as the least wait (never faster than the
// schedule), the remote's error code in the failure, the remote's progress in the Web UI's
// current details, and the job's start and summary across continue-as-new.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STATUS_QUERY, type JobStatus } from '../../src/contract';
import { eventually } from '../helpers/eventually';
import { jobFailure } from '../helpers/failures';
import { EventType, historyEvents, runChain } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const currentDetails = async (handle: { query: <T>(name: string) => Promise<T> }): Promise<string> =>
  (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';

test('Retry-After shorter than the interval is the least wait: the job polls on its own schedule, not every second', async () => {
  // The trial: `interval: 5s` against an API answering `Retry-After: 1` polled every second.
  const handle = await stack.start({
    profile: 'lro-export',
    params: { dataset: 'ra', scenario: { durationMs: 5_000, retryAfterSeconds: 1 } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '2s', backoff: 1 } },
    download: false,
  });
  const result = await handle.result();
  const timers = (await historyEvents(handle)).filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  const waits = timers.map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0) + (e.timerStartedEventAttributes?.startToFireTimeout?.nanos ?? 0) / 1e9);
  for (const wait of waits) assert.ok(wait >= 1.9, `a poll was planned after ${wait}s (interval 2s, Retry-After 1s): ${waits.join(', ')}`);
  assert.ok(result.polls <= 4, `${result.polls} status reads for a 5 s job polled every 2 s`);
});

test("a failed remote job's own error code is carried in the failure", async () => {
  const handle = await stack.start({
    profile: 'lro-export',
    params: { dataset: 'x', scenario: { durationMs: 100, outcome: 'failed', errorMessage: 'export too large' } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1 } },
  });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'RemoteJobFailed');
  assert.equal(failure.message, 'remote job failed: [OperationFailed] export too large');
  assert.deepEqual(failure.details?.[0], { error: 'export too large', via: 'poll', code: 'OperationFailed' });
});

test("the remote's progress shows in the status query and in the Web UI's current details", async () => {
  const handle = await stack.start({
    profile: 'render-farm',
    params: { scene: 'p', scenario: { durationMs: 4_000 } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '300ms', backoff: 1 } },
    download: false,
  });
  const status = await eventually('progress in the status query', async () => {
    const s = await handle.query<JobStatus>(STATUS_QUERY);
    return s.remoteProgress !== undefined && s.remoteProgress > 0 ? s : undefined;
  });
  assert.ok(status.remoteProgress !== undefined && status.remoteProgress < 100);
  const details = await eventually('progress in current details', async () => {
    const text = await currentDetails(handle);
    return /Remote progress: \d+%/.test(text) ? text : undefined;
  });
  assert.match(details, /— polling: poll #\d+ in/);
  await handle.result();
});

test('the job keeps its start time and summary across continue-as-new', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    title: 'Quarterly downloads',
    params: { reportId: 'can', scenario: { completeAfterReads: 25 } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '20ms', backoff: 1 } },
    pollsPerRun: 10,
    download: false,
  });
  const firstStart = (await handle.describe()).startTime.getTime();
  const later = await eventually('a continued run', async () => {
    const s = await handle.query<JobStatus>(STATUS_QUERY).catch(() => undefined);
    return s && s.runsSoFar >= 2 ? s : undefined;
  });
  assert.equal(later.summary, 'Quarterly downloads (poll)');
  assert.ok(Math.abs(Date.parse(later.startedAt) - firstStart) < 1_000, `${later.startedAt} vs ${new Date(firstStart).toISOString()}`);
  const result = await handle.result();
  assert.ok((await runChain(handle)).length >= 3);
  assert.equal(result.startedAt, later.startedAt);
  assert.match(await currentDetails(handle), /Quarterly downloads \(poll\) · started \S+ · run \d/);
});
