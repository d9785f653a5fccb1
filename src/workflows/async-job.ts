// The product's heart: start a remote job, then finish it by callback, by durable polling, or
// both (hybrid: a slow safety poll beside the expected callback). Whatever sees the terminal
// state first settles the job, exactly once. Long polls continue-as-new, so history stays
// bounded whatever the number of polls.
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RemoteJobRef, RemoteStatus } from '../activities/types';
import { searchAttributes, type CallbackSignal, type JobStatus, type Phase, type RemoteState } from '../contract';
import { formatDuration } from '../durations';
import { ErrorType } from '../errors';
import { describeIssues } from '../validation';
import { jobInputSchema, type JobInput } from './input';
import { planNextPoll } from './schedule';
import { callbackSignal, callbackSignalSchema, statusQuery } from './signals';

/** State carried across continue-as-new. */
export interface CarriedState {
  startedAt: number;
  deadline: number;
  remote: RemoteJobRef;
  pollCount: number;
  pollIntervalMs: number;
  nextPollAt?: number;
  lastError?: string;
  runs: number;
}

export type Outcome =
  | { state: 'succeeded'; via: 'callback' | 'poll'; output?: unknown; resultUrl?: string }
  | { state: 'failed'; via: 'callback' | 'poll'; error: string; cause?: string }
  | { state: 'cancelled'; via: 'callback' | 'poll'; message: string };

export interface JobResult {
  workflowId: string;
  profile: string;
  remoteJobId?: string;
  status: 'succeeded';
  via: 'callback' | 'poll';
  output?: unknown;
  resultUrl?: string;
  polls: number;
  runs: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

const ACTIVITY_TIMEOUT = '45s';

function parseInput(raw: unknown): JobInput {
  const parsed = jobInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: ErrorType.InvalidInput, nonRetryable: true, message: `invalid job input: ${describeIssues(parsed.error)}` });
  }
  return parsed.data;
}

/** Re-throws an activity's typed failure as the workflow's own, so the job fails with a meaningful type. */
function surface(err: unknown, deadlineMessage: string): never {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ type: cause.type ?? ErrorType.RemoteProtocolError, message: cause.message, nonRetryable: true, cause: err });
    }
    if (cause instanceof TimeoutFailure) {
      throw ApplicationFailure.create({ type: ErrorType.JobTimeout, message: deadlineMessage, nonRetryable: true, cause: err });
    }
  }
  throw err;
}

