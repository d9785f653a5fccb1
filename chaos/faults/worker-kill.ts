// `kill -9` of a worker process while its jobs are starting, waiting or polling, downloading
// and notifying. Each stage runs on a task queue and worker of its own, so the stages run side
// by side; the moment to kill is read from the jobs' status query, the simulator's books, the
// bytes on disk and the receivers, never from a sleep.
import { stat } from 'node:fs/promises';
import { partialPath } from '../../src/activities/download-result';
import type { FaultReport, RunContext } from '../family';
import { inPhase, MODES, remoteStarts, until, type JobSpec, type Mode, type Tracked } from '../jobs';

const FAMILY = 'worker kill -9';

interface Stage {
  name: string;
  spec(mode: Mode, short: boolean): JobSpec;
  /** Whether the job is where this stage kills it. */
  caught(ctx: RunContext, job: Tracked, mode: Mode): Promise<boolean>;
  /** Set-up between start and kill (e.g. receivers that refuse the first attempts). */
  prepare?(ctx: RunContext, job: Tracked): void;
}

const STAGES: readonly Stage[] = [
  {
    // The start request reached the simulator (the remote job exists) but its answer was lost:
    // the new worker must find that job again through the idempotency key, not make a second.
    name: 'starting',
    spec: (mode) => ({ mode, scenario: { startErrors: 1, startErrorCode: 503, retryAfterSeconds: 3 } }),
    caught: async (ctx, job) => (await inPhase(job, ['starting'])) && ((await remoteStarts(ctx.cluster)).get(job.workflowId) ?? 0) > 0,
  },
  {
    name: 'waiting / polling',
    spec: (mode) => ({ mode, durationMs: 5_000, pollMs: mode === 'poll' ? 300 : 1_000 }),
    caught: (_ctx, job, mode) => (mode === 'callback' ? inPhase(job, ['waiting-callback']) : inPhase(job, ['waiting-callback', 'polling'], 1)),
  },
  {
    name: 'downloading',
    spec: (mode, short) => ({ mode, resultSize: short ? 192 << 20 : 512 << 20 }),
    caught: async (ctx, job) => {
      const bytes = await stat(partialPath(ctx.cluster, job.workflowId)).then((s) => s.size, () => 0);
      return bytes > 1 << 20 && (await inPhase(job, ['downloading']));
    },
  },
  {
    name: 'notifying',
    spec: (mode) => ({ mode }),
    prepare: (ctx, job) => ctx.cluster.receivers.failFirst(job.workflowId, 2),
    caught: async (ctx, job) => ctx.cluster.receivers.of(job.workflowId).attempts >= 2 && (await inPhase(job, ['notifying'])),
  },
];

async function killAt(ctx: RunContext, stage: Stage): Promise<number> {
  const queue = `${ctx.cluster.jobPrefix}kill-${stage.name.replace(/\W+/g, '-')}`;
  const worker = await ctx.cluster.spawnWorker(queue);
  const jobs = await Promise.all(MODES.map(async (mode) => {
    const job = await ctx.book.startSucceeding(FAMILY, `kill ${stage.name} ${mode}`, stage.spec(mode, ctx.short), queue);
    stage.prepare?.(ctx, job);
    return { job, mode };
  }));
  const caught = new Set<Tracked>();
  await until(async () => {
    for (const { job, mode } of jobs) if (!caught.has(job) && (await stage.caught(ctx, job, mode))) caught.add(job);
    return caught.size === jobs.length;
  }, 30_000, 20);
  await worker.kill9();
  ctx.log(`  killed worker ${worker.pid} with ${caught.size}/${jobs.length} jobs ${stage.name}`);
  await ctx.cluster.spawnWorker(queue);
  return caught.size;
}

export async function killWorkers(ctx: RunContext): Promise<FaultReport> {
  const caught = await Promise.all(STAGES.map((stage) => killAt(ctx, stage)));
  const missed = STAGES.filter((_stage, i) => (caught[i] ?? 0) < MODES.length).map((stage) => stage.name);
  return { family: FAMILY, injected: caught.reduce((a, b) => a + b, 0), notes: missed.length ? [`not every job was caught in: ${missed.join(', ')}`] : [] };
}
