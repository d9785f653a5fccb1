// Jobs the suite starts, what each is expected to end as, and the judgement of how it ended:
// completed as expected, or lost; its remote job started once; its file whole (hashed again
// here against the simulator's own payload); one notification per target.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ApplicationFailure, CancelledFailure, type WorkflowHandle } from '@temporalio/client';
import { STATUS_QUERY, WORKFLOW_TYPE, type Phase } from '../src/contract/names';
import type { JobResult, JobStatus } from '../src/contract/job-status';
import { payloadSha256 } from '../dev/simulator/payload';
import type { JobInputJson } from '../src/contract/job-input';
import type { Cluster } from './cluster';

export type Mode = 'callback' | 'poll' | 'hybrid';
export const MODES: readonly Mode[] = ['callback', 'poll', 'hybrid'];

export interface JobSpec {
  mode: Mode;
  /** How long the remote job runs. */
  durationMs?: number;
  scenario?: Record<string, unknown>;
  resultSize?: number;
  timeout?: string;
  pollMs?: number;
  notify?: boolean;
}

/** Job input for the simulator: task-token jobs for callback and hybrid, ASO exports for poll. */
export function simulatorInput(cluster: Cluster, spec: JobSpec): JobInputJson {
  const scenario = { ...spec.scenario, ...(spec.resultSize !== undefined ? { resultSize: spec.resultSize } : {}) };
  const durationMs = spec.durationMs ?? 300;
  const pollMs = spec.pollMs ?? (spec.mode === 'hybrid' ? 1_000 : 200);
  const notify: JobInputJson['notify'] = spec.notify === false ? [] : [
    { type: 'slack', channel: '#chaos', tokenEnv: 'SLACK_BOT_TOKEN' },
    { type: 'webhook', url: cluster.receivers.webhookUrl, secretEnv: 'HOOK_SECRET' },
  ];
  const timeout = spec.timeout ?? '2m';
  if (spec.mode === 'poll') {
    return { profile: 'aso-export', params: { reportId: randomUUID().slice(0, 8), scenario: { durationMs, ...scenario } }, completion: { mode: 'poll', timeout, poll: { interval: pollMs, backoff: 1 } }, notify };
  }
  const completion: JobInputJson['completion'] = spec.mode === 'callback' ? { mode: 'callback', timeout } : { mode: 'hybrid', timeout, poll: { interval: pollMs, backoff: 1 } };
  return { profile: 'task-token', params: { waitTime: durationMs / 1000, scenario }, completion, notify };
}

export interface Expectation {
  /** `succeeded`, or the failure types that are the right answer. */
  end: 'succeeded' | readonly string[];
  /** The exact size of the downloaded file. */
  size?: number;
  /** How many notifications each target must get (0 when the input names none). */
  notifications: number;
}

export interface Tracked {
  family: string;
  label: string;
  workflowId: string;
  expect: Expectation;
  handle: WorkflowHandle;
}

export interface Verdict {
  tracked: Tracked;
  completed: boolean;
  /** How it ended, in words: `succeeded via poll`, `failed: JobTimeout`, `no end within 90s`. */
  ended: string;
  remoteStarts: number;
  fileCorrupt: boolean;
  duplicateNotifications: number;
  missingNotifications: number;
  result?: JobResult;
  failureMessage?: string;
}

export class JobBook {
  readonly jobs: Tracked[] = [];
  constructor(private readonly cluster: Cluster) {}

  async start(family: string, label: string, input: JobInputJson, expect: Expectation, taskQueue = this.cluster.taskQueue): Promise<Tracked> {
    const workflowId = `${this.cluster.jobPrefix}${label.replace(/[^A-Za-z0-9]+/g, '-')}-${randomUUID().slice(0, 8)}`;
    const handle = await this.cluster.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
    const tracked = { family, label, workflowId, expect, handle };
    this.jobs.push(tracked);
    return tracked;
  }

