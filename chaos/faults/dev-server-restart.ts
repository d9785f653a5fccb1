// The Temporal dev server stopped and started again on the same SQLite file and port while
// jobs of every mode are in flight: workers, gateway and client reconnect, every job finishes.
import type { FaultReport, RunContext } from '../family';
import { inPhase, MODES, until } from '../jobs';

const FAMILY = 'Temporal restart';

export async function restartTemporal(ctx: RunContext): Promise<FaultReport> {
  // The remote jobs outlast the outage, so their callbacks and final polls come after it.
  const jobs = await Promise.all(MODES.map((mode) => ctx.book.startSucceeding(FAMILY, `temporal restart ${mode}`, { mode, durationMs: 8_000, pollMs: 500 })));
  const inFlight = await until(async () => (await Promise.all(jobs.map((job) => inPhase(job, ['waiting-callback', 'polling'])))).every(Boolean), 30_000);
  const stoppedAt = Date.now();
  await ctx.cluster.stopTemporal();
  await new Promise((r) => setTimeout(r, 1_000));
  await ctx.cluster.startTemporal();
  ctx.log(`  dev server down for ${((Date.now() - stoppedAt) / 1000).toFixed(1)}s with ${jobs.length} jobs in flight`);
  return { family: FAMILY, injected: inFlight ? jobs.length : 0, notes: inFlight ? [] : ['the jobs were not all in flight when the server stopped'] };
}
