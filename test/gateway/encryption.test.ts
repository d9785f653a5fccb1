// Payload encryption end to end: with keys configured, a polled and a called-back job run through
// the gateway; the history the server holds (read with a plain client, no codec) carries no job
// param, title or callback output in clear, only ciphertext under the key's id, while search
// attributes stay readable; the gateway and a codec client read everything back; the history
// replays with the codec. The codec endpoint the Web UI and CLI call, and payloads nobody can
// decrypt (a key id the worker does not have), are covered too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { pollbackDataConverter } from '../../src/codec/data-converter';
import { EncryptionCodec, ENCRYPTED_ENCODING } from '../../src/codec/encryption-codec';
import { parsePayloadKeys } from '../../src/codec/keys';
import { toPayloadJson } from '../../src/gateway/codec/payload-json';
import type { asyncJob } from '../../src/workflows/async-job';
import { EventType, historyEvents } from '../helpers/history';
import { API_TOKEN, eventually, request, type GatewayStack } from '../helpers/gateway-stack';
import { isSdkMarkerMetadata, isSearchAttribute, newPayloadKey, payloadsIn, rawHistory, startEncryptedStack, UI_ORIGIN } from '../helpers/encryption';
import { testClient } from '../helpers/temporal';

const K1 = newPayloadKey();
const keys = parsePayloadKeys(`k1:${K1}`);
// Distinctive strings: found anywhere in the stored bytes, they leaked.
const SECRET_REPORT = 'rpt-cleartext-4f1e9a';
const SECRET_TITLE = 'Quarterly board pack 7c2d';
const SECRET_CALLBACK_PARAM = 'customer-ref-93ab5e';
const SECRET_CALLBACK_TITLE = 'Payroll export 51f0';
const SECRET_OUTPUT = 'salary-total-8d77c1';

let stack: GatewayStack;
let plain: Client;
before(async () => {
  stack = await startEncryptedStack(keys);
  plain = await testClient();
});
after(async () => {
  await stack?.stop();
  await plain?.connection.close();
});

interface JobView {
  state: string;
  summary?: string;
  status?: { phase?: string };
  result?: { file?: { fileName?: string }; output?: unknown };
}

const view = async (jobId: string): Promise<JobView> => (await stack.api('GET', `/v1/jobs/${jobId}`)).body as JobView;

function finished(jobId: string): Promise<JobView> {
  return eventually(`job ${jobId} to finish`, async () => {
    const v = await view(jobId);
    return v.state === 'running' ? undefined : v;
  }, 60_000);
}