  /** A simulator job of one mode that must succeed with a whole file and one notification per target. */
  startSucceeding(family: string, label: string, spec: JobSpec, taskQueue?: string): Promise<Tracked> {
    return this.start(family, label, simulatorInput(this.cluster, spec), { end: 'succeeded', size: spec.resultSize ?? 1024, notifications: spec.notify === false ? 0 : 1 }, taskQueue);
  }

  async verdict(tracked: Tracked, remoteStartsByJob: ReadonlyMap<string, number>, waitMs: number): Promise<Verdict> {
    const base = { tracked, remoteStarts: remoteStartsByJob.get(tracked.workflowId) ?? 0, fileCorrupt: false };
    const settled = await Promise.race([
      tracked.handle.result().then((result: JobResult) => ({ result }), (err: unknown) => ({ err })),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs).unref()),
    ]);
    const counts = this.cluster.receivers.of(tracked.workflowId);
    const want = tracked.expect.notifications;
    const notifications = {
      duplicateNotifications: Math.max(0, counts.slackMessages - want) + Math.max(0, counts.webhookIds - want),
      missingNotifications: Math.max(0, want - counts.slackMessages) + Math.max(0, want - counts.webhookIds),
    };
    if (!settled) {
      await tracked.handle.terminate('chaos: no end within the bound').catch(() => undefined);
      return { ...base, ...notifications, completed: false, ended: `no end within ${Math.round(waitMs / 1000)}s` };
    }
    if ('err' in settled) {
      const cause = (settled.err as { cause?: unknown }).cause;
      const type = cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : cause instanceof CancelledFailure ? 'Cancelled' : String(settled.err);
      const message = cause instanceof Error ? cause.message : String(settled.err);
      const expected = tracked.expect.end !== 'succeeded' && tracked.expect.end.includes(type);
      return { ...base, ...notifications, completed: expected, ended: `failed: ${type}`, failureMessage: message };
    }
    const { result } = settled;
    const fileCorrupt = await isCorrupt(result, tracked.expect.size);
    const expected = tracked.expect.end === 'succeeded';
    return { ...base, ...notifications, fileCorrupt, completed: expected && !fileCorrupt, ended: `succeeded via ${result.via}`, result };
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The file on disk against the simulator's payload for that remote job, byte for byte (by hash). */
async function isCorrupt(result: JobResult, size: number | undefined): Promise<boolean> {
  if (size === undefined) return false;
  if (!result.file || !result.remoteJobId) return true;
  try {
    const [onDisk, original] = await Promise.all([sha256Of(result.file.path), payloadSha256(result.remoteJobId, size, new AbortController().signal)]);
    return result.file.size !== size || onDisk !== original || result.file.sha256 !== original;
  } catch {
    return true;
  }
}

/** Remote jobs per workflow id, from the simulator's own books (by idempotency key `<workflowId>/<runId>`). */
export async function remoteStarts(cluster: Cluster): Promise<Map<string, number>> {
  const { jobs } = (await (await fetch(`${cluster.simUrl}/__sim/jobs`)).json()) as { jobs: { idempotencyKey: string | null }[] };
  const starts = new Map<string, number>();
  for (const { idempotencyKey } of jobs) {
    if (!idempotencyKey) continue;
    const workflowId = idempotencyKey.slice(0, idempotencyKey.lastIndexOf('/'));
    starts.set(workflowId, (starts.get(workflowId) ?? 0) + 1);
  }
  return starts;
}

/** The job's `status` query, or undefined while it cannot answer (no worker, server down). */
export async function phaseOf(tracked: Tracked): Promise<JobStatus | undefined> {
  return tracked.handle.query<JobStatus>(STATUS_QUERY).catch(() => undefined);
}

/** Polls until `probe` holds; false when `timeoutMs` passed first. */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

export async function inPhase(tracked: Tracked, phases: readonly Phase[], minPolls = 0): Promise<boolean> {
  const status = await phaseOf(tracked);
  return status !== undefined && phases.includes(status.phase) && status.pollCount >= minPolls;
}
