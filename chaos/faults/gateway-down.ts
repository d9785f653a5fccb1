// The gateway killed while remote systems call back. A short outage: the sender's retries get
// through once it is back. A long one, past every retry: the hybrid safety poll finishes the
// job. Whether a callback really met a dead gateway is read from the simulator's counters.
import type { FaultReport, RunContext } from '../family';
import { inPhase, phaseOf, until, type Tracked } from '../jobs';
import { MAX_ATTEMPTS } from '../../dev/simulator/callbacks';

const FAMILY = 'gateway down';

interface SimJob {
  counters: { callbackAttempts: number; callbacksSent: number };
}

async function callbackCounters(ctx: RunContext, job: Tracked): Promise<SimJob['counters'] | undefined> {
  const remoteId = (await phaseOf(job))?.remoteJobId;
  if (!remoteId) return undefined;
  const res = await fetch(`${ctx.cluster.simUrl}/__sim/jobs/${remoteId}`);
  return res.ok ? ((await res.json()) as SimJob).counters : undefined;
}

const waiting = async (jobs: Tracked[]): Promise<boolean> => (await Promise.all(jobs.map((job) => inPhase(job, ['waiting-callback'])))).every(Boolean);

/** Down just before the callbacks are due, back as fast as a process restarts. */
async function shortOutage(ctx: RunContext): Promise<number> {
  const durationMs = 4_000;
  const startedAt = Date.now();
  const jobs = await Promise.all((['callback', 'hybrid'] as const).map((mode) =>
    ctx.book.startSucceeding(FAMILY, `gateway short outage ${mode}`, { mode, durationMs, pollMs: 60_000 })));
  await until(() => waiting(jobs), 20_000);
  await new Promise((r) => setTimeout(r, Math.max(0, startedAt + durationMs - 300 - Date.now())));
  await ctx.cluster.killGateway();
  await ctx.cluster.startGateway();
  await until(async () => (await Promise.all(jobs.map((job) => inPhase(job, ['waiting-callback'])))).every((w) => !w), 20_000);
  const counters = await Promise.all(jobs.map((job) => callbackCounters(ctx, job)));
  return counters.filter((c) => c !== undefined && c.callbackAttempts > c.callbacksSent).length;
}

/** Down until the sender gave up: only the safety poll can finish these. */
async function longOutage(ctx: RunContext): Promise<number> {
  const jobs = await Promise.all([1, 2].map((n) => ctx.book.startSucceeding(FAMILY, `gateway long outage hybrid ${n}`, { mode: 'hybrid', durationMs: 1_000, pollMs: 7_000 })));
  await until(() => waiting(jobs), 20_000);
  await ctx.cluster.killGateway();
  const gaveUp = async (): Promise<boolean> => (await Promise.all(jobs.map((job) => callbackCounters(ctx, job)))).every((c) => c !== undefined && c.callbackAttempts >= MAX_ATTEMPTS && c.callbacksSent === 0);
  const lost = await until(gaveUp, 30_000, 200);
  await ctx.cluster.startGateway();
  return lost ? jobs.length : 0;
}

export async function takeGatewayDown(ctx: RunContext): Promise<FaultReport> {
  const retried = await shortOutage(ctx);
  const rescued = await longOutage(ctx);
  ctx.log(`  callbacks retried through a restart: ${retried}; callbacks given up, left to the safety poll: ${rescued}`);
  const notes = [retried < 2 ? `only ${retried}/2 callbacks met the dead gateway` : '', rescued < 2 ? 'the sender did not give up on every long-outage callback' : ''].filter(Boolean);
  return { family: FAMILY, injected: retried + rescued, notes };
}
