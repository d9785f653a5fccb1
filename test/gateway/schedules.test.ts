// Recurring jobs through the job API on real Temporal Schedules: runs start on the interval
// and are jobs like any other, pause/resume/trigger/delete act on the schedule, the overlap
// policy skips a run while the last one still runs, cron specs honour their time zone, and
// bad requests are refused naming the field.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { JobView } from '../../src/gateway/jobs/job-view';
import type { ScheduleView } from '../../src/gateway/schedules/schedule-view';
import { eventually, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

let stack: GatewayStack;
before(async () => {
  stack = await startGatewayStack();
});
after(async () => {
  await stack.stop();
});

const view = async (scheduleId: string): Promise<ScheduleView> => (await stack.api('GET', `/v1/schedules/${scheduleId}`)).body as ScheduleView;
const detail = (body: Record<string, unknown>): string => String(body.detail);
const id = (name: string): string => `${name}-${randomBytes(4).toString('hex')}`;
const quickJob = { profile: 'aso-export', title: 'Nightly ASO export', params: { reportId: '42', scenario: { durationMs: 50, resultSize: 1_024 } }, completion: { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1 } } };

test('an interval schedule starts jobs; pause stops the runs, resume and trigger start them again, delete removes it', async () => {
  const scheduleId = id('every-2s');
  const created = await stack.api('POST', '/v1/schedules', { body: { id: scheduleId, spec: { interval: '2s' }, job: quickJob, note: 'test schedule' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.url, `/v1/schedules/${scheduleId}`);
  assert.equal(created.body.webUiUrl, `http://ui.test:8233/namespaces/default/schedules/${scheduleId}`);

  const twoRuns = await eventually('two runs', async () => {
    const s = await view(scheduleId);
    return s.recentRuns.length >= 2 ? s : undefined;
  }, 20_000);
  assert.deepEqual(twoRuns.spec, { interval: '2s' });
  assert.equal(twoRuns.overlap, 'skip');
  assert.equal(twoRuns.paused, false);
  assert.deepEqual(twoRuns.job, quickJob, 'each run starts with the input as sent');
  const firstRun = twoRuns.recentRuns[0]?.jobId ?? '';
  assert.ok(firstRun.startsWith(`${scheduleId}-`), firstRun);
  // A run is a job like any other: readable through the job API, and it succeeds.
  const job = await eventually('the first run to finish', async () => {
    const j = (await stack.api('GET', `/v1/jobs/${firstRun}`)).body as JobView;
    return j.state === 'succeeded' ? j : undefined;
  });
  assert.equal(job.profile, 'aso-export');
  assert.equal(job.result?.file?.size, 1_024);

  const paused = await stack.api('POST', `/v1/schedules/${scheduleId}/pause`, { body: { note: 'API maintenance' } });
  assert.equal(paused.status, 200);
  assert.equal(paused.body.paused, true);
  assert.equal(paused.body.note, 'API maintenance');
  const runsWhenPaused = paused.body.runsSoFar as number;
  await sleep(4_500);
  assert.equal((await view(scheduleId)).runsSoFar, runsWhenPaused, 'no run while paused');

  const resumed = await stack.api('POST', `/v1/schedules/${scheduleId}/resume`);
  assert.equal(resumed.body.paused, false, JSON.stringify(resumed.body));
  await eventually('a run after resuming', async () => ((await view(scheduleId)).runsSoFar > runsWhenPaused ? true : undefined), 20_000);
  await stack.api('POST', `/v1/schedules/${scheduleId}/pause`);
  const lastBefore = (await view(scheduleId)).recentRuns.at(-1)?.jobId;
  // A run's job id is the schedule id and the second it started: a trigger in the same second as the last run is that run.
  await sleep(1_100);
  const triggered = await stack.api('POST', `/v1/schedules/${scheduleId}/trigger`);
  assert.equal(triggered.status, 202);
  await eventually('the triggered run, though paused', async () => ((await view(scheduleId)).recentRuns.at(-1)?.jobId !== lastBefore ? true : undefined));

  const listed = (await stack.api('GET', '/v1/schedules?limit=200')).body as { schedules: { scheduleId: string }[] };
  assert.ok(listed.schedules.some((s) => s.scheduleId === scheduleId));

  const deleted = await stack.api('DELETE', `/v1/schedules/${scheduleId}`);
  assert.deepEqual(deleted.body, { scheduleId, deleted: true });
  assert.equal((await stack.api('GET', `/v1/schedules/${scheduleId}`)).body.type, 'ScheduleNotFound');
  assert.equal((await stack.api('DELETE', `/v1/schedules/${scheduleId}`)).status, 404);
});

test('overlap "skip": a run due while the last one still runs is skipped, and counted', async () => {
  const scheduleId = id('overlap');
  const waitsLong = { profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' }, download: false };
  assert.equal((await stack.api('POST', '/v1/schedules', { body: { id: scheduleId, spec: { interval: '1s' }, job: waitsLong } })).status, 201);
  try {
    const skipping = await eventually('skipped runs', async () => {
      const s = await view(scheduleId);
      return s.skippedForOverlap >= 2 ? s : undefined;
    }, 20_000);
    assert.equal(skipping.runsSoFar, 1, 'one run, the others skipped');
    assert.equal(skipping.runningJobs.length, 1);
  } finally {
    const running = (await view(scheduleId)).runningJobs;
    await stack.api('DELETE', `/v1/schedules/${scheduleId}`);
    for (const job of running) await stack.api('DELETE', `/v1/jobs/${job}`);
  }
});

test('a nightly cron in a time zone: the next runs are at 02:00 local time', async () => {
  const scheduleId = id('nightly');
  const created = await stack.api('POST', '/v1/schedules', { body: { id: scheduleId, spec: { cron: '0 2 * * *', timezone: 'Asia/Tokyo' }, overlap: 'bufferOne', paused: true, job: quickJob } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  try {
    const nightly = await view(scheduleId);
    assert.deepEqual(nightly.spec, { cron: '0 2 * * *', timezone: 'Asia/Tokyo' });
    assert.equal(nightly.overlap, 'bufferOne');
    assert.equal(nightly.paused, true);
    assert.ok(nightly.nextRunTimes.length >= 1);
    // 02:00 in Tokyo (UTC+9, no daylight saving) is 17:00 UTC.
    for (const at of nightly.nextRunTimes) assert.match(at, /T17:00:00\.000Z$/);
  } finally {
    await stack.api('DELETE', `/v1/schedules/${scheduleId}`);
  }
});

test('refusals: no time given, a cron Temporal cannot read, a bad job, a taken id, an unknown schedule, no token', async () => {
  const noTime = await stack.api('POST', '/v1/schedules', { body: { id: id('x'), spec: {}, job: quickJob } });
  assert.equal(noTime.status, 400);
  assert.match(detail(noTime.body), /spec: give cron, interval or both/);
  const badCron = await stack.api('POST', '/v1/schedules', { body: { id: id('x'), spec: { cron: 'every night please' }, job: quickJob } });
  assert.equal(badCron.status, 400, JSON.stringify(badCron.body));
  assert.equal(badCron.body.type, 'InvalidRequest');
  assert.match(detail(badCron.body), /CronString/);
  const badJob = await stack.api('POST', '/v1/schedules', { body: { id: id('x'), spec: { interval: '1h' }, job: { ...quickJob, completion: { mode: 'sometimes' } } } });
  assert.equal(badJob.status, 400);
  assert.match(detail(badJob.body), /job\.completion\.mode/);
  const badId = await stack.api('POST', '/v1/schedules', { body: { id: '../etc', spec: { interval: '1h' }, job: quickJob } });
  assert.equal(badId.status, 400);

  const scheduleId = id('taken');
  assert.equal((await stack.api('POST', '/v1/schedules', { body: { id: scheduleId, spec: { interval: '1h' }, paused: true, job: quickJob } })).status, 201);
  const again = await stack.api('POST', '/v1/schedules', { body: { id: scheduleId, spec: { interval: '1h' }, job: quickJob } });
  assert.equal(again.status, 409);
  assert.equal(again.body.type, 'ScheduleExists');
  await stack.api('DELETE', `/v1/schedules/${scheduleId}`);

  const unknown = await stack.api('POST', `/v1/schedules/${id('nope')}/pause`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.type, 'ScheduleNotFound');
  assert.equal((await stack.api('GET', '/v1/schedules', { token: null })).status, 401);
});
