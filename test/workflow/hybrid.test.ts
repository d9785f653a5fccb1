import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

test('hybrid: callback and poll racing settle the job exactly once', async () => {
  // The poll and the (duplicated) callback land around the same moment.
  const handles = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      stack.start({
        profile: 'task-token',
        params: { waitTime: 0.5, output: { i }, scenario: { callback: 'duplicate' } },
        completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '500ms', backoff: 1 } },
      }),
    ),
  );
  for (const [i, handle] of handles.entries()) {
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    if (result.via === 'callback') assert.deepEqual(result.output, { i });
    const events = await historyEvents(handle);
    assert.equal(count(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), 1);
  }
});
