// A job's first step, run as a local activity inside its first workflow task: read the input and
// say where its remote calls go. Done here, in the worker's own module instances, rather than in
// the workflow, where the SDK would evaluate zod and the input schema anew for every execution
// (measured: most of the workflow code's cost per job). A local activity's result is recorded in
// history, so a replay reads it back instead of parsing again.
import type { ActivityDeps } from './context';
import { parseJobInput, type JobInput } from '../contract/job-input';

export interface PreparedJob {
  input: JobInput;
  /** The task queue of a limited profile's remote calls; absent: the job's own queue. */
  apiTaskQueue?: string;
}

/** Throws a non-retryable InvalidInput failure naming the field, for input of any shape. */
export function prepareJob(deps: ActivityDeps, raw: unknown): PreparedJob {
  const input = parseJobInput(raw);
  const apiTaskQueue = typeof input.profile === 'string' ? deps.apiTaskQueues?.get(input.profile) : undefined;
  return apiTaskQueue !== undefined ? { input, apiTaskQueue } : { input };
}
