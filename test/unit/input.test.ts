import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobInputSchema } from '../../src/contract/job-input';
import { describeIssues } from '../../src/contract/validation';

function issues(input: unknown): string {
  const parsed = jobInputSchema.safeParse(input);
  assert.equal(parsed.success, false);
  return parsed.success ? '' : describeIssues(parsed.error);
}

test('defaults are filled and durations become milliseconds', () => {
  const input = jobInputSchema.parse({ profile: 'aso-export', completion: { mode: 'poll', timeout: '2h', poll: { interval: '30s' } } });
  assert.equal(input.completion.timeout, 7_200_000);
  assert.ok(input.completion.mode === 'poll');
  assert.deepEqual(input.completion.poll, { interval: 30_000, backoff: 1.5, maxInterval: 300_000 });
  assert.deepEqual(input.params, {});
});

test('errors name the field path', () => {
  assert.match(issues({ completion: { mode: 'poll' } }), /^profile: /);
  assert.match(issues({ profile: 'x', completion: { mode: 'sometimes' } }), /completion\.mode/);
  assert.match(issues({ profile: 'x', completion: { mode: 'poll', poll: { interval: 'soon' } } }), /completion\.poll\.interval: expected a positive duration/);
  assert.match(issues({ profile: 'x', completion: { mode: 'poll', heartbeatTimeout: '1m' } }), /completion: Unrecognized key: "heartbeatTimeout"|heartbeatTimeout/);
  assert.match(issues({ profile: 'Bad Name', completion: { mode: 'poll' } }), /profile/);
  assert.match(issues({ profile: 'x', params: [], completion: { mode: 'callback' } }), /params/);
});
