// The end of a job: download the result and tell people on success; tell people on failure;
// on cancel, stop the remote job, remove partial files and tell people — each in a scope that
// cancellation cannot interrupt.
import { ActivityCancellationType, ApplicationFailure, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { JobResult, NotificationReport } from '../contract/job-status';
import { formatDuration } from '../contract/durations';
import { ErrorType } from '../contract/errors';
import { targetLabel, type JobEvent, type JobSummary } from '../notify/message';
import { downloadActivities, localActivities, notifyActivities, remoteActivities } from './activities';
import { surface, timeoutMessage } from './completion';
import type { JobState } from './job-state';

function summary(job: JobState, event: JobEvent, error?: { type?: string; message: string }): JobSummary {
  return {
    workflowId: workflowInfo().workflowId,
    title: job.title,
    profile: job.profileName,
    event,
    remoteJobId: job.carried.remote.id,
    ...(job.file ? { file: job.file } : {}),
    durationMs: Date.now() - job.carried.startedAt,
    ...(error ? { error } : {}),
  };
}

/** Every target that asked for this event, in parallel; a target that keeps failing is reported, not fatal. */
export async function notifyAll(job: JobState, event: JobEvent, error?: { type?: string; message: string }): Promise<NotificationReport[]> {
  const targets = job.input.notify.map((target, index) => ({ target, index })).filter(({ target }) => target.on.includes(event));
  if (!targets.length) return [];
  job.setPhase('notifying', `${event}: telling ${targets.length} target(s)`);
  const message = summary(job, event, error);
  const reports = await Promise.all(
    targets.map(async ({ target, index }): Promise<NotificationReport> => {
      const label = targetLabel(target);
      try {
        const { notify } = notifyActivities(`notify ${label}`);
        // Stable across retries, distinct for a later job reusing the workflow id.
        const info = workflowInfo();
        await notify({ target, summary: message, messageId: `msg_${info.workflowId}_${info.firstExecutionRunId}_${event}_${index}` });
        return { target: label, event, sent: true };
      } catch (err) {
        if (isCancellation(err)) throw err;
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
        return { target: label, event, sent: false, error: cause };
      }
    }),
  );
  job.notifications.push(...reports);
  return reports;
}

export async function finishSucceeded(job: JobState): Promise<JobResult> {
  const outcome = job.outcome;
  if (outcome?.state !== 'succeeded') throw new Error('finishSucceeded called without a successful outcome');
  const info = workflowInfo();
  const remoteDoneAt = Date.now();
  const { download } = job.input;
  if (download !== false) {
    job.setPhase('downloading', 'streaming the result to disk');
    try {
      const { downloadResult } = downloadActivities(`download result of ${job.title}`, ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
      const file = await downloadResult({
        profile: job.input.profile,
        params: job.input.params,
        remote: job.carried.remote,
        resultUrl: outcome.resultUrl,
        callbackOutput: outcome.output,
        sha256: outcome.sha256,
        fileName: download.fileName,
        maxBytes: download.maxBytes,
        to: download.to,
      });
      if (file) job.file = file;
    } catch (err) {
      surface(err, timeoutMessage(job));
    }
  }
  const downloadedAt = Date.now();
  await notifyAll(job, 'succeeded');
  const finishedAt = Date.now();
  job.setPhase('succeeded', job.file ? `${job.file.fileName} → ${job.file.path}` : `in ${formatDuration(finishedAt - job.carried.startedAt)}`);
  return {
    workflowId: info.workflowId,
    title: job.input.title,
    profile: job.profileName,
    remoteJobId: job.carried.remote.id,
    status: 'succeeded',
    via: outcome.via,
    output: outcome.output,
    ...(download === false && outcome.resultUrl !== undefined ? { resultUrl: outcome.resultUrl } : {}),
    ...(job.file ? { file: job.file } : {}),
    notifications: job.notifications,
    polls: job.carried.pollCount,
    runs: job.carried.runs,
    startedAt: new Date(job.carried.startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - job.carried.startedAt,
    timings: {
      remoteMs: remoteDoneAt - job.carried.startedAt,
      ...(download !== false ? { downloadMs: downloadedAt - remoteDoneAt } : {}),
      notifyMs: finishedAt - downloadedAt,
    },
  };
}

const excerpt = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** The remote side ended badly: the job fails with the remote's own words. */
export function remoteFailure(job: JobState): ApplicationFailure | undefined {
  const outcome = job.outcome;
  if (outcome?.state === 'failed') {
    return ApplicationFailure.create({
      type: ErrorType.RemoteJobFailed,
      nonRetryable: true,
      // The cause in full stays in the details; the message is what the Web UI and lists show.
      // The API's own error code leads, as the API's documentation names it.
      message: `remote job failed: ${outcome.code !== undefined ? `[${outcome.code}] ` : ''}${outcome.error}${outcome.cause ? ` (${excerpt(outcome.cause)})` : ''}`,
      details: [{ error: outcome.error, cause: outcome.cause, via: outcome.via, code: outcome.code }],
    });
  }
  if (outcome?.state === 'cancelled') {
    return ApplicationFailure.create({
      type: ErrorType.RemoteJobCancelled,
      nonRetryable: true,
      message: `remote job was cancelled: ${outcome.code !== undefined ? `[${outcome.code}] ` : ''}${outcome.message}`,
      details: outcome.code !== undefined ? [{ code: outcome.code, via: outcome.via }] : [],
    });
  }
  return undefined;
}

export async function reportFailure(job: JobState, failure: ApplicationFailure): Promise<void> {
  job.carried.lastError = failure.message;
  const event: JobEvent = failure.type === ErrorType.RemoteJobCancelled ? 'cancelled' : 'failed';
  await notifyAll(job, event, { ...(failure.type ? { type: failure.type } : {}), message: failure.message });
  job.setPhase(event, failure.message);
}

export async function cleanUpCancelled(job: JobState): Promise<void> {
  job.setPhase('cancelling', 'stopping the remote job and removing partial files');
  const { remote } = job.carried;
  // What became of the remote job, for the Web UI's current details and the status query.
  let remoteCancel = 'no remote job to stop';
  if ((remote.id !== undefined || remote.statusUrl !== undefined) && !job.outcome) {
    try {
      const { cancelRemoteJob } = remoteActivities(60_000, 'cancel the remote job');
      remoteCancel = (await cancelRemoteJob({ profile: job.input.profile, params: job.input.params, remote })).detail;
    } catch (err) {
      remoteCancel = `remote cancel failed: ${err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)}`;
      job.carried.lastError = remoteCancel;
    }
  } else if (job.outcome) {
    remoteCancel = 'the remote job had already finished';
  }
  await localActivities('remove partial download').discardPartialDownload();
  await notifyAll(job, 'cancelled', { message: 'the job was cancelled' });
  job.setPhase('cancelled', remoteCancel);
}
