import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_KEY, ASO_AUTH, BEARER, call, CallbackReceiver, field, startSim, withScenario } from './helpers';

interface JobView {
  jobId: string;
  style: string;
  state: string;
  idempotencyKey: string | null;
  counters: Record<string, number>;
}

test('admin: per-job counters stay separate while the global counters add up', async (t) => {
  const sim = await startSim(t);
  const a = await call('GET', withScenario(`${sim.url}/aso/v1/reports/a/async`, { durationMs: 0 }), { headers: ASO_AUTH });
  const b = await call('GET', withScenario(`${sim.url}/aso/v1/reports/b/async`, { durationMs: 0 }), { headers: ASO_AUTH });
  for (let i = 0; i < 3; i += 1) await call('GET', field(a, 'statusUrl'), { headers: ASO_AUTH });
  await call('GET', field(b, 'statusUrl'), { headers: ASO_AUTH });
  const viewA = (await call('GET', `${sim.url}/__sim/jobs/${a.headers['x-sim-job-id']}`)).body as JobView;
  const viewB = (await call('GET', `${sim.url}/__sim/jobs/${b.headers['x-sim-job-id']}`)).body as JobView;
  assert.equal(viewA.style, 'aso');
  assert.equal(viewA.state, 'succeeded');
  assert.equal(viewA.counters.statusReads, 3);
  assert.equal(viewB.counters.statusReads, 1);
  const global = (await call('GET', `${sim.url}/__sim/counters`)).body;
  const { load, ...counts } = global as { load: Record<string, { inFlight: number; maxInFlight: number; requests: number }> };
  assert.deepEqual(counts, { jobsCreated: 2, idempotentReplays: 0, startRequests: 2, statusReads: 4, downloads: 0, rangedDownloads: 0, resultUrlsIssued: 4, callbacksSent: 0, callbackAttempts: 0, cancels: 0 });
  // One request after another: never two in flight; the admin requests are not counted.
  assert.deepEqual(Object.keys(load), ['aso']);
  assert.deepEqual([load.aso?.inFlight, load.aso?.maxInFlight, load.aso?.requests], [0, 1, 6]);
  assert.deepEqual(sim.counters(), global);
  assert.equal((await call('GET', `${sim.url}/__sim/jobs/nope`)).status, 404);
});

test('admin: a job can be found by its idempotency key', async (t) => {
  const sim = await startSim(t);
  const created = await call('POST', `${sim.url}/lro/v1/exports`, { headers: { ...BEARER, 'idempotency-key': 'find-me' }, json: {} });
  await call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: {} });
  const found = (await call('GET', `${sim.url}/__sim/jobs?idempotencyKey=find-me`)).body as { jobs: JobView[] };
  assert.deepEqual(found.jobs.map((j) => [j.jobId, j.idempotencyKey]), [[field(created, 'id'), 'find-me']]);
  assert.equal(((await call('GET', `${sim.url}/__sim/jobs`)).body as { jobs: JobView[] }).jobs.length, 2);
});

test('admin: reset clears jobs, counters and pending callbacks', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  const created = await call('POST', `${sim.url}/tasks/v1/jobs`, { headers: API_KEY, json: { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.5 } });
  const reset = await call('POST', `${sim.url}/__sim/reset`);
  assert.equal(reset.status, 204);
  const { load, ...counts } = sim.counters();
  assert.ok(Object.values(counts).every((n) => n === 0));
  assert.deepEqual(load, {});
  assert.equal((await call('GET', `${sim.url}/__sim/jobs/${field(created, 'jobId')}`)).status, 404);
  await sleep(700); // past the job's half second: its callback would have come by now
  assert.equal(receiver.received.length, 0);
});

