// PostgreSQL — persistence and visibility both — stopped (a fast shutdown: every session cut)
// and started again on the same data while jobs are at every stage. The Temporal services stay
// up and must reconnect by themselves; one that dies instead is restarted and noted.
import { TEMPORAL_SERVICES } from '../../../dev/cluster/temporal-cluster';
import type { FaultReport, RunContext } from '../../family';
import { describePhases, hit, jobsAtEveryStage, notePhases } from './moments';

const FAMILY = 'PostgreSQL restart';
const DOWN_MS = 4_000;

export async function restartPostgres(ctx: RunContext): Promise<FaultReport> {
  const { temporal } = ctx.cluster.scaled ?? {};
  if (!temporal) throw new Error('the cluster family needs --cluster');
  const flight = await jobsAtEveryStage(ctx, FAMILY, 'postgres');
  await notePhases(flight);
  const stoppedAt = Date.now();
  await temporal.postgres.stop();
  await new Promise((r) => setTimeout(r, DOWN_MS));
  await temporal.postgres.start();
  const notes: string[] = [];
  for (const service of TEMPORAL_SERVICES) {
    if (temporal.services[service].running) continue;
    notes.push(`the ${service} service exited while PostgreSQL was down; restarted`);
    await temporal.services[service].start();
  }
  await temporal.healthy();
  ctx.log(`  PostgreSQL down for ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s with ${describePhases(flight)}${notes.length ? `; ${notes.join('; ')}` : '; every Temporal service rode it out'}`);
  return { family: FAMILY, injected: hit(flight), notes };
}
