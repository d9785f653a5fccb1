import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../helpers/eventually';
import { count, EventType, historyEvents } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

test('hybrid: a lost callback is rescued by the safety poll', async () => {
  const handle = await stack.start({
    profile: 'task-token',
    params: { waitTime: 0.3, output: { saved: 'by the poll' }, scenario: { callback: 'drop' } },
    completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '500ms', backoff: 1 } },
  });
  const result = await handle.result();
  assert.equal(result.via, 'poll');
  assert.ok(result.polls >= 1);
});

test('hybrid: the callback wins when it comes first, and no poll was needed', async () => {
  const handle = await stack.start({
    profile: 'task-token',
    params: { waitTime: 0.2, output: { fast: true } },
    completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '30s', backoff: 1 } },
  });
  const result = await handle.result();
  assert.equal(result.via, 'callback');
  assert.deepEqual(result.output, { fast: true });
  assert.equal(result.polls, 0);
});

test('hybrid: a callback settles the job at once and cancels the polling activity', async () => {
  // Frequent safety polls (an activity) see "running" for 30 s; the callback comes after 1.5 s.
  const handle = await stack.start({
    profile: 'task-token',
    params: { waitTime: 30, output: { won: 'callback' }, scenario: { callback: 'early', callbackDelayMs: 1_500 } },
    completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '200ms', backoff: 1 } },
    download: false,
  });
  const result = await handle.result();
  assert.equal(result.via, 'callback');
  assert.deepEqual(result.output, { won: 'callback' });
  const events = await historyEvents(handle);
  const polling = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollUntilDone');
  assert.equal(polling.length, 1);
  // The job did not wait for the activity: the cancel was requested and the job completed.
  assert.equal(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED), 1);
  assert.equal(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 1, 'only the start activity completed');
  // The safety polls ran, and stop once the cancel reaches the activity (its next heartbeat).
  const reads = async (): Promise<number> => ((await (await fetch(`${stack.sim.url}/__sim/jobs/${result.remoteJobId ?? ''}`)).json()) as { counters: Record<string, number> }).counters.statusReads ?? 0;
  assert.ok((await reads()) >= 3);
  await eventually('polls stopped', async () => {
    const before = await reads();
    await new Promise((r) => setTimeout(r, 1_000));
    return (await reads()) === before ? before : undefined;
  });
});
