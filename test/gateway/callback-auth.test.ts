// Every way a profile can say who is calling, through the real gateway and dev server: a task
// token in the path, a named header or a body field; a correlation value authenticated by a
// Standard Webhooks signature, a GitHub-style HMAC (base64, no prefix) or a shared secret. For
// each: a wrong credential is a 401 that touches nothing; an authenticated callback in unknown
// words is a 422 the job is told about; the right one finishes the job.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { STATUS_QUERY, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../../src/profiles/loader';
import { profileSchema, type Profile } from '../../src/contract/profile/schema';
import type { asyncJob } from '../../src/workflows/async-job';
import { eventually, request, startGatewayStack, type ApiAnswer, type GatewayStack } from '../helpers/gateway-stack';
import { count, EventType, historyEvents } from '../helpers/history';

const WHSEC = `whsec_${Buffer.from('standard-webhooks-test-secret-0123456789').toString('base64')}`;
const HMAC_SECRET = 'github-style-secret-0123456789';
const SHARED = 'a-shared-webhook-secret-0123456789';

/** The simulator's transcribe API, whose callbacks the test sends itself in other styles. */
function variant(name: string, callback: Record<string, unknown>): Profile {
  return profileSchema.parse({
    name,
    allowedHosts: ['127.0.0.1'],
    vars: { baseUrl: { env: 'SIMULATOR_URL' } },
    secrets: { apiKey: { env: 'SIMULATOR_API_KEY' } },
    start: {
      method: 'POST',
      url: '{{vars.baseUrl}}/transcribe/v1/jobs',
      headers: { 'X-API-Key': '{{secrets.apiKey}}' },
      body: { media: 'm', scenario: { durationMs: 100, callback: 'drop' } },
      callbackOnly: { body: { webhook_url: '{{callback.url}}' } },
      remoteJobId: { body: 'job_id' },
    },
    callback: { state: { body: 'result.state' }, states: { running: ['busy'], succeeded: ['ok'], failed: ['bad'] }, error: { body: 'result.why' }, ...callback },
  });
}

interface Case {
  profile: Profile;
  /** Sends `body` for the job as this style does; `forged` with a wrong credential. */
  send(job: { workflowId: string; remoteId: string }, body: Record<string, unknown>, forged?: boolean): Promise<ApiAnswer>;
}

let stack: GatewayStack;
const post = (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<ApiAnswer> =>
  request(stack.url, 'POST', path, { raw: JSON.stringify(body), contentType: 'application/json', headers });
const token = (workflowId: string, forged?: boolean): Promise<string> => (forged ? Promise.resolve('pb1.k1.e30.AAAA') : stack.tokenFor(workflowId));

const CASES: Case[] = [
  {
    profile: variant('x-path', { auth: { token: 'path' } }),
    send: async (job, body, forged) => post(`/v1/profiles/x-path/callback/${await token(job.workflowId, forged)}`, body),
  },
  {
    profile: variant('x-header', { auth: { token: 'header', name: 'X-Callback-Token' } }),
    send: async (job, body, forged) => post('/v1/profiles/x-header/callback', body, { 'x-callback-token': await token(job.workflowId, forged) }),
  },
  {
    profile: variant('x-body', { auth: { token: 'body', field: 'meta.token' } }),
    send: async (job, body, forged) => post('/v1/profiles/x-body/callback', { ...body, meta: { token: await token(job.workflowId, forged), note: 'kept' } }),
  },
  {
    profile: variant('x-standard', { auth: { correlate: { body: 'job' }, signature: { scheme: 'standard-webhooks', secretEnv: 'X_WHSEC' } } }),
    send: (job, payload, forged) => {
      const body = JSON.stringify({ ...payload, job: job.remoteId });
      const at = new Date();
      const signer = new Webhook(forged ? `whsec_${Buffer.from('not-the-secret-000000000000000').toString('base64')}` : WHSEC);
      const headers = { 'webhook-id': `msg_${Date.now()}`, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)) };
      return request(stack.url, 'POST', '/v1/profiles/x-standard/callback', { raw: body, contentType: 'application/json', headers: { ...headers, 'webhook-signature': signer.sign(headers['webhook-id'], at, body) } });
    },
  },
  {
    profile: variant('x-github', { auth: { correlate: { body: 'job' }, signature: { scheme: 'hmac-sha256', secretEnv: 'X_HMAC', header: 'X-Signature', prefix: '', encoding: 'base64' } } }),
    send: (job, payload, forged) => {
      const body = JSON.stringify({ ...payload, job: job.remoteId });
      const signature = createHmac('sha256', forged ? 'wrong-secret-000000000000000' : HMAC_SECRET).update(body).digest('base64');
      return request(stack.url, 'POST', '/v1/profiles/x-github/callback', { raw: body, contentType: 'application/json', headers: { 'x-signature': signature } });
    },
  },
  {
    profile: variant('x-shared', { auth: { correlate: { header: 'X-Job-Id' }, sharedSecret: { header: 'X-Webhook-Secret', secretEnv: 'X_SHARED' } } }),
    send: (job, body, forged) => post('/v1/profiles/x-shared/callback', body, { 'x-job-id': job.remoteId, 'x-webhook-secret': forged ? 'guess' : SHARED }),
  },
];