test('the stored history holds no clear-text param, title or callback output; search attributes stay readable; the codec reads it all back', async () => {
  const polled = await stack.api('POST', '/v1/jobs', {
    body: { profile: 'aso-export', title: SECRET_TITLE, params: { reportId: SECRET_REPORT, scenario: { durationMs: 300 } }, completion: { mode: 'poll', poll: { interval: '100ms' } } },
  });
  assert.equal(polled.status, 202, JSON.stringify(polled.body));
  const called = await stack.api('POST', '/v1/jobs', {
    body: { profile: 'task-token', title: SECRET_CALLBACK_TITLE, params: { waitTime: 0.1, ref: SECRET_CALLBACK_PARAM, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' }, download: false },
  });
  assert.equal(called.status, 202, JSON.stringify(called.body));
  const calledId = called.body.jobId as string;
  await eventually('the callback job to wait', async () => ((await view(calledId)).status?.phase === 'waiting-callback' ? true : undefined));
  const delivered = await stack.api('POST', `/v1/callbacks/${await stack.tokenFor(calledId)}`, { body: { status: 'success', output: { total: SECRET_OUTPUT } }, token: null });
  assert.equal(delivered.status, 200, JSON.stringify(delivered.body));

  // Read back through the gateway (its client decrypts): as without encryption.
  const pollView = await finished(polled.body.jobId as string);
  assert.equal(pollView.state, 'succeeded', JSON.stringify(pollView));
  assert.equal(pollView.summary, `${SECRET_TITLE} (poll)`);
  assert.equal(pollView.result?.file?.fileName, 'report.csv');
  const callView = await finished(calledId);
  assert.equal(callView.state, 'succeeded', JSON.stringify(callView));
  assert.deepEqual(callView.result?.output, { total: SECRET_OUTPUT });
  // A client with the codec reads the result itself.
  const result = (await stack.client.workflow.getHandle<typeof asyncJob>(calledId).result()) as { output?: unknown };
  assert.deepEqual(result.output, { total: SECRET_OUTPUT });

  for (const jobId of [polled.body.jobId as string, calledId]) {
    const { history, bytes } = await rawHistory(plain, jobId);
    for (const secret of [SECRET_REPORT, SECRET_TITLE, SECRET_CALLBACK_PARAM, SECRET_CALLBACK_TITLE, SECRET_OUTPUT]) {
      assert.equal(bytes.indexOf(secret), -1, `"${secret}" is stored in clear in the history of ${jobId}`);
    }
    const payloads = payloadsIn(history);
    const clear = payloads.filter((p) => !isSearchAttribute(p) && !isSdkMarkerMetadata(p) && p.encoding !== ENCRYPTED_ENCODING);
    assert.deepEqual(clear, [], "every payload but the search attributes and the SDK's marker bookkeeping is encrypted");
    assert.ok(payloads.filter((p) => p.encoding === ENCRYPTED_ENCODING).every((p) => p.keyId === 'k1'), 'encrypted under the active key');
    // The input, the callback signal and the result are among them.
    const events = history.events ?? [];
    assert.equal(payloadsIn(events[0]?.workflowExecutionStartedEventAttributes?.input)[0]?.encoding, ENCRYPTED_ENCODING);
    assert.equal(payloadsIn(events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)).at(0)?.encoding, ENCRYPTED_ENCODING);
    // Search attributes: plain JSON in the history, and queryable without any codec.
    assert.ok(payloads.some((p) => isSearchAttribute(p) && p.encoding === 'json/plain'));
  }
  const callHistory = await rawHistory(plain, calledId);
  assert.ok(callHistory.history.events?.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && payloadsIn(e)[0]?.encoding === ENCRYPTED_ENCODING), 'the callback signal is encrypted');
  // Without any codec: the search attributes of a described job read as plain JSON (its memo, encrypted, does not),
  // and visibility queries on them find it.
  const raw = await plain.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: polled.body.jobId as string } });
  const indexed = raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
  const attribute = (name: string): unknown => (indexed[name] ? defaultPayloadConverter.fromPayload(indexed[name]) : undefined);
  assert.equal(attribute('PollbackProfile'), 'aso-export');
  assert.equal(attribute('PollbackPhase'), 'succeeded');
  await eventually('the job counted by its search attributes', async () => {
    const { count } = await plain.workflow.count(`PollbackProfile = "aso-export" AND PollbackPhase = "succeeded" AND WorkflowId = "${polled.body.jobId as string}"`);
    return count === 1 ? true : undefined;
  });

  // The encrypted histories replay with the codec (a worker restarted on them decodes them alike).
  const bundle = process.env.POLLBACK_WORKFLOW_BUNDLE;
  const replayOptions = { ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../../src/workflows') }), dataConverter: pollbackDataConverter(keys) };
  for (const jobId of [polled.body.jobId as string, calledId]) {
    await Worker.runReplayHistory(replayOptions, (await rawHistory(plain, jobId)).history, jobId);
  }
});

/** The CLI's JSON output keeps payloads in proto JSON, their bytes base64: this reads them as text. */
function payloadText(value: unknown): string {
  if (Array.isArray(value)) return value.map(payloadText).join('\n');
  if (!value || typeof value !== 'object') return '';
  return Object.entries(value)
    .map(([key, child]) => {
      if (key === 'data' && typeof child === 'string') return Buffer.from(child, 'base64').toString('utf8');
      if (key === 'metadata' && child && typeof child === 'object') return Object.values(child as Record<string, string>).map((m) => Buffer.from(m, 'base64').toString('utf8')).join(' ');
      return payloadText(child);
    })
    .join('\n');
}

const asJson = (value: unknown) => toPayloadJson(defaultPayloadConverter.toPayload(value));
const codecCall = (path: string, body: unknown, opts: { token?: string | null; headers?: Record<string, string> } = {}) =>
  stack.api('POST', path, { body, ...(opts.token !== undefined ? { token: opts.token } : {}), headers: { 'x-namespace': 'default', ...opts.headers } });

