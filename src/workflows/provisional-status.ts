// The `status` query's answer while a job's first step, reading its input in a local activity, is
// under way: a query sent right after the start (the CLI, the Web UI, the job API) gets the job
// as its input states it, not "no such query". Read defensively: an input that turns out invalid
// fails the job in this same workflow task.
import ms from 'ms';
import { workflowInfo } from '@temporalio/workflow';
import type { JobStatus } from '../contract/job-status';
import { DEFAULT_JOB_TIMEOUT_MS } from '../contract/durations';
import type { CarriedState } from './job-state';

type Loose = Record<string, unknown>;
const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

function timeoutMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value !== 'string') return DEFAULT_JOB_TIMEOUT_MS;
  try {
    const millis = ms(value as ms.StringValue);
    return Number.isFinite(millis) && millis > 0 ? millis : DEFAULT_JOB_TIMEOUT_MS;
  } catch {
    return DEFAULT_JOB_TIMEOUT_MS;
  }
}

export function provisionalStatus(raw: unknown, carried: CarriedState | undefined): JobStatus {
  const input = isRecord(raw) ? raw : {};
  const profile = typeof input.profile === 'string' ? input.profile : isRecord(input.profile) && typeof input.profile.name === 'string' ? input.profile.name : 'unknown';
  const completion = isRecord(input.completion) ? input.completion : {};
  const mode = completion.mode === 'callback' || completion.mode === 'hybrid' ? completion.mode : 'poll';
  const startedAt = carried?.startedAt ?? workflowInfo().startTime.getTime();
  return {
    phase: carried ? (mode === 'poll' ? 'polling' : 'waiting-callback') : 'starting',
    profile,
    mode,
    startedAt: new Date(startedAt).toISOString(),
    summary: `${typeof input.title === 'string' ? input.title : profile} (${mode})`,
    pollCount: carried?.pollCount ?? 0,
    deadline: new Date(carried?.deadline ?? startedAt + timeoutMs(completion.timeout)).toISOString(),
    runsSoFar: carried?.runs ?? 1,
  };
}
