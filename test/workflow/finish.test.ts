// Finishing a job: download, notify, cancel, and what the Web UI shows.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { jobFailure } from '../helpers/failures';
import { SlackReceiver } from '../../dev/receivers/slack';
import { newWebhookSecret, WebhookReceiver } from '../../dev/receivers/webhook';
import { startStack, type Stack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { simJob as simJobRecord, type SimJobRecord } from '../helpers/remote';

const SLACK_TOKEN = 'xoxb-test-token-for-pollback-0001';
const SECRET = newWebhookSecret();

let stack: Stack;
let slack: SlackReceiver;
let hooks: WebhookReceiver;
let failingHooks: WebhookReceiver;
before(async () => {
  slack = await SlackReceiver.start({ token: SLACK_TOKEN });
  hooks = await WebhookReceiver.start({ secret: SECRET });
  failingHooks = await WebhookReceiver.start({ secret: SECRET, alwaysFail: true });
  stack = await startStack(undefined, { slackApiUrl: slack.apiUrl, env: { SLACK_BOT_TOKEN: SLACK_TOKEN, HOOK_SECRET: SECRET } });
});
after(async () => {
  await stack.stop();
  await Promise.all([slack.stop(), hooks.stop(), failingHooks.stop()]);
});

const fastPoll = { mode: 'poll', timeout: '2m', poll: { interval: '100ms', backoff: 1 } } as const;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const simJob = (remoteJobId: string): Promise<SimJobRecord> => simJobRecord(stack.sim.url, remoteJobId);


test('success: the result is downloaded whole, and Slack and the webhook each hear once, signed', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    title: 'ASO export report 1234',
    params: { reportId: '1234', scenario: { durationMs: 200, resultSize: 300_000, resultName: 'report 1234.csv' } },
    completion: fastPoll,
    notify: [
      { type: 'slack', channel: '#reports' },
      { type: 'webhook', url: hooks.url, secretEnv: 'HOOK_SECRET' },
    ],
  });
  const result = await handle.result();
  assert.ok(result.file);
  assert.equal(result.file.fileName, 'report 1234.csv');
  assert.equal(result.file.size, 300_000);
  assert.equal(result.file.path, path.join(stack.deps.downloadDir, handle.workflowId, 'report 1234.csv'));
  assert.equal(await sha256File(result.file.path), result.file.sha256);
  assert.deepEqual(await readdir(path.dirname(result.file.path)), ['report 1234.csv'], 'no temp file left behind');
  assert.deepEqual(result.notifications.map((n) => [n.target, n.sent]), [['slack:#reports', true], [`webhook:${hooks.url.replace('http://', '')}`, true]]);
  assert.ok(result.timings.remoteMs >= 0 && result.timings.downloadMs !== undefined);

  const mine = slack.messages.filter((m) => m.text.includes('ASO export report 1234'));
  assert.equal(mine.length, 1, 'exactly one Slack message');
  assert.equal(mine[0]?.channel, '#reports');
  assert.match(mine[0]?.text ?? '', /✅ ASO export report 1234 finished in/);
  assert.match(mine[0]?.text ?? '', /report 1234\.csv \(293 KiB\)/);
  assert.match(mine[0]?.text ?? '', new RegExp(`http://localhost:8233/namespaces/default/workflows/${handle.workflowId}`));

  const delivered = [...hooks.deliveries.values()].filter((d) => d.payload.data.jobId === handle.workflowId);
  assert.equal(delivered.length, 1, 'exactly one verified webhook');
  assert.equal(delivered[0]?.payload.type, 'job.succeeded');
  assert.equal((delivered[0]?.payload.data.file as { sha256: string }).sha256, result.file.sha256);
  assert.equal(hooks.rejectedSignatures, 0);
});

test('an expired pre-signed result URL is refreshed by reading the status again', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'exp', scenario: { durationMs: 100, expiredResultUrls: 1 } }, completion: fastPoll });
  const result = await handle.result();
  assert.ok(result.file);
  assert.equal(await sha256File(result.file.path), result.file.sha256);
  const job = await simJob(result.remoteJobId ?? '');
  assert.equal(job.counters.resultUrlsIssued, 2, 'one expired URL, one fresh');
  assert.equal(job.counters.downloads, 1, 'the expired URL was refused before any byte was served');
});

test('a truncated download is resumed with Range and ends whole', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'cut', scenario: { durationMs: 100, resultSize: 2_000_000, truncateOnce: true } }, completion: fastPoll });
  const result = await handle.result();
  assert.ok(result.file);
  assert.equal(result.file.size, 2_000_000);
  assert.equal(await sha256File(result.file.path), result.file.sha256);
  const job = await simJob(result.remoteJobId ?? '');
  assert.equal(job.counters.downloads, 2);
  assert.equal(job.counters.rangedDownloads, 1, 'the second attempt resumed from the bytes on disk');
});

