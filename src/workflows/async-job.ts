// The product's heart: start a remote job, then finish it by callback, by durable polling, or
// both (hybrid: a slow safety poll beside the expected callback). Whatever sees the terminal
// state first settles the job, exactly once. Then the result is downloaded and people are
// told; a failure or a cancel is told too. Frequent polling runs in one activity, infrequent
// polling continues as new every so many polls, so history stays bounded whatever their number.
import { ApplicationFailure, CancellationScope, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { JobResult } from '../contract/job-status';
import type { CallbackSignal } from '../contract/signals';
import { describeIssues } from '../contract/validation';
import { prepareJob } from './activities';
import { awaitOutcome, startRemoteJob } from './completion';
import { cleanUpCancelled, finishSucceeded, remoteFailure, reportFailure } from './finish';
import { JobState, type CarriedState } from './job-state';
import { provisionalStatus } from './provisional-status';
import { callbackRefusedSignal, callbackSignal, downloadProgressSignal, pollProgressSignal, statusQuery } from '../contract/messages';
import { signalPayloads } from './signals';

export type { CarriedState } from './job-state';

export async function asyncJob(rawInput: unknown, carried?: CarriedState): Promise<JobResult> {
  // Answered from the first activation on: the job as its input states it until the input is read.
  const prepared: { job?: JobState } = {};
  setHandler(statusQuery, () => prepared.job?.status() ?? provisionalStatus(rawInput, carried));
  const { input, patched } = await prepareJob(rawInput);
  const job = new JobState(input, carried, { leanHistory: patched });
  prepared.job = job;
  const firstRunId = workflowInfo().firstExecutionRunId;
  const expectsCallback = input.completion.mode !== 'poll';
  let heartbeats = 0;

  const forThisJob = (runId: string | undefined): boolean => {
    if (runId === undefined || runId === firstRunId) return true;
    log.warn('ignored a callback for another job that used the same workflow id', { runId });
    return false;
  };
  setHandler(callbackSignal, (signal: CallbackSignal) => {
    const parsed = signalPayloads().callbackSignalSchema.safeParse(signal);
    if (!parsed.success) {
      log.warn('ignored a malformed callback signal', { issues: describeIssues(parsed.error) });
      return;
    }
    const cb = parsed.data;
    if (!forThisJob(cb.runId)) return;
    if (!expectsCallback || job.outcome) return; // duplicate or late: the first terminal state stands
    switch (cb.kind) {
      case 'heartbeat':
        heartbeats++;
        job.setRemoteProgress(cb.progress);
        return;
      case 'success':
        job.outcome = { state: 'succeeded', via: 'callback', output: cb.output, ...(cb.resultUrl !== undefined ? { resultUrl: cb.resultUrl } : {}), ...(cb.sha256 !== undefined ? { sha256: cb.sha256.toLowerCase() } : {}) };
        return;
      case 'failure':
        job.outcome = { state: 'failed', via: 'callback', error: cb.error ?? 'remote job reported failure', ...(cb.cause !== undefined ? { cause: cb.cause } : {}), ...(cb.code !== undefined ? { code: cb.code } : {}) };
        return;
      case 'cancelled':
        job.outcome = { state: 'cancelled', via: 'callback', message: cb.error ?? 'the remote side reported the job cancelled', ...(cb.code !== undefined ? { code: cb.code } : {}) };
        return;
    }
  });
  // The gateway tells the job about a callback that authenticated but could not be read, so a
  // refused callback is never silent; the reason is all it carries (never the body or a secret).
  setHandler(callbackRefusedSignal, (signal) => {
    const parsed = signalPayloads().callbackRefusedSignalSchema.safeParse(signal);
    if (!parsed.success || !forThisJob(parsed.data.runId) || job.outcome) return;
    log.warn('a callback was refused', { reason: parsed.data.reason });
    job.recordRefusedCallback(parsed.data.reason);
  });
  setHandler(pollProgressSignal, (progress) => {
    const parsed = signalPayloads().pollProgressSchema.safeParse(progress);
    if (parsed.success) job.recordPollProgress(parsed.data);
  });
  setHandler(downloadProgressSignal, (progress) => {
    const parsed = signalPayloads().downloadProgressSchema.safeParse(progress);
    if (parsed.success) job.download = parsed.data;
  });

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
