// A 429 storm against a real worker: every job's status read meets the same 429 with the same
// Retry-After. Temporal itself would bring them all back at exactly Retry-After; the worker's
// jittered retries spread them out, never sooner than the API asked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const JOBS = 8;
const RETRY_AFTER_S = 3;

test('a 429 storm does not retry in lockstep: each retry waits Retry-After plus its own jitter', async () => {
  const scenario = { durationMs: 0, statusErrors: 1, statusErrorCode: 429, retryAfterSeconds: RETRY_AFTER_S };
  const handles = await Promise.all(Array.from({ length: JOBS }, (_, i) =>
    stack.start({ profile: 'lro-export', params: { dataset: `storm-${i}`, format: 'csv', scenario }, completion: { mode: 'poll', timeout: '2m', poll: { interval: '100ms', backoff: 1 } }, download: false })));
  // While each status read waits for its retry, the failure it met says when that retry comes.
  const delays = await Promise.all(handles.map(async (handle) => {
    for (let i = 0; i < 100; i++) {
      const { raw } = await handle.describe();
      // Polls run in one activity (an interval under a minute), or each as an activity of its own.
      const pending = raw.pendingActivities?.find((a) => ['pollUntilDone', 'readRemoteStatus'].includes(a.activityType?.name ?? '') && a.lastFailure);
      const delay = pending?.lastFailure?.applicationFailureInfo?.nextRetryDelay;
      if (delay) return Number(delay.seconds ?? 0) * 1000 + Math.round((delay.nanos ?? 0) / 1e6);
      await sleep(100);
    }
    throw new Error(`${handle.workflowId}: no status read waiting for its retry`);
  }));
  const results = await Promise.all(handles.map((h) => h.result()));
  assert.ok(results.every((r) => r.status === 'succeeded'));
  assert.ok(delays.every((d) => d >= RETRY_AFTER_S * 1000 && d <= 2 * RETRY_AFTER_S * 1000), `delays ${delays.join(', ')}`);
  // Without jitter every one would be exactly 3000 ms.
  assert.ok(new Set(delays).size >= JOBS / 2, `delays ${delays.join(', ')}`);
});
