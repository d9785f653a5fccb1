// Its own file (so its own process): the RSS bound would be meaningless next to other tests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { request } from 'undici';
import { ASO_AUTH, call, field, startSim, withScenario } from './helpers';

const SIZE = 200 * 1024 * 1024;
const RSS_BUDGET = 100 * 1024 * 1024;

test('download: a 200 MB result streams in constant memory and matches its checksum', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', withScenario(`${sim.url}/aso/v1/reports/big/async`, { durationMs: 0, resultSize: SIZE }), { headers: ASO_AUTH });
  const resultUrl = field(await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH }), 'resultUrl');
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  t.after(() => clearInterval(sampler));

  const res = await request(resultUrl);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-length'], String(SIZE));
  const hash = createHash('sha256');
  let received = 0;
  for await (const chunk of res.body) {
    hash.update(chunk as Buffer);
    received += (chunk as Buffer).length;
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  assert.equal(received, SIZE);
  assert.equal(hash.digest('hex'), res.headers['x-checksum-sha256']);
  const growth = `RSS grew by ${((peak - baseline) / 2 ** 20).toFixed(1)} MiB`;
  t.diagnostic(growth);
  assert.ok(peak - baseline < RSS_BUDGET, growth);
});
