// The job API after continue-as-new: the job's start and summary are the job's, not its
// current run's (whose static summary the SDK cannot carry over).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

let stack: GatewayStack;
before(async () => {
  stack = await startGatewayStack();
});
after(async () => {
  await stack.stop();
});

test('GET /v1/jobs/:id of a continued job keeps its first start and its summary', async () => {
  const started = await stack.api('POST', '/v1/jobs', {
    body: {
      // Twenty progress callbacks, ten per run: continue-as-new twice (frequent polling would
      // not continue as new at all: it runs in one activity).
      profile: 'render-farm',
      title: 'Weekly downloads',
      params: { scene: 'can', scenario: { durationMs: 6_000, progressCallbacks: 20 } },
      completion: { mode: 'callback', timeout: '1m' },
      pollsPerRun: 10,
      download: false,
    },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const jobId = String(started.body.jobId);
  const firstStart = (await stack.client.workflow.getHandle(jobId, String(started.body.runId)).describe()).startTime.toISOString();
  const continued = await eventually('a continued run in the job view', async () => {
    const view = await stack.api('GET', `/v1/jobs/${jobId}`);
    // The view reads the run (describe) and its status (query) side by side: around a
    // continue-as-new one may answer for the run before; wait until both speak of a later run.
    const later = view.body.runId !== started.body.runId && ((view.body.status as { runsSoFar?: number } | undefined)?.runsSoFar ?? 0) >= 2;
    return view.body.state === 'running' && later ? view.body : undefined;
  });
  // The job's own clock starts with its first workflow task, a few ms after the execution started.
  const currentRunStart = (await stack.client.workflow.getHandle(jobId, String(continued.runId)).describe()).startTime.getTime();
  assert.ok(Math.abs(Date.parse(String(continued.startedAt)) - Date.parse(firstStart)) < 1_000, `${String(continued.startedAt)} vs ${firstStart}`);
  assert.ok(Date.parse(String(continued.startedAt)) < currentRunStart, 'not the current run\'s start');
  assert.equal(continued.summary, 'Weekly downloads (callback)');
  const done = await eventually('the finished job', async () => {
    const view = await stack.api('GET', `/v1/jobs/${jobId}`);
    return view.body.state === 'succeeded' ? view.body : undefined;
  });
  assert.equal(done.startedAt, continued.startedAt);
  assert.ok((done.result as { runs: number }).runs >= 3);
});
