// Limits per API, the pure parts: the profile field refused naming what is wrong, the split of
// a limit between worker processes, the refusal of inline limits, and the jittered retry delay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jitteredRetryDelay } from '../../src/activities/retry-jitter';
import { ConfigError, loadConfig } from '../../src/config';
import { apiTaskQueueName, LimitsError, limitedQueues } from '../../src/limits/queues';
import { parseProfile, ProfileLoadError } from '../../src/profiles/loader';
import { jobInputSchema } from '../../src/contract/job-input';
import { describeIssues } from '../../src/contract/validation';

const profileYaml = (limits: string): string => `name: limited\nallowedHosts: [api.example.com]\nstart:\n  url: https://api.example.com/x\nlimits: ${limits}\n`;

test('limits: bad values are refused naming the file and the field', () => {
  const cases: [string, RegExp][] = [
    ['{ concurrency: 0 }', /limited\.yaml: limits\.concurrency: Too small/],
    ['{ concurrency: 2.5 }', /limits\.concurrency: .*expected int/],
    ['{ concurrency: "ten" }', /limits\.concurrency: .*expected number/],
    ['{ perSecond: 0 }', /limits\.perSecond: Too small/],
    ['{ perSecond: -3 }', /limits\.perSecond: Too small/],
    ['{}', /limits: set concurrency, perSecond or both/],
    ['{ concurency: 3 }', /limits: Unrecognized key: "concurency"/],
    ['10', /limits: .*expected object/],
  ];
  for (const [limits, expected] of cases) {
    assert.throws(() => parseProfile(profileYaml(limits), 'limited.yaml'), (err: Error) => {
      assert.ok(err instanceof ProfileLoadError);
      assert.match(err.message, expected, limits);
      return true;
    });
  }
  assert.deepEqual(parseProfile(profileYaml('{ concurrency: 5, perSecond: 2.5 }'), 'limited.yaml').limits, { concurrency: 5, perSecond: 2.5 });
});

test('limits: each worker process serves a limited profile\'s task queue with its share', () => {
  const profiles = [
    parseProfile(profileYaml('{ concurrency: 5, perSecond: 3 }'), 'a.yaml'),
    { ...parseProfile(profileYaml('{ perSecond: 10 }'), 'b.yaml'), name: 'rate-only' },
    { ...parseProfile(profileYaml('{ concurrency: 1 }'), 'c.yaml'), name: 'unlimited', limits: undefined },
  ];
  assert.deepEqual(limitedQueues(profiles, 'pollback', 2), [
    { profile: 'limited', taskQueue: 'pollback-api-limited', limits: { concurrency: 5, perSecond: 3 }, slotsPerWorker: 2, perSecondPerWorker: 1.5 },
    { profile: 'rate-only', taskQueue: 'pollback-api-rate-only', limits: { perSecond: 10 }, perSecondPerWorker: 5 },
  ]);
  assert.equal(apiTaskQueueName('jobs', 'x'), 'jobs-api-x');
  // Three processes cannot share two slots without one of them going over.
  assert.throws(() => limitedQueues([parseProfile(profileYaml('{ concurrency: 2 }'), 'a.yaml')], 'pollback', 3), (err: Error) => {
    assert.ok(err instanceof LimitsError);
    assert.match(err.message, /profile "limited": limits\.concurrency 2 cannot be shared by 3 worker processes \(POLLBACK_WORKER_PROCESSES\)/);
    return true;
  });
});

test('limits: POLLBACK_WORKER_PROCESSES is a positive whole number', () => {
  assert.equal(loadConfig({}).workerProcesses, 1);
  assert.equal(loadConfig({ POLLBACK_WORKER_PROCESSES: '4' }).workerProcesses, 4);
  for (const bad of ['0', '-1', '1.5', 'two']) assert.throws(() => loadConfig({ POLLBACK_WORKER_PROCESSES: bad }), (err: Error) => err instanceof ConfigError && err.message.startsWith('POLLBACK_WORKER_PROCESSES: '));
});

test('limits: an inline profile cannot set limits (no worker serves a task queue for it)', () => {
  const profile = { name: 'inline', allowedHosts: ['api.example.com'], start: { url: 'https://api.example.com/x' } };
  const parsed = jobInputSchema.safeParse({ profile: { ...profile, limits: { concurrency: 2 } }, completion: { mode: 'poll' } });
  assert.equal(parsed.success, false);
  assert.match(describeIssues(parsed.error), /^profile\.limits: an inline profile cannot set limits/);
  assert.equal(jobInputSchema.safeParse({ profile, completion: { mode: 'poll' } }).success, true);
});

const policy = { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 60_000 };

test('jitter: a retry waits at least Retry-After, spread over up to as long again', () => {
  assert.equal(jitteredRetryDelay({ attempt: 1, policy, retryAfterMs: 3_000, random: 0 }), 3_000);
  assert.equal(jitteredRetryDelay({ attempt: 1, policy, retryAfterMs: 3_000, random: 0.999_999 }), 6_000);
  // Without Retry-After: equal jitter on the exponential step (1 s, 2 s, 4 s, …).
  assert.deepEqual([1, 2, 3, 4].map((attempt) => jitteredRetryDelay({ attempt, policy, random: 0 })), [500, 1_000, 2_000, 4_000]);
  assert.deepEqual([1, 2, 3, 4].map((attempt) => jitteredRetryDelay({ attempt, policy, random: 0.5 })), [750, 1_500, 3_000, 6_000]);
  // Within the policy's maximum interval, unless Retry-After asks for more.
  assert.ok(jitteredRetryDelay({ attempt: 20, policy, random: 0.999 }) <= 60_000);
  assert.equal(jitteredRetryDelay({ attempt: 1, policy, retryAfterMs: 90_000, random: 0.7 }), 90_000);
});

test('jitter: a storm of the same 429 comes back spread out, not in lockstep', () => {
  const delays = Array.from({ length: 500 }, () => jitteredRetryDelay({ attempt: 1, policy, retryAfterMs: 1_000, random: Math.random() }));
  assert.ok(delays.every((d) => d >= 1_000 && d <= 2_000));
  // 500 retries over one second in 100 ms buckets: none holds a quarter of them.
  const buckets = new Map<number, number>();
  for (const d of delays) buckets.set(Math.floor(d / 100), (buckets.get(Math.floor(d / 100)) ?? 0) + 1);
  assert.ok(buckets.size >= 9, `${buckets.size} buckets`);
  assert.ok(Math.max(...buckets.values()) < 125, `largest bucket ${Math.max(...buckets.values())}`);
});