test('admin: close() stops pending callbacks', async (t) => {
  const sim = await startSim(t);
  const receiver = await CallbackReceiver.start(t);
  await call('POST', `${sim.url}/tasks/v1/jobs`, { headers: API_KEY, json: { callbackUrl: receiver.url, taskToken: 'tok', waitTime: 0.5 } });
  await sim.close();
  await sleep(700); // past the job's half second
  assert.equal(receiver.received.length, 0);
});

test('scenario: invalid values answer 400 naming the field, from any source', async (t) => {
  const sim = await startSim(t);
  const aso = `${sim.url}/aso/v1/reports/r/async`;
  const cases: [string, Promise<{ status: number; body: unknown }>, RegExp][] = [
    ['query', call('GET', withScenario(aso, { durationMs: -1 }), { headers: ASO_AUTH }), /scenario\.durationMs/],
    ['query code', call('GET', withScenario(aso, { statusErrorCode: 404 }), { headers: ASO_AUTH }), /scenario\.statusErrorCode/],
    ['header', call('GET', aso, { headers: { ...ASO_AUTH, 'x-sim-scenario': JSON.stringify({ durationMS: 5 }) } }), /durationMS/],
    ['body', call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { scenario: { outcome: 'maybe' } } }), /scenario\.outcome/],
    ['task body', call('POST', `${sim.url}/tasks/v1/jobs`, { headers: API_KEY, json: { callbackUrl: 'http://127.0.0.1/cb', taskToken: 't', scenario: { callback: 'sometimes' } } }), /scenario\.callback/],
    ['name', call('GET', withScenario(aso, { resultName: 'a"b' }), { headers: ASO_AUTH }), /scenario\.resultName/],
    ['json', call('GET', `${aso}?scenario=%7Bnope`, { headers: ASO_AUTH }), /not valid JSON/],
    ['array', call('GET', `${aso}?scenario=%5B%5D`, { headers: ASO_AUTH }), /must be a JSON object/],
  ];
  for (const [name, pending, detail] of cases) {
    const res = await pending;
    assert.equal(res.status, 400, name);
    assert.equal((res.body as { title: string }).title, 'invalid scenario', name);
    assert.match((res.body as { detail: string }).detail, detail, name);
  }
  assert.equal(sim.counters().jobsCreated, 0);
});

test('admin: unknown routes answer 404 problem+json', async (t) => {
  const sim = await startSim(t);
  const res = await call('GET', `${sim.url}/nothing/here`);
  assert.equal(res.status, 404);
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal((res.body as { status: number }).status, 404);
});

test('admin: load per API style counts requests in flight at once and the most within one and five seconds', async (t) => {
  const sim = await startSim(t);
  // Five slow starts at once: all five are in flight together.
  const slow = { latencyMs: 400, durationMs: 0 };
  const started = await Promise.all(Array.from({ length: 5 }, () => call('POST', `${sim.url}/lro/v1/exports`, { headers: BEARER, json: { scenario: slow } })));
  assert.ok(started.every((r) => r.status === 202));
  let load = sim.counters().load;
  assert.deepEqual(load.lro, { inFlight: 0, maxInFlight: 5, requests: 5, maxPerSecond: 5, maxPer5Seconds: 5 });
  // Three quick status reads one after another: one at a time, eight within the second.
  const statusUrl = started[0]?.headers['operation-location'] ?? '';
  for (let i = 0; i < 3; i += 1) await call('GET', statusUrl, { headers: BEARER });
  load = sim.counters().load;
  assert.equal(load.lro?.requests, 8);
  assert.equal(load.lro?.maxInFlight, 5);
  assert.ok((load.lro?.maxPerSecond ?? 0) >= 5);
  assert.equal(load.lro?.maxPer5Seconds, 8);
  // Another style is counted apart.
  await call('GET', withScenario(`${sim.url}/aso/v1/reports/a/async`, { durationMs: 0 }), { headers: ASO_AUTH });
  assert.deepEqual(sim.counters().load.aso, { inFlight: 0, maxInFlight: 1, requests: 1, maxPerSecond: 1, maxPer5Seconds: 1 });
});
