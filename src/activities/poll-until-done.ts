// Frequent polling, as Temporal advises it: one long activity reads the status in a loop and
// heartbeats what each read saw, so a job's history holds one activity whatever the number of
// polls. The heartbeat details are what the Web UI's pending activity shows, and where a retry
// (or another worker, after a crash) resumes from. The job's deadline is the activity's
// schedule-to-close timeout: Temporal ends it, nothing here needs to know the deadline.
import { Context } from '@temporalio/activity';
import { ErrorType, nonRetryable } from '../contract/errors';
import { planNextPoll } from '../polling/next-poll';
import { pollProgressSignal } from '../contract/messages';
import type { ActivityDeps } from './context';
import { readRemoteStatus } from './read-remote-status';
import type { PollHeartbeat, PollUntilDoneArgs, PollUntilDoneResult } from './types';

/** Heartbeats while waiting between polls: well within the activity's heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * When the workflow is told how polling goes (for its `status` query): after the first poll,
 * then at most every 10 s or every 2 % of the time spent polling so far, whichever is longer.
 * Each signal costs the job a workflow task and four history events; with the gap growing with
 * the time polled, a job polling for a day sends ~300 of them, not one per poll. The Web UI's
 * pending activity shows every poll anyway (the heartbeat details).
 */
export function signalDue(args: { now: number; since: number; lastSignalAt: number | undefined }): boolean {
  const { now, since, lastSignalAt } = args;
  if (lastSignalAt === undefined) return true;
  return now - lastSignalAt >= Math.max(10_000, (now - since) / 50);
}

export async function pollUntilDone(deps: ActivityDeps, args: PollUntilDoneArgs): Promise<PollUntilDoneResult> {
  const ctx = Context.current();
  const execution = ctx.info.workflowExecution;
  const resumed = ctx.info.heartbeatDetails as PollHeartbeat | undefined;
  // A retry, or another worker after a crash, carries on from the last recorded heartbeat.
  let beat: PollHeartbeat = resumed ?? { polls: args.polls, intervalMs: args.intervalMs, nextPollAt: new Date(args.nextPollAt).toISOString(), since: new Date().toISOString() };
  const since = Date.parse(beat.since);
  let lastSignalAt: number | undefined;
  const heartbeat = (): void => ctx.heartbeat(beat);
  const ticker = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
  heartbeat();
  try {
    for (;;) {
      const wait = Date.parse(beat.nextPollAt) - Date.now();
      if (wait > 0) await ctx.sleep(wait); // rejects at once on cancellation
      const status = await readRemoteStatus(deps, { profile: args.profile, params: args.params, remote: args.remote }, ctx.cancellationSignal);
      const polls = beat.polls + 1;
      const seen = { lastStatus: status.rawStatus, lastState: status.state, ...(status.progress !== undefined ? { progress: status.progress } : beat.progress !== undefined ? { progress: beat.progress } : {}) };
      if (status.state !== 'running') {
        beat = { ...beat, ...seen, polls };
        heartbeat();
        return { polls, status };
      }
      const now = Date.now();
      const next = planNextPoll({
        now,
        settings: args.settings,
        currentIntervalMs: beat.intervalMs,
        retryAfterMs: status.retryAfterMs,
        statusUrlExpiresAt: args.remote.statusUrlExpiresAt,
      });
      if ('expired' in next) {
        throw nonRetryable(
          ErrorType.StatusUrlExpired,
          `the status URL expires at ${new Date(args.remote.statusUrlExpiresAt ?? 0).toISOString()} and the remote job was still "${status.rawStatus}" after ${polls} polls`,
        );
      }
      beat = { ...beat, ...seen, polls, intervalMs: next.intervalMs, nextPollAt: new Date(next.at).toISOString() };
      heartbeat();
      if (execution && signalDue({ now, since, lastSignalAt })) {
        lastSignalAt = now;
        // Best effort: the status query is for people watching; polling does not depend on it.
        ctx.client.workflow
          .getHandle(execution.workflowId, execution.runId)
          .signal(pollProgressSignal, { polls, rawStatus: status.rawStatus, state: status.state, nextPollAt: next.at, progress: seen.progress })
          .catch(() => undefined);
      }
    }
  } catch (err) {
    // However the abort surfaced (the sleep, the request), a cancel is reported as a cancel.
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    throw err;
  } finally {
    clearInterval(ticker);
  }
}
