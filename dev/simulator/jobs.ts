// In-memory jobs. A job's state is never stored: it is computed from the clock and the plan
// fixed at creation, so there are no state-transition timers to leak or race.
import { randomUUID } from 'node:crypto';
import { type JobCounters, zeroJobCounters } from './counters';
import { payloadSha256 } from './payload';
import { type Scenario } from './scenario';

export type Style = 'aso' | 'task' | 'lro' | 'render' | 'transcribe' | 'events';
export type Outcome = Scenario['outcome'];
export type Phase = 'processing' | Outcome;

export interface TaskSpec {
  callbackUrl: string;
  taskToken: string;
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
}

/** Where a third-party-style API calls back, as its start request said. */
export interface NotifySpec {
  url: string;
  token?: string;
}

export interface JobPlan {
  style: Style;
  scenario: Scenario;
  durationMs: number;
  outcome: Outcome;
  idempotencyKey: string | undefined;
  task?: TaskSpec;
  notify?: NotifySpec;
}

export interface Job extends Readonly<JobPlan> {
  readonly id: string;
  readonly createdAt: number;
  readonly counters: JobCounters;
  cancelledAt?: number;
  digest?: Promise<string>;
}

export function phaseOf(job: Job, now: number): Phase {
  if (job.cancelledAt !== undefined) return 'cancelled';
  const { completeAfterReads } = job.scenario;
  if (completeAfterReads !== undefined) return job.counters.statusReads < completeAfterReads ? 'processing' : job.outcome;
  if (job.scenario.neverFinish || now < job.createdAt + job.durationMs) return 'processing';
  return job.outcome;
}

/** The explanation a failed or cancelled job reports. */
export function outcomeMessage(job: Job): string {
  if (job.cancelledAt !== undefined) return 'cancelled at the client\'s request';
  return job.task?.cause ?? job.scenario.errorMessage ?? (job.outcome === 'cancelled' ? 'job was cancelled by the service' : 'simulated failure');
}

export function statusUrlExpiresAt(job: Job): number {
  return job.createdAt + job.scenario.statusUrlTtlSeconds * 1000;
}

/** Computed once per job on first need; later callers share the same promise. */
export function resultSha256(job: Job, signal: AbortSignal): Promise<string> {
  job.digest ??= payloadSha256(job.id, job.scenario.resultSize, signal);
  return job.digest;
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly byKey = new Map<string, Job>();

  create(plan: JobPlan, now: number): Job {
    const job: Job = { ...plan, id: `${plan.style}-${randomUUID()}`, createdAt: now, counters: zeroJobCounters() };
    this.jobs.set(job.id, job);
    if (plan.idempotencyKey !== undefined) this.byKey.set(keyOf(plan.style, plan.idempotencyKey), job);
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  byIdempotencyKey(style: Style, key: string): Job | undefined {
    return this.byKey.get(keyOf(style, key));
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  clear(): void {
    this.jobs.clear();
    this.byKey.clear();
  }
}

// Keys are scoped per API style, as each style stands for a different remote service.
function keyOf(style: Style, key: string): string {
  return `${style}\n${key}`;
}
