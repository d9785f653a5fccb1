// Tracing end to end: a poll job and a callback job started through the job API, with the
// gateway, a worker and the simulator in this process exporting over OTLP to a real receiver on
// loopback, which the test reads back. Each job is one trace, rooted in the gateway's request,
// holding the workflow start, the workflow, each activity and its outbound HTTP calls (and, for
// the callback job, the inbound callback and the workflow's handling of its signal), every
// span's parent in the same trace; a caller that sends a traceparent gets the job in its trace.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { newWebhookSecret, WebhookReceiver } from '../../dev/receivers/webhook';
import { createLogger } from '../../src/telemetry/logger';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { eventually, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver';
import { workerLogs } from '../helpers/temporal';

const HOOK_SECRET = newWebhookSecret();
const SERVER = 2;
const CLIENT = 3;

let receiver: OtlpReceiver;
let tracing: Tracing;
let hooks: WebhookReceiver;
let stack: GatewayStack;
const gatewayLines: string[] = [];

before(async () => {
  receiver = await startOtlpReceiver();
  // Before any client, worker or gateway exists: they take their interceptors and plugins at creation.
  tracing = startTracing({ tracesUrl: receiver.tracesUrl, serviceName: 'pollback-test' });
  hooks = await WebhookReceiver.start({ secret: HOOK_SECRET });
  const logger = createLogger({ level: 'info', serviceName: 'pollback-gateway', destination: { write: (line: string) => gatewayLines.push(line) } });
  stack = await startGatewayStack({ logger }, undefined, { env: { HOOK_SECRET } });
});

after(async () => {
  await stack.stop();
  await hooks.stop();
  await tracing.shutdown();
  await receiver.close();
});

/** Starts a job through the job API and waits for its end. */
async function runJob(input: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const started = await stack.api('POST', '/v1/jobs', { headers, body: { ...input, notify: [{ type: 'webhook', url: hooks.url, secretEnv: 'HOOK_SECRET' }] } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const jobId = started.body.jobId as string;
  await stack.client.workflow.getHandle(jobId).result();
  return jobId;
}

/** The job's trace: the one its workflow start belongs to, read back once its last spans arrived. */
async function traceOf(jobId: string, complete: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  return eventually(`the trace of ${jobId}`, async () => {
    await tracing.flush();
    const start = receiver.spans.find((s) => s.name === 'StartWorkflow:asyncJob' && s.attributes.temporalWorkflowId === jobId);
    const spans = start ? receiver.spans.filter((s) => s.traceId === start.traceId) : [];
    return spans.length && complete(spans) ? spans : undefined;
  });
}

const named = (spans: ReceivedSpan[], name: string): ReceivedSpan[] => spans.filter((s) => s.name === name);
const byId = (spans: ReceivedSpan[], id: string | undefined): ReceivedSpan | undefined => spans.find((s) => s.spanId === id);

function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = named(spans, name);
  assert.equal(found.length, 1, `one ${name} span, found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0] as ReceivedSpan;
}

/** One root, the gateway's request; every other span's parent in the same trace. */
function assertConnected(spans: ReceivedSpan[]): void {
  const roots = spans.filter((s) => !s.parentSpanId);
  assert.equal(roots.length, 1, `one root: ${roots.map((s) => s.name).join(', ')}`);
  assert.equal(roots[0]?.kind, SERVER);
  assert.equal(roots[0]?.attributes['http.route'], '/v1/jobs');
  for (const span of spans) if (span.parentSpanId) assert.ok(byId(spans, span.parentSpanId), `the parent of ${span.name} is in the trace`);
}

/** Each activity: started by the workflow, run by the worker, its HTTP calls under it. */
function assertActivity(spans: ReceivedSpan[], workflow: ReceivedSpan, activity: string): ReceivedSpan[] {
  const scheduled = named(spans, `StartActivity:${activity}`);
  assert.ok(scheduled.length >= 1, `the workflow scheduled ${activity}`);
  for (const s of scheduled) assert.equal(s.parentSpanId, workflow.spanId, `StartActivity:${activity} is the workflow's`);
  const runs = named(spans, `RunActivity:${activity}`);
  assert.ok(runs.length >= 1, `${activity} ran`);
  for (const run of runs) assert.ok(scheduled.some((s) => s.spanId === run.parentSpanId), `RunActivity:${activity} is under its StartActivity`);
  const calls = spans.filter((s) => s.kind === CLIENT && runs.some((run) => run.spanId === s.parentSpanId));
  assert.ok(calls.length >= 1, `${activity} made HTTP calls under its span`);
  return calls;
}

test('a poll job is one trace: request, start, workflow, start/poll/download/notify activities and their HTTP calls', async () => {
  const jobId = await runJob({ profile: 'aso-export', params: { reportId: 'traced', scenario: { completeAfterReads: 3 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } });
  const spans = await traceOf(jobId, (s) => named(s, 'RunWorkflow:asyncJob').length === 1 && named(s, 'RunActivity:notify').length >= 1);
  assertConnected(spans);
  const start = only(spans, 'StartWorkflow:asyncJob');
  const workflow = only(spans, 'RunWorkflow:asyncJob');
  assert.equal(workflow.parentSpanId, start.spanId, 'the workflow continues its start');
  assert.equal(workflow.attributes.workflowId, jobId);
  assert.equal(workflow.attributes.memo, undefined, "the job's memo stays in Temporal");
  const [startCall] = assertActivity(spans, workflow, 'startRemoteJob');
  assert.equal(startCall?.attributes['http.request.method'], 'GET');
  assert.match(startCall?.attributes['url.full'] ?? '', /\/aso\/v1\/reports\/traced\/async/);
  const polls = assertActivity(spans, workflow, 'pollUntilDone');
  assert.ok(polls.length >= 2, `several status reads, found ${polls.length}`);
  // The polling activity tells the workflow of its progress: a signal the workflow handles in the trace.
  const progress = named(spans, 'HandleSignal:pollProgress');
  assert.ok(progress.length >= 1, 'the progress signal is in the trace');
  for (const handled of progress) assert.ok(named(spans, 'RunActivity:pollUntilDone').some((run) => run.spanId === byId(spans, handled.parentSpanId)?.parentSpanId), 'signalled from the polling activity');
  assertActivity(spans, workflow, 'downloadResult');
  const [notification] = assertActivity(spans, workflow, 'notify');
  assert.equal(notification?.attributes['url.full'], hooks.url);
  // The trace id is on the gateway's log lines of the request that started the job, and on the worker's about the job.
  const line = linesOf(gatewayLines, jobId).find((l) => l.msg === 'job started');
  assert.equal(line?.trace_id, start.traceId);
  const worker = linesOf(workerLogs, jobId);
  assert.equal(worker.find((l) => l.msg === 'Workflow completed')?.trace_id, start.traceId);
  assert.equal(worker.find((l) => l.msg === 'Activity completed' && l.activityType === 'notify')?.trace_id, start.traceId);
  assert.deepEqual(new Set(worker.map((l) => l.trace_id).filter(Boolean)), new Set([start.traceId]), 'no line about the job names another trace');
});

/** The JSON log lines about one job. */
const linesOf = (lines: string[], jobId: string): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.jobId === jobId);

test('a callback job is one trace: the inbound callback is delivered under it, and the workflow handles its signal there', async () => {
  const jobId = await runJob({ profile: 'task-token', params: { waitTime: 0.2 }, completion: { mode: 'callback', timeout: '1m' } });
  const spans = await traceOf(jobId, (s) => named(s, 'RunWorkflow:asyncJob').length === 1 && named(s, 'RunActivity:notify').length >= 1);
  assertConnected(spans);
  const workflow = only(spans, 'RunWorkflow:asyncJob');
  assertActivity(spans, workflow, 'startRemoteJob');
  assertActivity(spans, workflow, 'downloadResult');
  assertActivity(spans, workflow, 'notify');
  const delivery = only(spans, 'deliver callback');
  assert.equal(delivery.attributes['pollback.job_id'], jobId);
  assert.equal(byId(spans, delivery.parentSpanId)?.name, 'StartWorkflow:asyncJob', 'delivered under the job start');
  const signal = only(spans, 'SignalWorkflow:callback');
  assert.equal(signal.parentSpanId, delivery.spanId);
  assert.equal(only(spans, 'HandleSignal:callback').parentSpanId, signal.spanId, 'the workflow handled the signal in the job trace');
  // The HTTP request that brought the callback is a trace of its own (its caller's), linked from the delivery.
  const [link] = delivery.links;
  assert.ok(link && link.traceId !== delivery.traceId, 'the delivery links the callback request');
  const request = receiver.spans.find((s) => s.traceId === link.traceId && !s.parentSpanId);
  assert.equal(request?.kind, SERVER);
  assert.equal(request?.attributes['http.route'], '/v1/callbacks/:token');
  assert.equal(request?.attributes['url.path'], '/v1/callbacks/[redacted]');
});

test("a caller's traceparent is continued: the job's trace is the caller's", async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const jobId = await runJob({ profile: 'aso-export', params: { reportId: 'caller', scenario: { durationMs: 100 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } }, { traceparent: `00-${traceId}-${callerSpan}-01` });
  const spans = await traceOf(jobId, (s) => named(s, 'RunWorkflow:asyncJob').length === 1);
  assert.equal(only(spans, 'StartWorkflow:asyncJob').traceId, traceId);
  const request = spans.find((s) => s.kind === SERVER && s.attributes['http.route'] === '/v1/jobs');
  assert.equal(request?.parentSpanId, callerSpan, "the gateway's request span is the caller's child");
});