before(async () => {
  const profiles = await loadProfiles([BUILTIN_PROFILES_DIR]);
  for (const c of CASES) profiles.set(c.profile.name, c.profile);
  stack = await startGatewayStack({ profiles, env: { X_WHSEC: WHSEC, X_HMAC: HMAC_SECRET, X_SHARED: SHARED } });
});
after(async () => {
  await stack.stop();
});

let seq = 0;
async function waitingJob(profile: string): Promise<{ handle: WorkflowHandle<typeof asyncJob>; workflowId: string; remoteId: string }> {
  const handle = await stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `cb-auth-${profile}-${Date.now()}-${seq++}`,
    args: [{ profile, completion: { mode: 'callback', timeout: '1m' }, download: false }],
  });
  const remoteId = await eventually('the remote job id', async () => (await handle.query<JobStatus>(STATUS_QUERY)).remoteJobId);
  // Correlated callbacks find the job through visibility.
  await eventually('the remote id in visibility', async () => ((await stack.client.workflow.count(`PollbackRemoteJobId = "${remoteId}"`)).count > 0 ? true : undefined));
  return { handle, workflowId: handle.workflowId, remoteId };
}

for (const c of CASES) {
  test(`${c.profile.name}: forged → 401 and untouched; unknown words → 422 and told; the right callback finishes the job`, async () => {
    const job = await waitingJob(c.profile.name);
    const forged = await c.send(job, { result: { state: 'ok' } }, true);
    assert.equal(forged.status, 401, JSON.stringify(forged.body));
    assert.equal(count(await historyEvents(job.handle), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0);

    const odd = await c.send(job, { result: { state: 'finished' } });
    assert.equal(odd.status, 422, JSON.stringify(odd.body));
    assert.equal(odd.body.type, 'CallbackRefused');
    const status = await job.handle.query<JobStatus>(STATUS_QUERY);
    assert.equal(status.refusedCallbacks?.count, 1);
    assert.match(status.refusedCallbacks?.lastReason ?? '', /state "finished" at body field result\.state/);

    const ok = await c.send(job, { result: { state: 'ok', rows: 3 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.delivered, true);
    const result = await job.handle.result();
    assert.equal(result.via, 'callback');
    assert.equal((result.output as { result: { rows: number } }).result.rows, 3);
    assert.ok(!JSON.stringify(result.output).includes('pb1.'), 'no task token in the output');

    // A late callback is acknowledged with the recorded outcome (correlated ones find it through visibility).
    await eventually('the finished job in visibility', async () => ((await stack.client.workflow.count(`PollbackRemoteJobId = "${job.remoteId}" AND ExecutionStatus != "Running"`)).count > 0 ? true : undefined));
    const late = await c.send(job, { result: { state: 'bad', why: 'late' } });
    assert.equal(late.status, 200);
    assert.equal(late.body.delivered, false);
    assert.equal(late.body.jobStatus, 'COMPLETED');
  });
}
