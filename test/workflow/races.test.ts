// Races, made deterministic. A callback is delivered (through the gateway, as a remote API sends
// it) by an activity interceptor at the exact moment the other path reaches the end: after the
// poll saw success but before it returns, while the poll's result downloads, before the start
// activity returns: no window of real milliseconds to hit or miss. Each test checks what the
// product promises: one terminal state, one download, one notification per target. (Waits that
// must outlast a timeout run on the time-skipping server: long-waits.test.ts.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { JobInputJson } from '../../src/contract/job-input';
import { CALLBACK_SIGNAL } from '../../src/contract/names';
import { mintToken } from '../../src/tokens/task-token';
import { newWebhookSecret, WebhookReceiver } from '../../dev/receivers/webhook';
import { request } from '../helpers/gateway-stack';
import { EventType, historyEvents, scheduledActivities } from '../helpers/history';
import { startStack, type Stack } from '../helpers/stack';
import { testKeyring } from '../helpers/temporal';

type CallbackBody = Record<string, unknown>;
interface Moment {
  activity: 'startRemoteJob' | 'pollUntilDone' | 'downloadResult';
  /** Deliver before the activity runs, or after it has done its work but before it returns. */
  when: 'before' | 'after';
  body: CallbackBody;
  /** The gateway's answer, once delivered. */
  answer?: { status: number; body: unknown };
}

const HOOK_SECRET = newWebhookSecret();
/** Per job: the callback to deliver, and when. */
const moments = new Map<string, Moment>();
let stack: Stack;
let hooks: WebhookReceiver;

const tokenFor = (workflowId: string, firstRunId: string): string => mintToken(testKeyring, { workflowId, runId: firstRunId, expiresAt: Date.now() + 3_600_000 });

const callbackAt: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const execution = ctx.info.workflowExecution;
      const moment = execution && moments.get(execution.workflowId);
      if (!execution || moment?.activity !== ctx.info.activityType || moment.answer) return next(input);
      const deliver = async (): Promise<void> => {
        moment.answer = await request(stack.gatewayUrl, 'POST', `/v1/callbacks/${tokenFor(execution.workflowId, execution.runId)}`, { body: moment.body, token: null });
      };
      if (moment.when === 'before') await deliver();
      const result: unknown = await next(input);
      if (moment.when === 'after') await deliver();
      return result;
    },
  },
});

before(async () => {
  hooks = await WebhookReceiver.start({ secret: HOOK_SECRET });
  stack = await startStack(undefined, { env: { HOOK_SECRET }, activityInterceptors: [callbackAt] });
});
after(async () => {
  await stack.stop();
  await hooks.stop();
});

async function startWith(moment: Moment | undefined, input: JobInputJson) {
  const workflowId = `race-${randomUUID()}`;
  if (moment) moments.set(workflowId, moment);
  return stack.start({ ...input, notify: [{ type: 'webhook', url: hooks.url, secretEnv: 'HOOK_SECRET' }] }, workflowId);
}

const delivered = (moment: Moment): unknown => (moment.answer?.body as { delivered?: unknown } | undefined)?.delivered;

test('hybrid: a callback at the moment the poll sees the end settles the job once, by the callback', async () => {
  const moment: Moment = { activity: 'pollUntilDone', when: 'after', body: { status: 'success', output: { from: 'callback' } } };
  const handle = await startWith(moment, {
    profile: 'task-token',
    params: { waitTime: 0.3, output: { from: 'poll' }, scenario: { callback: 'drop' } },
    completion: { mode: 'hybrid', timeout: '1h', poll: { interval: '100ms', backoff: 1 } },
  });
  const result = await handle.result();
  assert.equal(delivered(moment), true, 'the callback was delivered while the poll was still running');
  assert.equal(result.via, 'callback');
  assert.deepEqual(result.output, { from: 'callback' });
  const events = await historyEvents(handle);
  assert.equal(scheduledActivities(events, 'downloadResult').length, 1, 'both paths saw the end; the result is downloaded once');
  assert.equal(hooks.deliveriesFor(handle.workflowId).length, 1, 'one notification per target');
});

test('hybrid: a callback that comes while the poll\'s result downloads changes nothing', async () => {
  const moment: Moment = { activity: 'downloadResult', when: 'before', body: { status: 'failure', error: 'LateFailure', cause: 'sent after the poll saw success' } };
  const handle = await startWith(moment, {
    profile: 'task-token',
    params: { waitTime: 0.3, output: { from: 'poll' }, scenario: { callback: 'drop' } },
    completion: { mode: 'hybrid', timeout: '1h', poll: { interval: '100ms', backoff: 1 } },
  });
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  assert.equal(result.via, 'poll');
  assert.ok(result.file, 'the result was downloaded');
  // Delivered (it is in the job's history), and the first terminal state stood.
  assert.equal(delivered(moment), true);
  const events = await historyEvents(handle);
  const callbacks = events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === CALLBACK_SIGNAL);
  assert.equal(callbacks.length, 1);
  assert.equal(scheduledActivities(events, 'downloadResult').length, 1);
  const notified = hooks.deliveriesFor(handle.workflowId);
  assert.deepEqual(notified.map((d) => d.payload.type), ['job.succeeded']);
});

test('callback mode: a callback that comes before the start activity returns is not lost', async () => {
  const moment: Moment = { activity: 'startRemoteJob', when: 'after', body: { status: 'success', output: { early: true } } };
  const handle = await startWith(moment, {
    profile: 'task-token',
    // The remote job itself would take an hour and never call back: only the early callback can end it.
    params: { waitTime: 3600, scenario: { callback: 'drop' } },
    completion: { mode: 'callback', timeout: '2h' },
  });
  const result = await handle.result();
  assert.deepEqual(result.output, { early: true });
  const events = await historyEvents(handle);
  const signalled = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  const started = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  assert.ok(signalled >= 0 && signalled < started, 'the signal is in history before the start activity completed');
  assert.equal(hooks.deliveriesFor(handle.workflowId).length, 1);
});
