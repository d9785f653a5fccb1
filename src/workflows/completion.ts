// Start the remote job, then wait for its terminal state: by callback, by durable polling,
// or both. Polling follows Temporal's guidance, one mechanism per case: frequent polling (an
// interval under a minute) runs inside one heartbeating activity, so history holds one
// activity whatever the number of polls; infrequent polling, and the wait for a callback, use
// one loop that sleeps on a durable timer until the earliest of the deadline, the callback
// deadline and the next poll, and wakes early for a callback.
import { ActivityFailure, ApplicationFailure, CancellationScope, TimeoutFailure, condition, continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import type { RemoteStatus } from '../activities/types';
import { formatDuration } from '../contract/durations';
import { ErrorType } from '../contract/errors';
import { apiCallsLimited, pollActivities, remoteActivities } from './activities';
import type { JobState } from './job-state';
import type { PollSettings } from '../contract/job-input';
import { planNextPoll } from '../polling/next-poll';

/** Re-throws an activity's typed failure as the job's own, so the job fails with a meaningful type. */
export function surface(err: unknown, deadlineMessage: string): never {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ type: cause.type ?? ErrorType.RemoteProtocolError, message: cause.message, nonRetryable: true, details: cause.details ?? [], cause: err });
    }
    if (cause instanceof TimeoutFailure) {
      throw ApplicationFailure.create({ type: ErrorType.JobTimeout, message: deadlineMessage, nonRetryable: true, cause: err });
    }
  }
  throw err;
}

