import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { request } from 'undici';
import { ASO_AUTH, BEARER, call, download, field, startSim, withScenario } from './helpers';

/** Creates an ASO job that is complete at once and returns a pre-signed URL for its result. */
async function readyResult(t: TestContext, scenario: Record<string, unknown> = {}): Promise<{ url: string; jobId: string; simUrl: string }> {
  const sim = await startSim(t);
  const created = await call('GET', withScenario(`${sim.url}/aso/v1/reports/r/async`, { durationMs: 0, ...scenario }), { headers: ASO_AUTH });
  const status = await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH });
  return { url: field(status, 'resultUrl'), jobId: created.headers['x-sim-job-id'] ?? '', simUrl: sim.url };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

test('download: headers, and x-checksum-sha256 is the SHA-256 of the bytes', async (t) => {
  const { url } = await readyResult(t, { resultSize: 300_000, resultName: 'sales 2024.csv' });
  const file = await download(url);
  assert.equal(file.status, 200);
  assert.equal(file.bytes.length, 300_000);
  assert.equal(file.headers['content-length'], '300000');
  assert.equal(file.headers['content-type'], 'application/octet-stream');
  assert.equal(file.headers['content-disposition'], 'attachment; filename="sales 2024.csv"');
  assert.equal(file.headers['accept-ranges'], 'bytes');
  assert.equal(file.headers['x-checksum-sha256'], sha256(file.bytes));
  assert.equal(file.headers.etag, `"${sha256(file.bytes)}"`);
});

test('download: the payload is deterministic text and differs between jobs', async (t) => {
  const a = await readyResult(t, { resultSize: 70_000 });
  const first = await download(a.url);
  const again = await download(a.url);
  assert.deepEqual(again.bytes, first.bytes);
  assert.match(first.bytes.subarray(0, 128).toString('latin1'), /^[A-Za-z0-9+/]{63}\n[A-Za-z0-9+/]{63}\n$/);
  const b = await readyResult(t, { resultSize: 70_000 });
  assert.notDeepEqual((await download(b.url)).bytes, first.bytes);
});

test('download: Range requests answer 206 with the matching slice', async (t) => {
  const { url } = await readyResult(t, { resultSize: 200_000 });
  const whole = (await download(url)).bytes;
  const cases: [string, number, number][] = [
    ['bytes=0-0', 0, 1],
    ['bytes=100-199', 100, 200],
    ['bytes=65530-131080', 65530, 131081],
    ['bytes=199990-', 199990, 200000],
    ['bytes=150000-999999', 150000, 200000],
    ['bytes=-10', 199990, 200000],
  ];
  for (const [range, start, end] of cases) {
    const part = await download(url, { range });
    assert.equal(part.status, 206, range);
    assert.equal(part.headers['content-range'], `bytes ${start}-${end - 1}/200000`, range);
    assert.equal(part.headers['content-length'], String(end - start), range);
    assert.deepEqual(part.bytes, whole.subarray(start, end), range);
    assert.equal(part.headers['x-checksum-sha256'], sha256(whole), range);
  }
});

test('download: an unsatisfiable Range answers 416; a multi-range is ignored', async (t) => {
  const { url } = await readyResult(t, { resultSize: 1000 });
  const res = await call('GET', url, { headers: { range: 'bytes=1000-' } });
  assert.equal(res.status, 416);
  assert.equal(res.headers['content-range'], 'bytes */1000');
  const multi = await download(url, { range: 'bytes=0-1,5-6' });
  assert.equal(multi.status, 200);
  assert.equal(multi.bytes.length, 1000);
});

test('download: truncateOnce cuts the first download short mid-body; the next one is whole', async (t) => {
  const { url } = await readyResult(t, { resultSize: 1_000_000, truncateOnce: true });
  const res = await request(url);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-length'], '1000000');
  let received = 0;
  await assert.rejects(async () => {
    for await (const chunk of res.body) received += (chunk as Buffer).length;
  });
  assert.ok(received > 0 && received < 1_000_000, `received ${received} bytes`);
  const whole = await download(url);
  assert.equal(whole.bytes.length, 1_000_000);
  assert.equal(sha256(whole.bytes), whole.headers['x-checksum-sha256']);
});

test('download: a result that is not ready answers 404', async (t) => {
  const sim = await startSim(t);
  const op = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { scenario: { durationMs: 60_000 } } });
  const result = await call('GET', `${op.headers['operation-location']}/result`, { headers: BEARER });
  assert.equal(result.status, 404);
  assert.match(field(result, 'detail'), /no result yet/);
});

test('download: a zero-byte result is served empty', async (t) => {
  const { url } = await readyResult(t, { resultSize: 0 });
  const file = await download(url);
  assert.equal(file.status, 200);
  assert.equal(file.bytes.length, 0);
  assert.equal(file.headers['x-checksum-sha256'], sha256(Buffer.alloc(0)));
});
