// Determinism guard: recorded histories of every completion mode (test/fixtures/histories,
// made by `npm run record-histories`) must replay against today's workflow code.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

const dir = path.resolve(__dirname, '../fixtures/histories');

test('recorded histories of every mode replay deterministically', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 8, `expected recorded histories, found ${files.length}`);
  const bundle = process.env.POLLBACK_WORKFLOW_BUNDLE;
  const options = bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../../src/workflows') };
  const histories = await Promise.all(files.map(async (file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(await readFile(path.join(dir, file), 'utf8'))) })));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(options, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
});
