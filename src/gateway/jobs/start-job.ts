// Starting a job through the API. With an Idempotency-Key the workflow id is derived from the
// key, and Temporal itself deduplicates: a running job is reused (conflict policy), a finished
// one is not started again (reuse policy), so a repeat returns the same job, also across
// several gateways. The request's fingerprint in the memo catches a key reused for a
// different request.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WORKFLOW_TYPE, startSearchAttributes } from '../../contract/names';
import { formatDuration } from '../../contract/durations';
import type { JobInput } from '../../contract/job-input';
import { HttpProblem, ProblemType } from '../problem';
import { bounded, type TemporalAccess } from '../temporal-call';

export interface StartDeps extends TemporalAccess {
  taskQueue: string;
}

export interface StartedJob {
  jobId: string;
  runId: string;
  /** false: the Idempotency-Key named a job that already existed; it is returned instead. */
  created: boolean;
}

const MEMO_KEY = 'pollbackRequest';
interface RequestMemo {
  sha256: string;
  nonce: string;
}

/** JSON with sorted keys: the same request written in another key order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** `job-<first 32 hex of sha256(key)>`: stable, safe in URLs, and the key itself stays out of Temporal. */
export const jobIdForKey = (idempotencyKey: string): string => `job-${sha256(idempotencyKey).slice(0, 32)}`;

export function describeForUi(input: JobInput, profile: string, idempotencyKey: string | undefined): { staticSummary: string; staticDetails: string } {
  const { completion } = input;
  const lines = [
    `**Profile:** ${profile}`,
    `**Completion:** ${completion.mode}, timeout ${formatDuration(completion.timeout)}`,
    ...(completion.mode !== 'callback' ? [`**Polling:** every ${formatDuration(completion.poll.interval)} (×${completion.poll.backoff}, at most ${formatDuration(completion.poll.maxInterval)})`] : []),
    `**Download:** ${input.download === false ? 'off (result stays remote)' : 'on'}`,
    ...(input.notify.length ? [`**Notify:** ${input.notify.map((t) => (t.type === 'slack' ? `Slack ${t.channel}` : t.type === 'email' ? `email ${t.to.join(', ')}` : `webhook ${new URL(t.url).host}`)).join(', ')}`] : []),
    `**Started by:** Pollback job API${idempotencyKey !== undefined ? ' (with an Idempotency-Key)' : ''}`,
  ];
  return { staticSummary: `${input.title ?? profile} (${completion.mode})`, staticDetails: lines.join('\n') };
}

async function existingJob(deps: StartDeps, jobId: string, fingerprint: string, nonce: string): Promise<StartedJob> {
  const description = await bounded(deps, () => deps.client.workflow.getHandle(jobId).describe());
  const memo = description.memo?.[MEMO_KEY] as Partial<RequestMemo> | undefined;
  if (description.type !== WORKFLOW_TYPE || memo?.sha256 !== fingerprint) {
    throw new HttpProblem(422, ProblemType.IdempotencyKeyReused, 'this Idempotency-Key was already used for a different request', 'use a new key for a new job');
  }
  return { jobId, runId: description.runId, created: memo.nonce === nonce };
}

/**
 * Starts an asyncJob. `rawInput` is what the caller sent (the workflow validates it again and
 * fills in its own defaults); `input` is the same after validation, for the Web UI texts.
 */
export async function startJob(deps: StartDeps, rawInput: unknown, input: JobInput, idempotencyKey: string | undefined): Promise<StartedJob> {
  const profile = typeof input.profile === 'string' ? input.profile : input.profile.name;
  const jobId = idempotencyKey !== undefined ? jobIdForKey(idempotencyKey) : `job-${randomUUID()}`;
  const memo: RequestMemo = { sha256: sha256(canonicalJson(rawInput)), nonce: randomUUID() };
  try {
    const handle = await bounded(deps, () =>
      deps.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: deps.taskQueue,
        workflowId: jobId,
        args: [rawInput],
        memo: { [MEMO_KEY]: memo },
        typedSearchAttributes: startSearchAttributes(profile),
        ...describeForUi(input, profile, idempotencyKey),
        ...(idempotencyKey !== undefined ? { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' } : {}),
      }),
    );
    if (idempotencyKey === undefined) return { jobId, runId: handle.firstExecutionRunId, created: true };
  } catch (err) {
    // A finished job holds the id: the reuse policy refused to start a second one.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || idempotencyKey === undefined) throw err;
  }
  return existingJob(deps, jobId, memo.sha256, memo.nonce);
}
