import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planNextPoll } from '../../src/polling/next-poll';

const settings = { interval: 1_000, backoff: 2, maxInterval: 10_000 };

test('backoff grows the interval up to maxInterval', () => {
  let interval = settings.interval;
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    const next = planNextPoll({ now: 0, settings, currentIntervalMs: interval });
    assert.ok(!('expired' in next));
    delays.push(next.at);
    interval = next.intervalMs;
  }
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
});

test('Retry-After longer than the schedule pushes the next poll later', () => {
  const next = planNextPoll({ now: 100, settings, currentIntervalMs: 1_000, retryAfterMs: 7_000 });
  assert.deepEqual(next, { at: 7_100, intervalMs: 2_000 });
  // `Retry-After: 0` does not become a hot loop.
  assert.deepEqual(planNextPoll({ now: 100, settings, currentIntervalMs: 1_000, retryAfterMs: 0 }), { at: 1_100, intervalMs: 2_000 });
});

test('Retry-After shorter than the schedule is the least wait, never a reason to poll faster', () => {
  // The trial: `interval: 5s` and an API answering `Retry-After: 1` polled every second.
  const five = { interval: 5_000, backoff: 1, maxInterval: 60_000 };
  let now = 0;
  let interval = five.interval;
  for (let i = 0; i < 10; i++) {
    const next = planNextPoll({ now, settings: five, currentIntervalMs: interval, retryAfterMs: 1_000 });
    assert.ok(!('expired' in next));
    assert.equal(next.at - now, 5_000);
    now = next.at;
    interval = next.intervalMs;
  }
  // With backoff the schedule keeps growing under a short Retry-After too.
  const grown = planNextPoll({ now: 0, settings, currentIntervalMs: 4_000, retryAfterMs: 1_000 });
  assert.deepEqual(grown, { at: 4_000, intervalMs: 8_000 });
});

test('the last poll is moved to just before the status URL expires, then nothing is left', () => {
  const first = planNextPoll({ now: 0, settings, currentIntervalMs: 8_000, statusUrlExpiresAt: 5_000 });
  assert.deepEqual(first, { at: 4_000, intervalMs: 10_000 });
  const second = planNextPoll({ now: 4_000, settings, currentIntervalMs: 10_000, statusUrlExpiresAt: 5_000 });
  assert.deepEqual(second, { expired: true });
});
