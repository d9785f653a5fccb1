import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BEARER, call, download, field, startSim } from './helpers';

test('LRO: the Bearer token is required (401 missing, 403 wrong)', async (t) => {
  const sim = await startSim(t);
  assert.equal((await call('POST', `${sim.url}/lro/v1/exports`, { json: {} })).status, 401);
  assert.equal((await call('POST', `${sim.url}/lro/v1/exports`, { headers: { authorization: 'Bearer nope' }, json: {} })).status, 403);
  assert.equal((await call('GET', `${sim.url}/lro/v1/operations/lro-x`)).status, 401);
});

test('LRO: 202 carries Location, Operation-Location, Retry-After and the operation id', async (t) => {
  const sim = await startSim(t);
  const res = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { dataset: 'sales', scenario: { retryAfterSeconds: 2 } } });
  assert.equal(res.status, 202);
  const id = field(res, 'id');
  assert.deepEqual(res.body, { id, status: 'NotStarted' });
  assert.equal(res.headers['x-sim-job-id'], id);
  assert.equal(res.headers.location, `${sim.url}/lro/v1/operations/${id}`);
  assert.equal(res.headers['operation-location'], res.headers.location);
  assert.equal(res.headers['retry-after'], '2');
  const bodyless = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER });
  assert.equal(bodyless.status, 202);
});

test('LRO: status moves NotStarted → Running → Succeeded, then the result downloads', async (t) => {
  const sim = await startSim(t);
  // NotStarted for the first quarter (0.5 s), Running until 2 s: windows wide enough for a loaded machine.
  const created = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { scenario: { durationMs: 2_000, resultSize: 4096 } } });
  const monitor = created.headers['operation-location'] ?? '';
  const early = await call('GET', monitor, { headers: BEARER });
  assert.equal(field(early, 'status'), 'NotStarted');
  assert.equal(early.headers['retry-after'], '1');
  await sleep(800);
  const running = await call('GET', monitor, { headers: BEARER });
  assert.equal(field(running, 'status'), 'Running');
  assert.equal(running.headers['retry-after'], '1');
  await sleep(1_400);
  const done = await call('GET', monitor, { headers: BEARER });
  assert.equal(field(done, 'status'), 'Succeeded');
  assert.equal(done.headers['retry-after'], undefined);
  const resultUrl = field(done, 'resourceLocation');
  assert.equal(resultUrl, `${monitor}/result`);
  assert.equal((await call('GET', resultUrl)).status, 401);
  const file = await download(resultUrl, BEARER);
  assert.equal(file.status, 200);
  assert.equal(file.bytes.length, 4096);
  const part = await download(resultUrl, { ...BEARER, range: 'bytes=4000-' });
  assert.equal(part.status, 206);
  assert.deepEqual(part.bytes, file.bytes.subarray(4000));
});

test('LRO: a failed operation reports an error object and has no result', async (t) => {
  const sim = await startSim(t);
  const created = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { scenario: { durationMs: 0, outcome: 'failed', errorMessage: 'bad dataset' } } });
  const monitor = created.headers['operation-location'] ?? '';
  const status = await call('GET', monitor, { headers: BEARER });
  assert.deepEqual(status.body, { id: field(created, 'id'), status: 'Failed', error: { code: 'OperationFailed', message: 'bad dataset' } });
  assert.equal((await call('GET', `${monitor}/result`, { headers: BEARER })).status, 404);
});

test('LRO: DELETE cancels the operation', async (t) => {
  const sim = await startSim(t);
  const created = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { scenario: { durationMs: 60_000 } } });
  const monitor = created.headers['operation-location'] ?? '';
  const cancel = await call('DELETE', monitor, { headers: BEARER });
  assert.equal(cancel.status, 202);
  assert.equal(field(cancel, 'status'), 'Canceled');
  const status = await call('GET', monitor, { headers: BEARER });
  assert.equal(field(status, 'status'), 'Canceled');
  assert.equal(status.headers['retry-after'], undefined);
  assert.equal(sim.counters().cancels, 1);
});

test('LRO: Repeatability-Request-ID makes creation idempotent', async (t) => {
  const sim = await startSim(t);
  const headers = { ...BEARER, 'repeatability-request-id': 'rr-1' };
  const first = await call('POST', `${sim.url}/lro/v1/exports`, { headers, json: {} });
  const again = await call('POST', `${sim.url}/lro/v1/exports`, { headers, json: {} });
  assert.equal(again.headers['operation-location'], first.headers['operation-location']);
  assert.deepEqual([sim.counters().jobsCreated, sim.counters().idempotentReplays], [1, 1]);
});

test('LRO: a body that is not a JSON object answers 400', async (t) => {
  const sim = await startSim(t);
  const res = await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: [1, 2] });
  assert.equal(res.status, 400);
  assert.match(field(res, 'detail'), /^body/);
});
