import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventType, historyEvents } from '../helpers/history';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { startStack, type Stack } from '../helpers/stack';
import { simJob as simJobRecord, type SimJobRecord } from '../helpers/remote';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const simJob = (remoteJobId: string): Promise<SimJobRecord> => simJobRecord(stack.sim.url, remoteJobId);

test('a retried start (response lost after the remote job was created) never creates a second remote job', async () => {
  const before = stack.sim.counters().jobsCreated;
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'idem', scenario: { durationMs: 100, startErrors: 2, startErrorCode: 'reset' } },
    completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } },
  });
  const result = await handle.result();
  assert.equal(stack.sim.counters().jobsCreated - before, 1, 'exactly one remote job');
  const job = await simJob(result.remoteJobId ?? '');
  assert.equal(job.counters.startRequests, 3, 'the start was sent three times');
});

test('429 with Retry-After on start is retried after the advertised delay', async () => {
  const handle = await stack.start({
    profile: 'lro-export',
    params: { dataset: 'd', scenario: { durationMs: 100, startErrors: 1, startErrorCode: 429, retryAfterSeconds: 2 } },
    completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } },
  });
  const result = await handle.result();
  assert.ok(result.durationMs >= 1_900, `finished in ${result.durationMs} ms`);
  const events = await historyEvents(handle);
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 2);
});

test('a status query sent right after the start has an answer while the job reads its input', async () => {
  // The first step is a local activity; the query handler is there before it, from the first activation.
  const handles = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    stack.start({ profile: 'task-token', title: `query ${i}`, params: { waitTime: 0.2 }, completion: { mode: 'callback', timeout: '2h' }, download: false })));
  const statuses = await Promise.all(handles.map((handle) => handle.query<JobStatus>(STATUS_QUERY)));
  for (const [i, status] of statuses.entries()) {
    assert.equal(status.profile, 'task-token');
    assert.equal(status.mode, 'callback');
    assert.equal(status.summary, `query ${i} (callback)`);
    // The deadline as the input states it, whether read from the input or from the parsed job.
    const hours = (Date.parse(status.deadline) - Date.parse(status.startedAt)) / 3_600_000;
    assert.ok(hours > 1.99 && hours <= 2.01, `deadline ${status.deadline}, started ${status.startedAt}`);
  }
  await Promise.all(handles.map((handle) => handle.result()));
});
