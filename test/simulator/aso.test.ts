import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ASO_AUTH, call, download, field, ManualClock, startSim, withScenario } from './helpers';

function startUrl(base: string, scenario?: Record<string, unknown>): string {
  const url = `${base}/aso/v1/reports/r-1/async`;
  return scenario ? withScenario(url, scenario) : url;
}

test('ASO: missing credentials answer 401 problem+json naming what is missing', async (t) => {
  const sim = await startSim(t);
  const partial: Record<string, string>[] = [{}, { authorization: ASO_AUTH.authorization }, { 'x-api-key': ASO_AUTH['x-api-key'] }];
  for (const headers of partial) {
    const res = await call('GET', startUrl(sim.url), { headers });
    assert.equal(res.status, 401);
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.deepEqual(Object.keys(res.body as object).sort(), ['detail', 'status', 'title', 'type']);
  }
  const none = await call('GET', startUrl(sim.url));
  assert.match(field(none, 'detail'), /Authorization: Bearer, X-API-Key/);
  assert.equal(sim.counters().jobsCreated, 0);
});

test('ASO: wrong bearer token or API key answers 403', async (t) => {
  const sim = await startSim(t);
  const wrongToken = await call('GET', startUrl(sim.url), { headers: { ...ASO_AUTH, authorization: 'Bearer nope' } });
  const wrongKey = await call('GET', startUrl(sim.url), { headers: { ...ASO_AUTH, 'x-api-key': 'nope' } });
  assert.equal(wrongToken.status, 403);
  assert.equal(wrongKey.status, 403);
  const status = await call('GET', `${sim.url}/aso/v1/asyncStatus/anything`, { headers: { ...ASO_AUTH, 'x-api-key': 'nope' } });
  assert.equal(status.status, 403);
});

test('ASO: a repeated Idempotency-Key returns the same job without creating another', async (t) => {
  const sim = await startSim(t);
  const headers = { ...ASO_AUTH, 'idempotency-key': 'k-1' };
  const first = await call('GET', startUrl(sim.url), { headers });
  const again = await call('GET', startUrl(sim.url), { headers });
  const other = await call('GET', startUrl(sim.url), { headers: { ...ASO_AUTH, 'idempotency-key': 'k-2' } });
  assert.equal(first.status, 202);
  assert.equal(again.status, 202);
  assert.equal(field(again, 'statusUrl'), field(first, 'statusUrl'));
  assert.equal(again.headers['x-sim-job-id'], first.headers['x-sim-job-id']);
  assert.notEqual(field(other, 'statusUrl'), field(first, 'statusUrl'));
  assert.equal(sim.counters().jobsCreated, 2);
  assert.equal(sim.counters().idempotentReplays, 1);
});

test('ASO: status goes processing → completed with a pre-signed result URL', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url, { durationMs: 1_000 }), { headers: ASO_AUTH });
  assert.equal(created.status, 202);
  const statusUrl = field(created, 'statusUrl');
  const jobId = created.headers['x-sim-job-id'] ?? '';
  assert.equal(statusUrl, `${sim.url}/aso/v1/asyncStatus/${jobId}`);
  assert.deepEqual(created.body, { statusUrl, statusUrlExpiresInSeconds: 1800 });
  assert.deepEqual((await call('GET', statusUrl, { headers: ASO_AUTH })).body, { status: 'processing' });
  await sleep(1_100);
  const done = await call('GET', statusUrl, { headers: ASO_AUTH });
  assert.equal(done.status, 200);
  assert.equal(field(done, 'status'), 'completed');
  assert.equal((done.body as { resultUrlExpiresInSeconds: number }).resultUrlExpiresInSeconds, 300);
  const resultUrl = new URL(field(done, 'resultUrl'));
  assert.equal(resultUrl.pathname, `/files/${jobId}`);
  assert.ok(resultUrl.searchParams.get('expires'));
  assert.ok(resultUrl.searchParams.get('signature'));
  const file = await download(resultUrl.href);
  assert.equal(file.status, 200);
  assert.equal(file.bytes.length, 1024);
});

test('ASO: a failed job reports its error message', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url, { durationMs: 50, outcome: 'failed', errorMessage: 'quota exceeded' }), { headers: ASO_AUTH });
  await sleep(80);
  const status = await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH });
  assert.deepEqual(status.body, { status: 'failed', message: 'quota exceeded' });
});

test('ASO: a job the service cancels reports cancelled', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url, { durationMs: 50, outcome: 'cancelled' }), { headers: ASO_AUTH });
  await sleep(80);
  const status = await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH });
  assert.equal(field(status, 'status'), 'cancelled');
  assert.ok(field(status, 'message'));
});

test('ASO: DELETE cancels a running job; a finished job cannot be cancelled', async (t) => {
  const sim = await startSim(t);
  const running = await call('GET', startUrl(sim.url, { durationMs: 60_000 }), { headers: ASO_AUTH });
  const statusUrl = field(running, 'statusUrl');
  const cancel = await call('DELETE', statusUrl, { headers: ASO_AUTH });
  assert.equal(cancel.status, 202);
  assert.equal(field(await call('GET', statusUrl, { headers: ASO_AUTH }), 'status'), 'cancelled');
  assert.equal(sim.counters().cancels, 1);

  const finished = await call('GET', startUrl(sim.url, { durationMs: 0 }), { headers: ASO_AUTH });
  const conflict = await call('DELETE', field(finished, 'statusUrl'), { headers: ASO_AUTH });
  assert.equal(conflict.status, 409);
});