function fail(type: ErrorType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function timeoutMessage(job: JobState): string {
  const refused = job.refusalNote();
  return `the job did not finish within its timeout of ${formatDuration(job.input.completion.timeout)}${refused ? `; ${refused}` : ''}`;
}

function callbackTimeoutMessage(job: JobState): string {
  const wait = formatDuration(job.input.completion.mode === 'callback' ? (job.input.completion.heartbeatTimeout ?? job.input.completion.timeout) : job.input.completion.timeout);
  const refused = job.refusalNote();
  return refused ? `no callback was accepted within ${wait}: ${refused}` : `no callback arrived within ${wait}`;
}

const remaining = (job: JobState): number => job.carried.deadline - Date.now();

export async function startRemoteJob(job: JobState): Promise<void> {
  const { completion } = job.input;
  const info = workflowInfo();
  const expectsCallback = completion.mode !== 'poll';
  job.setPhase('starting', `starting the remote job (${job.profileName})`);
  try {
    const { startRemoteJob: start } = remoteActivities(remaining(job), `start ${job.profileName} job`);
    // A cancel must not abandon a start whose request may already have created the remote job:
    // let it finish, so the cancel that follows knows what to stop.
    const started = await CancellationScope.nonCancellable(() => start({
      profile: job.input.profile,
      params: job.input.params,
      idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}`,
      needsStatus: completion.mode !== 'callback',
      ...(expectsCallback ? { callback: { runId: info.firstExecutionRunId, expiresAt: job.carried.deadline } } : {}),
    }));
    job.carried.remote = started.remote;
    if (completion.mode !== 'callback') {
      // The first poll is planned like every other one: Retry-After, and never past the status URL's expiry.
      const first = planNextPoll({
        now: Date.now(),
        settings: { ...completion.poll, backoff: 1 },
        currentIntervalMs: completion.poll.interval,
        retryAfterMs: started.retryAfterMs,
        statusUrlExpiresAt: started.remote.statusUrlExpiresAt,
      });
      if ('expired' in first) fail(ErrorType.StatusUrlExpired, 'the status URL the API handed out expires before the first poll could be made');
      job.carried.nextPollAt = first.at;
    }
  } catch (err) {
    surface(err, timeoutMessage(job));
  }
  if (job.carried.remote.id !== undefined) job.setRemoteJobId(job.carried.remote.id);
  if (completion.mode === 'callback') job.carried.callbackDeadline = Math.min(job.carried.deadline, Date.now() + (completion.heartbeatTimeout ?? completion.timeout));
}

function recordStatus(job: JobState, status: RemoteStatus): void {
  job.remoteStatus = { raw: status.rawStatus, state: status.state };
  job.setRemoteProgress(status.progress);
  if (job.outcome) return; // a callback won the race while the poll was in flight
  switch (status.state) {
    case 'succeeded':
      job.outcome = { state: 'succeeded', via: 'poll', ...(status.resultUrl !== undefined ? { resultUrl: status.resultUrl } : {}) };
      return;
    case 'failed':
      job.outcome = { state: 'failed', via: 'poll', error: status.message ?? `remote status "${status.rawStatus}"`, ...(status.code !== undefined ? { code: status.code } : {}) };
      return;
    case 'cancelled':
      job.outcome = { state: 'cancelled', via: 'poll', message: status.message ?? `remote status "${status.rawStatus}"`, ...(status.code !== undefined ? { code: status.code } : {}) };
      return;
    case 'running':
      return;
  }
}

/**
 * Polling at least this often runs inside one activity; slower polling stays on workflow timers.
 * Temporal's samples draw the line at a minute: above it a poll's ~11 history events are cheap
 * against its interval (≤ 11 events a minute, bounded per run by continue-as-new), each poll
 * stays visible as its own timer and activity, and a waiting job holds no worker slot.
 */
export const POLL_IN_ACTIVITY_BELOW_MS = 60_000;
/**
 * Jobs recorded before polling moved into an activity replay their timer loop. So do jobs of a
 * profile with limits: each status read is then its own activity on the limited queue.
 */
export const POLL_IN_ACTIVITY_PATCH = 'poll-in-activity';

/** Waits until the job's outcome is known; throws CallbackTimeout, JobTimeout or StatusUrlExpired otherwise. */
export async function awaitOutcome(job: JobState, heartbeats: () => number): Promise<void> {
  const { completion } = job.input;
  const carried = job.carried;
  if (completion.mode !== 'callback' && completion.poll.interval < POLL_IN_ACTIVITY_BELOW_MS && !job.outcome && !apiCallsLimited() && patched(POLL_IN_ACTIVITY_PATCH)) {
    return pollInActivity(job, completion.poll);
  }
  let pollsThisRun = 0;
  let heartbeatsThisRun = 0;
  while (!job.outcome) {
    const now = Date.now();
    if (completion.mode === 'callback' && carried.callbackDeadline !== undefined && now >= carried.callbackDeadline) {
      fail(ErrorType.CallbackTimeout, callbackTimeoutMessage(job));
    }
    if (now >= carried.deadline) fail(ErrorType.JobTimeout, timeoutMessage(job));

    const wakeAt = Math.min(carried.deadline, carried.callbackDeadline ?? Infinity, carried.nextPollAt ?? Infinity);
    const pollNext = carried.nextPollAt !== undefined && carried.nextPollAt === wakeAt;
    const summary = pollNext ? `poll #${carried.pollCount + 1} in ${formatDuration(wakeAt - now)}` : `waiting for a callback (up to ${formatDuration(wakeAt - now)})`;
    job.setPhase(job.waitingPhase(), summary);
    const beatsBefore = heartbeats();
    if (wakeAt > now) await condition(() => job.outcome !== undefined || heartbeats() !== beatsBefore, wakeAt - now, { summary });
    if (job.outcome) break;
    if (heartbeats() !== beatsBefore && completion.mode === 'callback') {
      carried.callbackDeadline = Math.min(carried.deadline, Date.now() + (completion.heartbeatTimeout ?? completion.timeout));
      // Each heartbeat costs a few events: a long-lived, chatty job continues as new too.
      if (++heartbeatsThisRun >= job.input.pollsPerRun || workflowInfo().continueAsNewSuggested) await continueAsNewWith(job);
      continue;
    }
    if (completion.mode === 'callback' || carried.nextPollAt === undefined || Date.now() < carried.nextPollAt) continue;

    let status: RemoteStatus;
    try {
      const { readRemoteStatus } = remoteActivities(remaining(job), `poll #${carried.pollCount + 1}`);
      status = await readRemoteStatus({ profile: job.input.profile, params: job.input.params, remote: carried.remote });
    } catch (err) {
      surface(err, timeoutMessage(job));
    }
    carried.pollCount++;
    pollsThisRun++;
    recordStatus(job, status);
    if (job.outcome) break;

    const next = planNextPoll({
      now: Date.now(),
      settings: completion.poll,
      currentIntervalMs: carried.pollIntervalMs,
      retryAfterMs: status.retryAfterMs,
      statusUrlExpiresAt: carried.remote.statusUrlExpiresAt,
    });
    if ('expired' in next) {
      fail(
        ErrorType.StatusUrlExpired,
        `the status URL expires at ${new Date(carried.remote.statusUrlExpiresAt ?? 0).toISOString()} and the remote job was still "${job.remoteStatus?.raw ?? 'running'}" after ${carried.pollCount} polls`,
      );
    }
    carried.nextPollAt = next.at;
    carried.pollIntervalMs = next.intervalMs;
    if (pollsThisRun >= job.input.pollsPerRun || workflowInfo().continueAsNewSuggested) await continueAsNewWith(job);
  }
}

/**
 * Frequent polling: one activity polls until the remote job ends, the job's deadline (its
 * schedule-to-close timeout) or a cancel. A callback that settles the job first (hybrid mode)
 * cancels it: the job goes on at once, the activity learns of the cancel at its next heartbeat.
 */
async function pollInActivity(job: JobState, settings: PollSettings): Promise<void> {
  const carried = job.carried;
  const first = carried.nextPollAt ?? Date.now();
  job.startPollingInActivity(Date.now());
  const scope = new CancellationScope();
  const { pollUntilDone } = pollActivities(remaining(job), `poll every ${formatDuration(settings.interval)} until done`);
  const polling = scope.run(() =>
    pollUntilDone({ profile: job.input.profile, params: job.input.params, remote: carried.remote, settings, polls: carried.pollCount, nextPollAt: first, intervalMs: carried.pollIntervalMs }),
  );
  const settledElsewhere = condition(() => job.outcome !== undefined);
  // Whichever loses the race must not surface later as an unhandled rejection.
  polling.catch(() => undefined);
  settledElsewhere.catch(() => undefined);
  let result: Awaited<typeof polling> | void;
  try {
    result = await Promise.race([polling, settledElsewhere]);
  } catch (err) {
    surface(err, timeoutMessage(job));
  }
  if (!result) {
    scope.cancel();
    return;
  }
  carried.pollCount = Math.max(carried.pollCount, result.polls);
  recordStatus(job, result.status);
}

async function continueAsNewWith(job: JobState): Promise<never> {
  const { carried } = job;
  log.info('continuing as new to keep history bounded', { polls: carried.pollCount, run: carried.runs });
  return continueAsNew<(input: unknown, carried: unknown) => Promise<unknown>>(job.input, { ...carried, runs: carried.runs + 1 });
}