export async function asyncJob(rawInput: unknown, carried?: CarriedState): Promise<JobResult> {
  const info = workflowInfo();
  const input = parseInput(rawInput);
  const { completion } = input;
  const profileName = typeof input.profile === 'string' ? input.profile : input.profile.name;
  const now = Date.now();
  const state: CarriedState = carried ?? {
    startedAt: now,
    deadline: now + completion.timeout,
    remote: {},
    pollCount: 0,
    pollIntervalMs: completion.mode === 'callback' ? 0 : completion.poll.interval,
    runs: 1,
  };
  let phase: Phase = carried ? (completion.mode === 'callback' ? 'waiting-callback' : 'polling') : 'starting';
  let remoteStatus: { raw: string; state: RemoteState } | undefined;
  let outcome: Outcome | undefined;
  let heartbeatAt: number | undefined;
  let callbackDeadline =
    completion.mode === 'callback' ? Math.min(state.deadline, state.startedAt + (completion.heartbeatTimeout ?? completion.timeout)) : undefined;
  const expectsCallback = completion.mode !== 'poll';

  const setPhase = (next: Phase): void => {
    if (next === phase) return;
    phase = next;
    upsertSearchAttributes([{ key: searchAttributes.phase, value: next }]);
  };
  if (!carried) upsertSearchAttributes([{ key: searchAttributes.profile, value: profileName }, { key: searchAttributes.phase, value: phase }]);

  setHandler(callbackSignal, (signal: CallbackSignal) => {
    const parsed = callbackSignalSchema.safeParse(signal);
    if (!parsed.success) {
      log.warn('ignored a malformed callback signal', { issues: describeIssues(parsed.error) });
      return;
    }
    const cb = parsed.data;
    if (cb.runId !== undefined && cb.runId !== info.firstExecutionRunId) {
      log.warn('ignored a callback for another job that used the same workflow id', { runId: cb.runId });
      return;
    }
    if (!expectsCallback || outcome) return; // duplicate or late: the first terminal state stands
    if (cb.kind === 'heartbeat') {
      heartbeatAt = Date.now();
    } else if (cb.kind === 'success') {
      outcome = { state: 'succeeded', via: 'callback', output: cb.output };
    } else {
      outcome = { state: 'failed', via: 'callback', error: cb.error ?? 'remote job reported failure', ...(cb.cause !== undefined ? { cause: cb.cause } : {}) };
    }
  });

  setHandler(statusQuery, (): JobStatus => ({
    phase,
    profile: profileName,
    mode: completion.mode,
    ...(state.remote.id !== undefined ? { remoteJobId: state.remote.id } : {}),
    ...(remoteStatus ? { remoteStatus: remoteStatus.raw, remoteState: remoteStatus.state } : {}),
    pollCount: state.pollCount,
    ...(state.nextPollAt !== undefined && !outcome ? { nextPollAt: new Date(state.nextPollAt).toISOString() } : {}),
    ...(callbackDeadline !== undefined && !outcome ? { callbackDeadline: new Date(callbackDeadline).toISOString() } : {}),
    deadline: new Date(state.deadline).toISOString(),
    ...(state.lastError !== undefined ? { lastError: state.lastError } : {}),
    runsSoFar: state.runs,
  }));

  try {
    return await run();
  } catch (err) {
    // Typed failures end the job; continue-as-new and cancellation pass through untouched.
    if (err instanceof ApplicationFailure) setPhase('failed');
    throw err;
  }

  async function run(): Promise<JobResult> {
  const remaining = (): number => Math.max(1_000, state.deadline - Date.now());
  const timeoutMessage = (): string => `the job did not finish within its timeout of ${formatDuration(completion.timeout)}`;

  if (!carried) {
    const { startRemoteJob } = proxyActivities<Activities>({
      startToCloseTimeout: ACTIVITY_TIMEOUT,
      scheduleToCloseTimeout: remaining(),
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
    });
    try {
      const started = await startRemoteJob({
        profile: input.profile,
        params: input.params,
        idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}`,
        needsStatus: completion.mode !== 'callback',
        ...(expectsCallback ? { callback: { runId: info.firstExecutionRunId, expiresAt: state.deadline } } : {}),
      });
      state.remote = started.remote;
      if (completion.mode !== 'callback') state.nextPollAt = Date.now() + Math.max(started.retryAfterMs ?? 0, completion.poll.interval);
    } catch (err) {
      surface(err, timeoutMessage());
    }
    if (state.remote.id !== undefined) upsertSearchAttributes([{ key: searchAttributes.remoteJobId, value: state.remote.id }]);
  }

  const { readRemoteStatus } = proxyActivities<Activities>({
    startToCloseTimeout: ACTIVITY_TIMEOUT,
    scheduleToCloseTimeout: remaining(),
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
  let pollsThisRun = 0;

  while (!outcome) {
    setPhase(completion.mode === 'poll' ? 'polling' : 'waiting-callback');
    const t = Date.now();
    if (callbackDeadline !== undefined && t >= callbackDeadline) {
      const waited = completion.mode === 'callback' && completion.heartbeatTimeout !== undefined ? formatDuration(completion.heartbeatTimeout) : formatDuration(completion.timeout);
      throw ApplicationFailure.create({ type: ErrorType.CallbackTimeout, nonRetryable: true, message: `no callback arrived within ${waited}` });
    }
    if (t >= state.deadline) throw ApplicationFailure.create({ type: ErrorType.JobTimeout, nonRetryable: true, message: timeoutMessage() });

    const wakeAt = Math.min(state.deadline, callbackDeadline ?? Infinity, state.nextPollAt ?? Infinity);
    const summary = state.nextPollAt !== undefined && state.nextPollAt === wakeAt ? `poll #${state.pollCount + 1} in ${formatDuration(wakeAt - t)}` : `waiting for callback (up to ${formatDuration(wakeAt - t)})`;
    const heartbeatBefore = heartbeatAt;
    if (wakeAt > t) await condition(() => outcome !== undefined || heartbeatAt !== heartbeatBefore, wakeAt - t, { summary });
    if (outcome) break;
    if (heartbeatAt !== heartbeatBefore && completion.mode === 'callback' && heartbeatAt !== undefined) {
      callbackDeadline = Math.min(state.deadline, heartbeatAt + (completion.heartbeatTimeout ?? completion.timeout));
      continue;
    }
    if (state.nextPollAt === undefined || Date.now() < state.nextPollAt || completion.mode === 'callback') continue;

    let status: RemoteStatus;
    try {
      status = await readRemoteStatus({ profile: input.profile, params: input.params, remote: state.remote });
    } catch (err) {
      surface(err, timeoutMessage());
    }
    state.pollCount++;
    pollsThisRun++;
    remoteStatus = { raw: status.rawStatus, state: status.state };
    if (outcome) break; // a callback won the race while the poll was in flight
    if (status.state === 'succeeded') {
      outcome = { state: 'succeeded', via: 'poll', ...(status.resultUrl !== undefined ? { resultUrl: status.resultUrl } : {}) };
      break;
    }
    if (status.state === 'failed') {
      outcome = { state: 'failed', via: 'poll', error: status.message ?? `remote status "${status.rawStatus}"` };
      break;
    }
    if (status.state === 'cancelled') {
      outcome = { state: 'cancelled', via: 'poll', message: status.message ?? `remote status "${status.rawStatus}"` };
      break;
    }
    const next = planNextPoll({
      now: Date.now(),
      settings: completion.poll,
      currentIntervalMs: state.pollIntervalMs,
      ...(status.retryAfterMs !== undefined ? { retryAfterMs: status.retryAfterMs } : {}),
      ...(state.remote.statusUrlExpiresAt !== undefined ? { statusUrlExpiresAt: state.remote.statusUrlExpiresAt } : {}),
    });
    if ('expired' in next) {
      throw ApplicationFailure.create({
        type: ErrorType.StatusUrlExpired,
        nonRetryable: true,
        message: `the status URL expires at ${new Date(state.remote.statusUrlExpiresAt ?? 0).toISOString()} and the remote job was still "${status.rawStatus}" after ${state.pollCount} polls`,
      });
    }
    state.nextPollAt = next.at;
    state.pollIntervalMs = next.intervalMs;
    if (pollsThisRun >= input.pollsPerRun || workflowInfo().continueAsNewSuggested) {
      log.info('continuing as new to keep history bounded', { polls: state.pollCount, run: state.runs });
      await continueAsNew<typeof asyncJob>(input, { ...state, runs: state.runs + 1 });
    }
  }

  const finishedAt = Date.now();
  switch (outcome.state) {
    case 'failed':
      setPhase('failed');
      throw ApplicationFailure.create({
        type: ErrorType.RemoteJobFailed,
        nonRetryable: true,
        message: `remote job failed: ${outcome.error}`,
        details: [{ error: outcome.error, cause: outcome.cause, via: outcome.via }],
      });
    case 'cancelled':
      setPhase('cancelled');
      throw ApplicationFailure.create({ type: ErrorType.RemoteJobCancelled, nonRetryable: true, message: `remote job was cancelled: ${outcome.message}` });
    case 'succeeded':
      setPhase('succeeded');
      return {
        workflowId: info.workflowId,
        profile: profileName,
        ...(state.remote.id !== undefined ? { remoteJobId: state.remote.id } : {}),
        status: 'succeeded',
        via: outcome.via,
        ...(outcome.output !== undefined ? { output: outcome.output } : {}),
        ...(outcome.resultUrl !== undefined ? { resultUrl: outcome.resultUrl } : {}),
        polls: state.pollCount,
        runs: state.runs,
        startedAt: new Date(state.startedAt).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: finishedAt - state.startedAt,
      };
  }
}
  }