test('ASO: the status URL answers 403 "status URL expired" after its TTL', async (t) => {
  const clock = new ManualClock();
  const sim = await startSim(t, { clock });
  const created = await call('GET', startUrl(sim.url, { durationMs: 600_000, statusUrlTtlSeconds: 60 }), { headers: ASO_AUTH });
  assert.equal((created.body as { statusUrlExpiresInSeconds: number }).statusUrlExpiresInSeconds, 60);
  const statusUrl = field(created, 'statusUrl');
  clock.advance(59_000);
  assert.equal((await call('GET', statusUrl, { headers: ASO_AUTH })).status, 200);
  clock.advance(1_000);
  const expired = await call('GET', statusUrl, { headers: ASO_AUTH });
  assert.equal(expired.status, 403);
  assert.equal(field(expired, 'title'), 'status URL expired');
});

test('ASO: each completed read issues a fresh result URL; an expired one answers 403', async (t) => {
  const clock = new ManualClock();
  const sim = await startSim(t, { clock });
  const created = await call('GET', startUrl(sim.url, { durationMs: 0, resultUrlTtlSeconds: 30 }), { headers: ASO_AUTH });
  const statusUrl = field(created, 'statusUrl');
  const first = field(await call('GET', statusUrl, { headers: ASO_AUTH }), 'resultUrl');
  clock.advance(10_000);
  const second = field(await call('GET', statusUrl, { headers: ASO_AUTH }), 'resultUrl');
  assert.notEqual(first, second);
  assert.equal((await download(first)).status, 200);
  assert.equal((await download(second)).status, 200);
  clock.advance(25_000);
  const expired = await call('GET', first);
  assert.equal(expired.status, 403);
  assert.equal(field(expired, 'title'), 'result URL expired');
  assert.equal((await download(second)).status, 200);
  const fresh = field(await call('GET', statusUrl, { headers: ASO_AUTH }), 'resultUrl');
  assert.equal((await download(fresh)).status, 200);
});

test('ASO: a result URL with a forged signature or expiry answers 403', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url, { durationMs: 0 }), { headers: ASO_AUTH });
  const resultUrl = new URL(field(await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH }), 'resultUrl'));
  const forgedExpiry = new URL(resultUrl);
  forgedExpiry.searchParams.set('expires', String(Number(resultUrl.searchParams.get('expires')) + 1000));
  const forgedSignature = new URL(resultUrl);
  forgedSignature.searchParams.set('signature', 'x'.repeat(43));
  const unsigned = new URL(resultUrl.pathname, resultUrl);
  for (const url of [forgedExpiry, forgedSignature, unsigned]) {
    const res = await call('GET', url.href);
    assert.equal(res.status, 403, url.href);
    assert.equal(field(res, 'title'), 'invalid signature');
  }
  assert.equal(sim.counters().downloads, 0);
});

test('ASO: an unknown status id answers 404', async (t) => {
  const sim = await startSim(t);
  const res = await call('GET', `${sim.url}/aso/v1/asyncStatus/aso-missing`, { headers: ASO_AUTH });
  assert.equal(res.status, 404);
  assert.match(res.headers['content-type'] ?? '', /problem\+json/);
});

test('ASO: the first statusErrors reads fail with the chosen code and Retry-After', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url, { durationMs: 0, statusErrors: 2 }), { headers: ASO_AUTH });
  const statusUrl = field(created, 'statusUrl');
  for (let i = 0; i < 2; i += 1) {
    const res = await call('GET', statusUrl, { headers: ASO_AUTH });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '1');
  }
  assert.equal(field(await call('GET', statusUrl, { headers: ASO_AUTH }), 'status'), 'completed');

  const limited = await call('GET', startUrl(sim.url, { durationMs: 0, statusErrors: 1, statusErrorCode: 429, retryAfterSeconds: 3 }), { headers: ASO_AUTH });
  const throttled = await call('GET', field(limited, 'statusUrl'), { headers: ASO_AUTH });
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers['retry-after'], '3');
  assert.equal((await call('GET', field(limited, 'statusUrl'), { headers: ASO_AUTH })).status, 200);
  assert.equal(sim.counters().statusReads, 5);
});

test('ASO: neverFinish keeps a job processing past its duration', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url, { durationMs: 20, neverFinish: true }), { headers: ASO_AUTH });
  await sleep(80);
  assert.deepEqual((await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH })).body, { status: 'processing' });
});

test('ASO: the scenario may also come in the x-sim-scenario header', async (t) => {
  const sim = await startSim(t);
  const created = await call('GET', startUrl(sim.url), { headers: { ...ASO_AUTH, 'x-sim-scenario': JSON.stringify({ durationMs: 0, outcome: 'failed' }) } });
  assert.equal(field(await call('GET', field(created, 'statusUrl'), { headers: ASO_AUTH }), 'status'), 'failed');
});
