// The hand-written equivalent of a Pollback callback job: what a user would write with the
// Temporal SDK alone for the same work (start the remote job, wait for its signed callback,
// download the result with its sha256, post a signed webhook). No Pollback code; bundled on its
// own, so the benchmark compares Pollback with this and not with an empty workflow. The
// activities bear the names of Pollback's, so the two histories compare event by event.
import { ApplicationFailure, condition, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { HandwrittenActivities, SavedFile } from './activities';

export interface HandwrittenInput {
  /** Seconds the simulated job runs before it calls back. */
  waitTime: number;
  webhookUrl: string;
}

/** The simulator's task-token callback body, as the endpoint passes it on. */
export interface Callback {
  status: 'success' | 'failure';
  output?: { resultUrl: string; sha256: string };
  error?: string;
  cause?: string;
}

export interface HandwrittenResult {
  jobId: string;
  file: SavedFile;
}

export const callbackSignal = defineSignal<[Callback]>('callback');

const { startRemoteJob } = proxyActivities<HandwrittenActivities>({ startToCloseTimeout: '30s' });
const { downloadResult } = proxyActivities<HandwrittenActivities>({ startToCloseTimeout: '5m', retry: { maximumAttempts: 10 } });
const { notify } = proxyActivities<HandwrittenActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

export async function handwrittenJob(input: HandwrittenInput): Promise<HandwrittenResult> {
  const callbacks: Callback[] = [];
  setHandler(callbackSignal, (callback) => void callbacks.push(callback));
  const { workflowId, runId } = workflowInfo();
  const { jobId } = await startRemoteJob({ waitTime: input.waitTime });
  if (!(await condition(() => callbacks.length > 0, '1h'))) throw ApplicationFailure.nonRetryable('no callback within 1h', 'CallbackTimeout');
  const [callback] = callbacks;
  if (callback?.status !== 'success' || !callback.output) throw ApplicationFailure.nonRetryable(`remote job failed: ${callback?.error ?? 'no output'}`, 'RemoteJobFailed');
  const file = await downloadResult({ url: callback.output.resultUrl, sha256: callback.output.sha256, name: jobId });
  await notify({ url: input.webhookUrl, messageId: `msg_${workflowId}_${runId}`, payload: { workflowId, jobId, event: 'succeeded', file } });
  return { jobId, file };
}
