// The product's heart: start a remote job, then finish it by callback, by durable polling, or
// both (hybrid: a slow safety poll beside the expected callback). Whatever sees the terminal
// state first settles the job, exactly once. Then the result is downloaded and people are
// told; a failure or a cancel is told too. Long polls continue-as-new, so history stays
// bounded whatever the number of polls.
import { ApplicationFailure, CancellationScope, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CallbackSignal, JobResult } from '../contract';
import { describeIssues } from '../validation';
import { awaitOutcome, startRemoteJob } from './completion';
import { cleanUpCancelled, finishSucceeded, remoteFailure, reportFailure } from './finish';
import { parseJobInput } from './input';
import { JobState, type CarriedState } from './job-state';
import { callbackSignal, callbackSignalSchema, downloadProgressSignal, statusQuery } from './signals';

export type { CarriedState } from './job-state';

export async function asyncJob(rawInput: unknown, carried?: CarriedState): Promise<JobResult> {
  const input = parseJobInput(rawInput);
  const job = new JobState(input, carried);
  const firstRunId = workflowInfo().firstExecutionRunId;
  const expectsCallback = input.completion.mode !== 'poll';
  let heartbeats = 0;

  setHandler(callbackSignal, (signal: CallbackSignal) => {
    const parsed = callbackSignalSchema.safeParse(signal);
    if (!parsed.success) {
      log.warn('ignored a malformed callback signal', { issues: describeIssues(parsed.error) });
      return;
    }
    const cb = parsed.data;
    if (cb.runId !== undefined && cb.runId !== firstRunId) {
      log.warn('ignored a callback for another job that used the same workflow id', { runId: cb.runId });
      return;
    }
    if (!expectsCallback || job.outcome) return; // duplicate or late: the first terminal state stands
    if (cb.kind === 'heartbeat') heartbeats++;
    else if (cb.kind === 'success') job.outcome = { state: 'succeeded', via: 'callback', output: cb.output };
    else job.outcome = { state: 'failed', via: 'callback', error: cb.error ?? 'remote job reported failure', ...(cb.cause !== undefined ? { cause: cb.cause } : {}) };
  });
  setHandler(downloadProgressSignal, (progress) => {
    job.download = progress;
  });
  setHandler(statusQuery, () => job.status());

  try {
    if (!carried) await startRemoteJob(job);
    await awaitOutcome(job, () => heartbeats);
    const failure = remoteFailure(job);
    if (failure) throw failure;
    return await finishSucceeded(job);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => cleanUpCancelled(job));
    } else if (err instanceof ApplicationFailure) {
      await CancellationScope.nonCancellable(() => reportFailure(job, err));
    }
    throw err;
  }
}
