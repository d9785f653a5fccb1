// Callbacks in the API's own words: the simulator's three third-party styles (a Bearer token,
// a token in the webhook URL's query, Stripe-style signed events correlated by the remote id)
// finish, fail, heartbeat and are refused through the real gateway, each described by one
// profile file and no code.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { STATUS_QUERY, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import type { asyncJob } from '../../src/workflows/async-job';
import type { JobInputJson } from '../../src/contract/job-input';
import { jobFailure } from '../helpers/failures';
import { eventually, metricValue, request, scrape, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';
import { count, EventType, historyEvents, type HistoryEvent } from '../helpers/history';
import { simJob } from '../helpers/remote';

let stack: GatewayStack;
before(async () => {
  stack = await startGatewayStack();
});
after(async () => {
  await stack.stop();
});

interface Style {
  profile: string;
  params: (scenario: object) => Record<string, unknown>;
  /** A callback the API never sent: must be refused with 401 and touch nothing. */
  forge(remoteId: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

const STYLES: Style[] = [
  {
    profile: 'render-farm',
    params: (scenario) => ({ scene: 'teapot', scenario }),
    forge: (id) => request(stack.url, 'POST', '/v1/profiles/render-farm/callback', { body: { operation: { id, state: 'DONE' } }, headers: { authorization: 'Bearer pb1.k1.e30.AAAA' } }),
  },
  {
    profile: 'transcribe',
    params: (scenario) => ({ media: 'talk.mp3', scenario }),
    forge: (id) => request(stack.url, 'POST', '/v1/profiles/transcribe/callback?token=not-a-token', { body: { job_id: id, status: 'completed' } }),
  },
  {
    profile: 'signed-events',
    params: (scenario) => ({ dataset: 'sales', scenario }),
    forge: (id) =>
      request(stack.url, 'POST', '/v1/profiles/signed-events/callback', {
        body: { type: 'export.completed', data: { export: { id, state: 'completed' } } },
        headers: { 'sim-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      }),
  },
];

let seq = 0;
const start = (input: JobInputJson): Promise<WorkflowHandle<typeof asyncJob>> =>
  stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: `api-cb-${Date.now()}-${seq++}`, args: [input] });

/** The `callback` / `callbackRefused` signals in a job's history, decoded. */
function signals(events: readonly HistoryEvent[]): { name: string; payload: Record<string, unknown> }[] {
  return events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
    .map((e) => {
      const attrs = e.workflowExecutionSignaledEventAttributes;
      const data = attrs?.input?.payloads?.[0]?.data;
      return { name: attrs?.signalName ?? '', payload: data ? (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>) : {} };
    });
}

for (const style of STYLES) {
  const { profile } = style;

  test(`${profile}: success with a result to download, with progress callbacks on the way`, async () => {
    const job = await start({ profile, params: style.params({ durationMs: 1_500, progressCallbacks: 2 }), completion: { mode: 'callback', timeout: '1m' } });
    const result = await job.result();
    assert.equal(result.via, 'callback');
    assert.ok(result.file, 'the result URL the callback announced was downloaded');
    const bytes = await readFile(result.file.path);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), result.file.sha256);
    const received = signals(await historyEvents(job));
    const beats = received.filter((s) => s.name === 'callback' && s.payload.kind === 'heartbeat');
    assert.equal(beats.length, 2, JSON.stringify(received));
    for (const beat of beats) assert.ok(typeof beat.payload.progress === 'number' && beat.payload.progress > 0 && beat.payload.progress < 100, JSON.stringify(beat));
    const success = received.find((s) => s.payload.kind === 'success');
    assert.match(String(success?.payload.resultUrl), /^http:\/\/127\.0\.0\.1:\d+\/files\//);
    assert.match(String(success?.payload.sha256), /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(received).includes('pb1.'), 'no task token in history');
  });

  test(`${profile}: failure carries the API's error code and message`, async () => {
    const job = await start({ profile, params: style.params({ durationMs: 200, outcome: 'failed', errorCode: 'QuotaExceeded', errorMessage: 'monthly quota used up' }), completion: { mode: 'callback', timeout: '1m' } });
    const failure = await jobFailure(job);
    assert.equal(failure.type, 'RemoteJobFailed');
    assert.match(failure.message, /^remote job failed: \[QuotaExceeded\] monthly quota used up/);
    assert.equal((failure.details?.[0] as { code?: string }).code, 'QuotaExceeded');
  });

  test(`${profile}: duplicate and early callbacks finish the job once`, async () => {
    const duplicate = await start({ profile, params: style.params({ durationMs: 200, callback: 'duplicate' }), completion: { mode: 'callback', timeout: '1m' }, download: false });
    const early = await start({ profile, params: style.params({ durationMs: 800, callback: 'early' }), completion: { mode: 'callback', timeout: '1m' }, download: false });
    assert.equal((await duplicate.result()).via, 'callback');
    assert.equal((await early.result()).via, 'callback');
    // The second copy arrived after the job had finished (acknowledged, changing nothing) or just before (ignored by the job).
    const sim = await eventually('both copies delivered', async () => {
      const counters = (await (await fetch(`${stack.sim.url}/__sim/counters`)).json()) as { callbacksSent: number };
      return counters.callbacksSent >= 2 ? counters : undefined;
    });
    assert.ok(sim.callbacksSent >= 2);
  });

  test(`${profile}: a forged or unauthenticated callback is refused with 401 and touches nothing`, async () => {
    const job = await start({ profile, params: style.params({ durationMs: 200, callback: 'drop' }), completion: { mode: 'callback', timeout: '1m' }, download: false });
    const remoteId = await eventually('the remote job id', async () => (await job.query<JobStatus>(STATUS_QUERY)).remoteJobId);
    const answer = await style.forge(remoteId);
    assert.equal(answer.status, 401, JSON.stringify(answer.body));
    assert.match(String(answer.body.type), /^(InvalidToken|InvalidSignature)$/);
    assert.equal(count(await historyEvents(job), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0);
    assert.equal((await job.query<JobStatus>(STATUS_QUERY)).refusedCallbacks, undefined);
    await job.cancel();
  });

  test(`${profile}: an authenticated callback in words the profile does not know is refused, shown, counted, and named by the timeout`, async () => {
    const job = await start({ profile, params: style.params({ durationMs: 100, callback: 'garbled' }), completion: { mode: 'callback', timeout: '4s' }, download: false });
    const refused = await eventually('the refusal in the status query', async () => (await job.query<JobStatus>(STATUS_QUERY)).refusedCallbacks);
    assert.equal(refused.count, 1);
    assert.match(refused.lastReason, /^state "\w+" at body field [\w.]+ is not one of the profile's callback states/);
    // What the Web UI shows as the job's current details.
    const details = await eventually('the refusal in current details', async () => {
      const metadata = await job.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return metadata.currentDetails?.includes('refused') ? metadata.currentDetails : undefined;
    });
    assert.match(details, /1 callback\(s\) arrived and were refused/);
    const failure = await jobFailure(job);
    assert.equal(failure.type, 'CallbackTimeout');
    assert.match(failure.message, /^no callback was accepted within 4s: 1 callback arrived and was refused: state "/);
    const metrics = await scrape(stack.url);
    assert.ok((metricValue(metrics, 'pollback_callbacks_total{kind="profile",outcome="refused"}') ?? 0) >= 1);
  });
}

test('signed-events: an event sent without its signature is refused (401) and the job never hears of it', async () => {
  const job = await start({ profile: 'signed-events', params: { dataset: 'x', scenario: { durationMs: 100, callback: 'unsigned' } }, completion: { mode: 'callback', timeout: '1m' }, download: false });
  const remoteId = await eventually('the remote job id', async () => (await job.query<JobStatus>(STATUS_QUERY)).remoteJobId);
  const sim = await eventually('the unsigned attempt', async () => {
    const record = await simJob(stack.sim.url, remoteId);
    return (record.counters.callbackAttempts ?? 0) > 0 ? record : undefined;
  });
  assert.equal(sim.counters.callbacksSent ?? 0, 0);
  assert.equal(sim.counters.callbackAttempts, 1, 'a 401 is not retried');
  assert.equal(count(await historyEvents(job), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0);
  await job.cancel();
});

test('render-farm: one profile serves poll, callback and hybrid mode; the notify object only goes out when a callback is expected', async () => {
  const poll = await start({ profile: 'render-farm', params: { scene: 'a', scenario: { durationMs: 300 } }, completion: { mode: 'poll', poll: { interval: '200ms' } }, download: false });
  const callback = await start({ profile: 'render-farm', params: { scene: 'b', scenario: { durationMs: 300 } }, completion: { mode: 'callback', timeout: '1m' }, download: false });
  // Hybrid: the callback is lost on the way; the safety poll finishes the job.
  const hybrid = await start({ profile: 'render-farm', params: { scene: 'c', scenario: { durationMs: 300, callback: 'drop' } }, completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '500ms' } }, download: false });
  assert.equal((await poll.result()).via, 'poll');
  assert.equal((await callback.result()).via, 'callback');
  assert.equal((await hybrid.result()).via, 'poll');
  const remote = async (handle: WorkflowHandle): Promise<{ callsBack: boolean }> => {
    const id = (await handle.query<JobStatus>(STATUS_QUERY)).remoteJobId;
    return (await (await fetch(`${stack.sim.url}/__sim/jobs/${id}`)).json()) as { callsBack: boolean };
  };
  assert.equal((await remote(poll)).callsBack, false);
  assert.equal((await remote(callback)).callsBack, true);
  assert.equal((await remote(hybrid)).callsBack, true);
});
