// The benchmark's history breakdown (bench/history.ts) on a recorded Pollback history, and the
// hand-written equivalent's callback token (bench/handwritten/token.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { mintCallbackToken, verifyCallbackToken } from '../../bench/handwritten/token';
import { compareCounts, countEvents, eventTypeName, meanCounts } from '../../bench/history';

async function recorded(name: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const json: unknown = JSON.parse(await readFile(path.join(__dirname, '../fixtures/histories', name), 'utf8'));
  return historyFromJSON(json).events ?? [];
}

test('event types read as the Web UI writes them, from the enum number or its name', () => {
  assert.equal(eventTypeName(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 'ActivityTaskScheduled');
  assert.equal(eventTypeName(temporal.api.enums.v1.EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES), 'UpsertWorkflowSearchAttributes');
});

test('a recorded callback job counted by type, activity, signal and search attribute', async () => {
  const events = await recorded('callback-success.json');
  const counts = countEvents(events);
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), events.length);
  // Started and completed events name the activity their scheduled event names.
  assert.equal(counts['ActivityTaskScheduled startRemoteJob'], 1);
  assert.equal(counts['ActivityTaskStarted startRemoteJob'], 1);
  assert.equal(counts['ActivityTaskCompleted downloadResult'], 1);
  assert.equal(counts['WorkflowExecutionSignaled callback'], 2);
  assert.equal(counts['WorkflowExecutionSignaled downloadProgress'], 1);
  assert.equal(counts['UpsertWorkflowSearchAttributes PollbackPhase+PollbackProfile'], 1);
  assert.equal(counts['UpsertWorkflowSearchAttributes PollbackRemoteJobId'], 1);
  assert.equal(counts['UpsertWorkflowSearchAttributes PollbackPhase'], 3);
  assert.equal(counts.WorkflowTaskCompleted, 5);
});

test('means over jobs count a missing label as 0; differences list the largest surplus first', () => {
  const mean = meanCounts([{ a: 2, b: 1 }, { a: 4 }]);
  assert.deepEqual(mean, { a: 3, b: 0.5 });
  assert.deepEqual(compareCounts({ a: 3, b: 1, same: 2 }, { a: 1, c: 1, same: 2 }), [
    { label: 'a', ours: 3, theirs: 1, extra: 2 },
    { label: 'b', ours: 1, theirs: 0, extra: 1 },
    { label: 'c', ours: 0, theirs: 1, extra: -1 },
  ]);
});

test('the hand-written callback token names its workflow and cannot be forged', () => {
  const key = Buffer.from('a key of the hand-written endpoint');
  const token = mintCallbackToken(key, 'hw-123');
  assert.equal(verifyCallbackToken(key, token), 'hw-123');
  assert.equal(verifyCallbackToken(Buffer.from('another key'), token), undefined);
  const [, signature] = token.split('.');
  assert.equal(verifyCallbackToken(key, `${Buffer.from('hw-456').toString('base64url')}.${signature}`), undefined);
  for (const malformed of ['', 'abc', 'a.b.c', `${token}.x`]) assert.equal(verifyCallbackToken(key, malformed), undefined);
});
