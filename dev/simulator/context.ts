// What every route needs, plus the steps all three API styles share: idempotent creation,
// counted status reads with injected transient errors, and cancellation.
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { type Dispatcher } from 'undici';
import { type Credentials } from './auth';
import { type Clock } from './clock';
import { type CounterBook } from './counters';
import { type LoadGauge } from './load';
import { type Job, type JobPlan, type JobStore, type Style, phaseOf } from './jobs';
import { HttpProblem, notFound } from './problem';
import { type Scheduler } from './scheduler';
import { type UrlSigner } from './signing';

export interface SimContext {
  clock: Clock;
  store: JobStore;
  counters: CounterBook;
  load: LoadGauge;
  signer: UrlSigner;
  scheduler: Scheduler;
  credentials: Credentials;
  webhookSecret: string;
  dispatcher: Dispatcher;
  log: FastifyBaseLogger;
}

/** Absolute URLs point back at whatever host the client used to reach us. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function scenarioHeader(request: FastifyRequest): string | undefined {
  return header(request, 'x-sim-scenario');
}

export interface Creation {
  job: Job;
  replayed: boolean;
}

/**
 * Creates a job, or returns the one an earlier request with the same idempotency key created.
 * `onCreated` runs for a new job even when its start response is then lost: the job exists and
 * goes on (e.g. calls back) whether or not the client heard of it.
 */
export function createOrReplay(ctx: SimContext, request: FastifyRequest, reply: FastifyReply, plan: Omit<JobPlan, 'idempotencyKey'>, onCreated?: (job: Job) => void): Creation {
  const idempotencyKey = header(request, 'idempotency-key') ?? header(request, 'repeatability-request-id');
  const existing = idempotencyKey === undefined ? undefined : ctx.store.byIdempotencyKey(plan.style, idempotencyKey);
  const creation = existing ? { job: existing, replayed: true } : { job: ctx.store.create({ ...plan, idempotencyKey }, ctx.clock.now()), replayed: false };
  if (creation.replayed) ctx.counters.bump(creation.job, 'idempotentReplays');
  else ctx.counters.jobCreated();
  ctx.counters.bump(creation.job, 'startRequests');
  if (!creation.replayed) onCreated?.(creation.job);
  failStartIfPlanned(creation.job, request, reply);
  reply.header('x-sim-job-id', creation.job.id);
  return creation;
}

/** The scenario's lost start responses: the job exists, the client just never hears of it. */
function failStartIfPlanned(job: Job, request: FastifyRequest, reply: FastifyReply): void {
  const { startErrors, startErrorCode, retryAfterSeconds } = job.scenario;
  if (job.counters.startRequests > startErrors) return;
  if (startErrorCode === 'reset') {
    reply.hijack();
    request.raw.socket.destroy();
    throw new StartDropped();
  }
  throw new HttpProblem(startErrorCode, 'simulated start error', `start response ${job.counters.startRequests} of ${startErrors} lost`, {
    'retry-after': String(retryAfterSeconds),
  });
}

/** Thrown after a hijacked reply's socket was destroyed: there is nobody left to answer. */
export class StartDropped extends Error {
  override name = 'StartDropped';
}

export function findJob(ctx: SimContext, id: string, style: Style): Job {
  const job = ctx.store.get(id);
  if (job?.style !== style) throw notFound(`no such job: ${id}`);
  return job;
}

/** Counts a status read and, for the scenario's first `statusErrors` reads, fails it. */
export function readStatus(ctx: SimContext, job: Job): void {
  ctx.counters.bump(job, 'statusReads');
  const { statusErrors, statusErrorCode, retryAfterSeconds } = job.scenario;
  if (job.counters.statusReads <= statusErrors) {
    throw new HttpProblem(statusErrorCode, 'simulated status error', `transient error ${job.counters.statusReads} of ${statusErrors}`, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

/** Cancels a running job; cancelling twice is harmless, cancelling a finished job is a conflict. */
export function cancelJob(ctx: SimContext, job: Job): void {
  const now = ctx.clock.now();
  const phase = phaseOf(job, now);
  if (phase === 'succeeded' || phase === 'failed') throw new HttpProblem(409, 'job already finished', `job ${job.id} already ${phase}`);
  if (phase === 'processing') job.cancelledAt = now;
  ctx.counters.bump(job, 'cancels');
}
