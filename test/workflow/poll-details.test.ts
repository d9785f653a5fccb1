// What a polled job shows and keeps: Retry-After as the least wait (never faster than the
// schedule), the remote's error code in the failure, the remote's progress in the Web UI's
// current details. (Start and summary across continue-as-new: long-waits.test.ts, on timers.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { eventually } from '../helpers/eventually';
import { jobFailure } from '../helpers/failures';
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
    params: { dataset: 'ra', scenario: { durationMs: 6_000, retryAfterSeconds: 1 } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '2s', backoff: 1 } },
    download: false,
  });
  const result = await handle.result();
  // Every 2 s over 6 s: 3 or 4 reads; every second would have been 6 or 7.
  assert.ok(result.polls <= 4, `${result.polls} status reads for a 6 s job polled every 2 s`);
});

test('Retry-After longer than the interval pushes the next poll later', async () => {
  const handle = await stack.start({
    profile: 'lro-export',
    params: { dataset: 'ra2', scenario: { durationMs: 4_000, retryAfterSeconds: 2 } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1 } },
    download: false,
  });
  const result = await handle.result();
  // Every 100 ms over 4 s would be ~40 reads; Retry-After: 2 allows 3 or 4.
  assert.ok(result.polls <= 4, `${result.polls} status reads with Retry-After: 2 over 4 s`);
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
  assert.match(details, /— polling: polls every 300ms in one activity since \S+; \d+ so far, the last saw "(QUEUED|RENDERING)"; next at \S+/);
  await handle.result();
});