test('the codec endpoint: encode and decode round-trip, bearer or path token, CORS for the UI origin only', async () => {
  const encoded = await codecCall('/codec/encode', { payloads: [asJson({ reportId: SECRET_REPORT })] });
  assert.equal(encoded.status, 200, JSON.stringify(encoded.body));
  const sealed = (encoded.body.payloads as unknown[])[0] as { metadata: Record<string, string>; data: string };
  assert.equal(Buffer.from(sealed.metadata.encoding ?? '', 'base64').toString(), ENCRYPTED_ENCODING);
  assert.equal(Buffer.from(sealed.metadata['encryption-key-id'] ?? '', 'base64').toString(), 'k1');
  assert.ok(!Buffer.from(sealed.data, 'base64').includes(SECRET_REPORT));

  // What the Web UI sends: a payload from the history, and a clear one, which comes back as is.
  const decoded = await codecCall('/codec/decode', { payloads: [sealed, asJson('clear')] });
  assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
  const values = (decoded.body.payloads as { metadata: Record<string, string>; data: string }[]).map((p) =>
    defaultPayloadConverter.fromPayload({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') }),
  );
  assert.deepEqual(values, [{ reportId: SECRET_REPORT }, 'clear']);

  // The API token in the path, for a Web UI that sends no Authorization.
  const byPath = await codecCall(`/codec/${API_TOKEN}/decode`, { payloads: [sealed] }, { token: null });
  assert.equal(byPath.status, 200);
  assert.deepEqual(byPath.body.payloads, (decoded.body.payloads as unknown[]).slice(0, 1));

  // Refusals: no token, a wrong token (header or path), an unknown key id.
  for (const [path, token] of [['/codec/decode', null], ['/codec/decode', 'not-the-token-0123456789'], ['/codec/not-the-token-0123456789/decode', null]] as const) {
    const refused = await codecCall(path, { payloads: [sealed] }, { token });
    assert.equal(refused.status, 401, `${path} ${String(token)}`);
    assert.equal(refused.body.type, 'Unauthorized');
  }
  const foreign = (await new EncryptionCodec(parsePayloadKeys(`k9:${newPayloadKey()}`)).encode([defaultPayloadConverter.toPayload('x')])).map(toPayloadJson);
  const unknown = await codecCall('/codec/decode', { payloads: foreign });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.type, 'PayloadUndecryptable');
  assert.match(unknown.body.detail as string, /key "k9", which is not in POLLBACK_PAYLOAD_KEYS \(known: k1\)/);
  assert.ok(!JSON.stringify(unknown.body).includes(K1), 'no key material in the answer');

  // CORS: the UI's preflight is answered for its origin, refused for any other.
  const preflight = await request(stack.url, 'OPTIONS', '/codec/decode', { headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), UI_ORIGIN);
  assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'Content-Type, X-Namespace, Authorization');
  const pathPreflight = await request(stack.url, 'OPTIONS', `/codec/${API_TOKEN}/decode`, { headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST' } });
  assert.equal(pathPreflight.status, 204);
  const fromUi = await codecCall('/codec/decode', { payloads: [sealed] }, { headers: { origin: UI_ORIGIN } });
  assert.equal(fromUi.status, 200);
  assert.equal(fromUi.headers.get('access-control-allow-origin'), UI_ORIGIN);
  const evil = 'https://evil.example';
  const refusedPreflight = await request(stack.url, 'OPTIONS', '/codec/decode', { headers: { origin: evil, 'access-control-request-method': 'POST' } });
  assert.equal(refusedPreflight.status, 403);
  assert.equal(refusedPreflight.headers.get('access-control-allow-origin'), null);
  assert.equal(refusedPreflight.body.type, 'OriginNotAllowed');
  const fromEvil = await codecCall('/codec/decode', { payloads: [sealed] }, { headers: { origin: evil } });
  assert.equal(fromEvil.status, 403, 'a page of another origin is refused even with a valid token');
  assert.equal(fromEvil.headers.get('access-control-allow-origin'), null);
});

test('a job whose payloads use a key the worker does not have fails its workflow task naming the key id; the worker keeps serving', async () => {
  const stranger = await testClient(pollbackDataConverter(parsePayloadKeys(`k9:${newPayloadKey()}`)));
  try {
    const handle = await stranger.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
      taskQueue: stack.taskQueue,
      workflowId: `unknown-key-${Date.now()}`,
      args: [{ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' }, download: false }],
    });
    const failure = await eventually('the workflow task to fail', async () => {
      const failed = (await historyEvents(handle)).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      return failed?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
    });
    assert.match(failure, /key "k9", which is not in POLLBACK_PAYLOAD_KEYS \(known: k1\)/);
    assert.ok(!failure.includes(K1));
    // The gateway still answers for it: running, its live status unavailable.
    const answer = await stack.api('GET', `/v1/jobs/${handle.workflowId}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.state, 'running');
    // No crash loop: the same worker still runs other jobs to the end.
    const ok = await stack.api('POST', '/v1/jobs', { body: { profile: 'aso-export', params: { reportId: 'after', scenario: { durationMs: 100 } }, completion: { mode: 'poll', poll: { interval: '100ms' } } } });
    assert.equal((await finished(ok.body.jobId as string)).state, 'succeeded');
    await handle.terminate('test: a job nobody can decrypt');
  } finally {
    await stranger.connection.close();
  }
});

test('the Temporal CLI shows a job decoded with --codec-endpoint and --codec-auth, and only ciphertext without', async () => {
  const started = await stack.api('POST', '/v1/jobs', {
    body: { profile: 'aso-export', params: { reportId: SECRET_REPORT, scenario: { durationMs: 100 } }, completion: { mode: 'poll', poll: { interval: '100ms' } } },
  });
  const jobId = started.body.jobId as string;
  assert.equal((await finished(jobId)).state, 'succeeded');
  const cli = process.env.TEMPORAL_CLI;
  assert.ok(cli, 'the test runner sets TEMPORAL_CLI');
  const show = async (...extra: string[]): Promise<string> =>
    payloadText(JSON.parse((await promisify(execFile)(cli, ['workflow', 'show', '--address', process.env.TEMPORAL_ADDRESS ?? '', '--workflow-id', jobId, '--output', 'json', ...extra])).stdout));
  const decoded = await show('--codec-endpoint', `${stack.url}/codec`, '--codec-auth', `Bearer ${API_TOKEN}`);
  assert.ok(decoded.includes(SECRET_REPORT), `decoded through the gateway: ${decoded.slice(0, 1500)}`);
  const stored = await show();
  assert.ok(!stored.includes(SECRET_REPORT), 'without the codec: ciphertext only');
  assert.match(stored, /binary\/encrypted/);
});

test("a schedule's job input is stored encrypted; the gateway shows it, and its runs succeed", async () => {
  const id = `encrypted-schedule-${Date.now()}`;
  const created = await stack.api('POST', '/v1/schedules', {
    body: { id, spec: { cron: '0 2 * * *' }, job: { profile: 'aso-export', title: SECRET_TITLE, params: { reportId: SECRET_REPORT, scenario: { durationMs: 100 } }, completion: { mode: 'poll', poll: { interval: '100ms' } } } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  try {
    const raw = await plain.workflowService.describeSchedule({ namespace: 'default', scheduleId: id });
    const bytes = Buffer.from(temporal.api.workflowservice.v1.DescribeScheduleResponse.encode(raw).finish());
    for (const secret of [SECRET_REPORT, SECRET_TITLE]) assert.equal(bytes.indexOf(secret), -1, `the schedule stores "${secret}" in clear`);
    assert.equal(payloadsIn(raw.schedule?.action?.startWorkflow?.input)[0]?.encoding, ENCRYPTED_ENCODING);
    const shown = await stack.api('GET', `/v1/schedules/${id}`);
    assert.equal((shown.body.job as { params?: { reportId?: string } } | undefined)?.params?.reportId, SECRET_REPORT);
    assert.equal((await stack.api('POST', `/v1/schedules/${id}/trigger`)).status < 300, true);
    const runId = await eventually('the triggered run', async () => {
      const runs = (await stack.api('GET', `/v1/schedules/${id}`)).body.recentRuns as { jobId: string }[] | undefined;
      return runs?.[0]?.jobId;
    });
    assert.equal((await finished(runId)).state, 'succeeded');
    assert.equal((await rawHistory(plain, runId)).bytes.indexOf(SECRET_REPORT), -1);
  } finally {
    await stack.api('DELETE', `/v1/schedules/${id}`);
  }
});
