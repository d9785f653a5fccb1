// Jobs caught at every stage of their life at one moment, for faults that hit everything at
// once (a Temporal service, PostgreSQL, a Pollback worker): one whose start request failed and is
// waiting for its retry, a callback, a hybrid and a polled job waiting on a remote job that
// outlasts the fault, one downloading a large result, and one notifying (the receivers refuse its
// first tries). The moment is read from the jobs' status queries and the bytes on disk.
import { stat } from 'node:fs/promises';
import { partialPath } from '../../../src/activities/download-result';
import type { Phase } from '../../../src/contract/names';
import type { RunContext } from '../../family';
import { phaseOf, until, type Tracked } from '../../jobs';

const FINAL: readonly Phase[] = ['succeeded', 'failed', 'cancelled'];

export interface InFlight {
  jobs: Tracked[];
  /** Each job's phase just before the fault, `finished` or `unknown` when the query had no answer. */
  phases: string[];
}

/** Starts the jobs and resolves once the download is under way (or after 30 s). */
export async function jobsAtEveryStage(ctx: RunContext, family: string, tag: string, taskQueue?: string): Promise<InFlight> {
  const start = (label: string, spec: Parameters<RunContext['book']['startSucceeding']>[2]): Promise<Tracked> => ctx.book.startSucceeding(family, `${tag} ${label}`, spec, taskQueue);
  const download = await start('downloading', { mode: 'poll', durationMs: 300, pollMs: 200, resultSize: ctx.short ? 192 << 20 : 384 << 20 });
  const jobs = await Promise.all([
    start('starting', { mode: 'callback', durationMs: 500, scenario: { startErrors: 1, startErrorCode: 503, retryAfterSeconds: 6 } }),
    start('waiting callback', { mode: 'callback', durationMs: 9_000 }),
    start('waiting hybrid', { mode: 'hybrid', durationMs: 9_000, pollMs: 1_000 }),
    start('polling', { mode: 'poll', durationMs: 9_000, pollMs: 300 }),
    start('notifying', { mode: 'poll', durationMs: 300, pollMs: 100 }).then((job) => {
      ctx.cluster.receivers.failFirst(job.workflowId, 3);
      return job;
    }),
  ]);
  await until(async () => {
    const bytes = await stat(partialPath(ctx.cluster, download.workflowId)).then((s) => s.size, () => 0);
    return bytes > 4 << 20;
  }, 30_000, 50);
  return { jobs: [download, ...jobs], phases: [] };
}

/** Reads every job's phase: call right before the fault. */
export async function notePhases(flight: InFlight): Promise<void> {
  flight.phases = await Promise.all(flight.jobs.map(async (job) => {
    const status = await phaseOf(job);
    if (!status) return 'unknown';
    return FINAL.includes(status.phase) ? 'finished' : status.phase;
  }));
}

/** Jobs not finished when the fault hit: the faults that really happened. */
export const hit = (flight: InFlight): number => flight.phases.filter((p) => p !== 'finished' && p !== 'unknown').length;

export const describePhases = (flight: InFlight): string => [...new Set(flight.phases)].map((p) => `${flight.phases.filter((q) => q === p).length} ${p}`).join(', ');