test('an oversized result is refused (ResultTooLarge), a wrong checksum too (ChecksumMismatch)', async () => {
  const big = await stack.start({ profile: 'aso-export', params: { reportId: 'big', scenario: { durationMs: 50, resultSize: 5_000 } }, completion: fastPoll, download: { maxBytes: 4_096 } });
  assert.equal((await jobFailure(big)).type, 'ResultTooLarge');
  const bad = await stack.start({ profile: 'aso-export', params: { reportId: 'bad', scenario: { durationMs: 50, wrongChecksum: true } }, completion: fastPoll });
  const failure = await jobFailure(bad);
  assert.equal(failure.type, 'ChecksumMismatch');
  const files = await readdir(path.join(stack.deps.downloadDir, bad.workflowId)).catch(() => []);
  assert.deepEqual(files, [], 'a corrupt download is not kept');
});

test('a target that keeps failing is retried a bounded number of times and reported, the file is kept', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'nf', scenario: { durationMs: 50 } },
    completion: fastPoll,
    notify: [{ type: 'webhook', url: failingHooks.url, secretEnv: 'HOOK_SECRET' }],
  });
  const result = await handle.result();
  assert.ok(result.file);
  assert.equal(result.notifications.length, 1);
  assert.equal(result.notifications[0]?.sent, false);
  assert.match(result.notifications[0]?.error ?? '', /HTTP 500/);
  const id = `msg_${handle.workflowId}_${handle.firstExecutionRunId}_succeeded_0`;
  assert.equal(failingHooks.attemptsById.get(id), 5, 'five tries with one stable webhook-id');
});

test('remote failure is told to people with the reason', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    title: 'Quarterly export',
    params: { reportId: 'rf', scenario: { durationMs: 50, outcome: 'failed', errorMessage: 'source table locked' } },
    completion: fastPoll,
    notify: [{ type: 'webhook', url: hooks.url, secretEnv: 'HOOK_SECRET', on: ['failed'] }],
  });
  assert.equal((await jobFailure(handle)).type, 'RemoteJobFailed');
  const delivered = [...hooks.deliveries.values()].find((d) => d.payload.data.jobId === handle.workflowId);
  assert.equal(delivered?.payload.type, 'job.failed');
  assert.match(String(delivered?.payload.data.message), /❌ Quarterly export failed after .*\nReason: remote job failed: source table locked \[RemoteJobFailed\]/);
});

async function expectCancelled(handle: Awaited<ReturnType<Stack['start']>>): Promise<void> {
  const err = await handle.result().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof CancelledFailure);
}

test('cancel mid-poll: the remote job is cancelled, people are told, phase is cancelled', async () => {
  const handle = await stack.start({
    profile: 'aso-export',
    params: { reportId: 'cp', scenario: { durationMs: 60_000 } },
    completion: fastPoll,
    notify: [{ type: 'webhook', url: hooks.url, secretEnv: 'HOOK_SECRET' }],
  });
  const polling = await eventually('polling', async () => {
    const s = await handle.query<JobStatus>(STATUS_QUERY);
    return s.pollCount >= 1 ? s : undefined;
  });
  await handle.cancel();
  await expectCancelled(handle);
  assert.equal((await simJob(polling.remoteJobId ?? '')).counters.cancels, 1);
  const delivered = [...hooks.deliveries.values()].find((d) => d.payload.data.jobId === handle.workflowId);
  assert.equal(delivered?.payload.type, 'job.cancelled');
  assert.equal((await handle.query<JobStatus>(STATUS_QUERY)).phase, 'cancelled');
  // The Web UI says what became of the remote job.
  const details = (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';
  assert.match(details, /cancelled: the remote API accepted the cancel \(HTTP 2\d\d\)/);
});

test('cancel mid-download: progress was visible in the status query, the partial file is removed', async () => {
  const handle = await stack.start({ profile: 'aso-export', params: { reportId: 'cd', scenario: { durationMs: 50, resultSize: 900_000_000 } }, completion: fastPoll });
  const progress = await eventually('download progress', async () => {
    const s = await handle.query<JobStatus>(STATUS_QUERY);
    return s.phase === 'downloading' && s.download && s.download.bytes > 0 ? s.download : undefined;
  }, 60_000);
  assert.equal(progress.total, 900_000_000);
  await handle.cancel();
  await expectCancelled(handle);
  const files = await readdir(path.join(stack.deps.downloadDir, handle.workflowId));
  assert.deepEqual(files, [], 'the partial file was removed');
});

test('search attributes are kept current and visible through a visibility query', async () => {
  const handle = await stack.start({ profile: 'lro-export', params: { dataset: 'visible', scenario: { durationMs: 50 } }, completion: fastPoll });
  const result = await handle.result();
  const query = `WorkflowId = "${handle.workflowId}" AND PollbackProfile = "lro-export" AND PollbackPhase = "succeeded" AND PollbackRemoteJobId = "${result.remoteJobId ?? ''}"`;
  const found = await eventually('the job in visibility', async () => {
    for await (const wf of stack.client.workflow.list({ query })) return wf;
    return undefined;
  });
  assert.equal(found.workflowId, handle.workflowId);
});
