// Step Functions drop-in, tested with the official AWS SDK client: code that calls
// SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, with its endpoint pointed at the
// gateway, completes Pollback jobs unchanged, and gets Step Functions' own exception classes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { STATUS_QUERY, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { mintToken } from '../../src/tokens/task-token';
import type { asyncJob } from '../../src/workflows/async-job';
import { jobFailure } from '../helpers/failures';
import { eventually, request, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';
import { count, EventType, historyEvents } from '../helpers/history';
import { heartbeatExtendsWait } from '../helpers/remote';
import { testKeyring } from '../helpers/temporal';

let stack: GatewayStack;
let sfn: SFNClient;
before(async () => {
  stack = await startGatewayStack();
  // Exactly what a Step Functions caller configures, but for the endpoint; credentials are not checked.
  sfn = new SFNClient({ endpoint: stack.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
});
after(async () => {
  sfn.destroy();
  await stack.stop();
});

let seq = 0;
async function waitingJob(heartbeatTimeout?: string) {
  return stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `gw-sfn-${Date.now()}-${seq++}`,
    args: [{ profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m', ...(heartbeatTimeout ? { heartbeatTimeout } : {}) }, download: false }],
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => assert.fail('expected the call to be refused'),
    (err: unknown) => err as Error,
  );
}

test('SendTaskSuccess through the AWS SDK completes the job with the parsed output', async () => {
  const job = await waitingJob();
  const answer = await sfn.send(new SendTaskSuccessCommand({ taskToken: await stack.tokenFor(job.workflowId), output: JSON.stringify({ rows: 42, ok: true }) }));
  assert.equal(answer.$metadata.httpStatusCode, 200);
  const result = await job.result();
  assert.deepEqual(result.output, { rows: 42, ok: true });
  assert.equal(result.via, 'callback');
});

test('SendTaskFailure through the AWS SDK fails the job with RemoteJobFailed, error and cause', async () => {
  const job = await waitingJob();
  await sfn.send(new SendTaskFailureCommand({ taskToken: await stack.tokenFor(job.workflowId), error: 'States.TaskFailed', cause: 'upstream said no' }));
  const failure = await jobFailure(job);
  assert.equal(failure.type, 'RemoteJobFailed');
  assert.deepEqual(failure.details?.[0], { error: 'States.TaskFailed', cause: 'upstream said no', via: 'callback' });
});

test('SendTaskHeartbeat through the AWS SDK extends the wait', async () => {
  const job = await waitingJob('30s');
  const token = await stack.tokenFor(job.workflowId);
  await heartbeatExtendsWait(job, () => sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
  await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"beaten"' }));
  assert.equal((await job.result()).output, 'beaten');
  assert.equal(count(await historyEvents(job), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 2, 'the heartbeat and the success');
});

test('errors carry the Step Functions names: TaskDoesNotExist, InvalidToken, TaskTimedOut, InvalidOutput', async () => {
  const job = await waitingJob();
  const { runId } = await job.describe();
  const ghost = mintToken(testKeyring, { workflowId: `no-such-job-${Date.now()}`, runId, expiresAt: Date.now() + 60_000 });
  const notThere = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: ghost, output: '{}' })));
  assert.ok(notThere instanceof TaskDoesNotExist, `got ${notThere.name}`);
  assert.equal(notThere.$metadata?.httpStatusCode, 400);

  const forged = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: 'pb1.k1.e30.AAAA', output: '{}' })));
  assert.ok(forged instanceof InvalidToken, `got ${forged.name}`);

  const expired = await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: await stack.tokenFor(job.workflowId, Date.now() - 1_000) })));
  assert.ok(expired instanceof TaskTimedOut, `got ${expired.name}`);

  const badOutput = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: await stack.tokenFor(job.workflowId), output: '{not json' })));
  assert.ok(badOutput instanceof InvalidOutput, `got ${badOutput.name}`);

  // The forged, expired and unknown-job calls touched nothing; the authenticated call with a bad
  // output was refused *and told to the job* (a callbackRefused signal carrying only the reason).
  const signalNames = async (): Promise<string[]> => (await historyEvents(job)).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? '');
  await eventually('the refusal told to the job', async () => ((await signalNames()).length > 0 ? true : undefined));
  assert.deepEqual(await signalNames(), ['callbackRefused']);
  const status = await job.query<JobStatus>(STATUS_QUERY);
  assert.equal(status.refusedCallbacks?.count, 1);
  assert.equal(status.refusedCallbacks?.lastReason, 'the output is not valid JSON');
  await job.cancel();
});

test('the wire format: AWS JSON 1.0 answers, x-amzn-errortype, an unknown operation refused', async () => {
  const headers = { 'x-amz-target': 'AWSStepFunctions.SendTaskSuccess' };
  const refused = await request(stack.url, 'POST', '/', { raw: JSON.stringify({ taskToken: 'pb1.k1.e30.AAAA' }), contentType: 'application/x-amz-json-1.0', headers });
  assert.equal(refused.status, 400);
  assert.equal(refused.headers.get('x-amzn-errortype'), 'InvalidToken');
  assert.match(refused.headers.get('content-type') ?? '', /^application\/x-amz-json-1\.0/);
  assert.equal(refused.body.__type, 'InvalidToken');
  assert.equal(typeof refused.body.message, 'string');

  const unknown = await request(stack.url, 'POST', '/', { raw: '{}', contentType: 'application/x-amz-json-1.0', headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution' } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException');
});
