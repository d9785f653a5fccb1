import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetryAfter } from '../../src/contract/retry-after';

test('Retry-After: delta-seconds, an HTTP date, or nothing usable', () => {
  const now = Date.parse('2026-12-03T09:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 1.5 ', now), 1_500);
  assert.equal(parseRetryAfter(['3', '9'], now), 3_000, 'the first of repeated headers');
  assert.equal(parseRetryAfter('Thu, 03 Dec 2026 09:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Thu, 03 Dec 2026 08:59:00 GMT', now), 0, 'a date already past: no wait');
  for (const unusable of [undefined, '', '   ', 'soon', '-5', []]) assert.equal(parseRetryAfter(unusable, now), undefined, JSON.stringify(unusable));
});
