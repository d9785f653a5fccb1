// A 1 GB result streams to disk with constant memory: the worker (and the simulator serving
// the bytes, in this same process) never holds more than a small window of the file.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

test('a 1 GB download keeps memory flat', async () => {
  const size = 1_000_000_000;
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'big', scenario: { durationMs: 10, resultSize: size } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } });
    const result = await handle.result();
    assert.equal(result.file?.size, size);
    assert.equal((await stat(result.file.path)).size, size);
  } finally {
    clearInterval(sampler);
  }
  const growthMb = (peak - baseline) / 2 ** 20;
  console.log(`1 GB download: peak RSS growth ${growthMb.toFixed(0)} MiB`);
  // Buffering the file would need ~1,000 MiB; a streamed download stays a small fraction of it.
  assert.ok(growthMb < 200, `RSS grew by ${growthMb.toFixed(0)} MiB`);
});
