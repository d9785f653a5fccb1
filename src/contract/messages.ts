// The workflow's signals and query, defined once: the workflow handles them, the gateway and the
// activities send them, by these definitions. A definition is only a name with a payload type,
// so importing it outside a workflow is safe (as Temporal's samples share theirs).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobStatus } from './job-status';
import { CALLBACK_REFUSED_SIGNAL, CALLBACK_SIGNAL, DOWNLOAD_PROGRESS_SIGNAL, POLL_PROGRESS_SIGNAL, STATUS_QUERY } from './names';
import type { CallbackRefusedSignal, CallbackSignal, DownloadProgress, PollProgress } from './signals';

export const callbackSignal = defineSignal<[CallbackSignal]>(CALLBACK_SIGNAL);
export const callbackRefusedSignal = defineSignal<[CallbackRefusedSignal]>(CALLBACK_REFUSED_SIGNAL);
export const statusQuery = defineQuery<JobStatus>(STATUS_QUERY);
/** Sent by the download activity so the `status` query can show progress. */
export const downloadProgressSignal = defineSignal<[DownloadProgress]>(DOWNLOAD_PROGRESS_SIGNAL);
/** Sent, sparingly, by the polling activity so the `status` query shows how polling goes. */
export const pollProgressSignal = defineSignal<[PollProgress]>(POLL_PROGRESS_SIGNAL);
