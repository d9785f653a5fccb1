// kill -9 of one of the two Pollback workers on the main task queue while jobs are at every
// stage: the other worker carries on (a dead worker's activities are retried elsewhere once
// their timeouts — the download's 30 s heartbeat — expire); the killed one comes back later.
import type { FaultReport, RunContext } from '../../family';
import { describePhases, hit, jobsAtEveryStage, notePhases } from './moments';

const FAMILY = 'Pollback worker kill -9 (1 of 2)';

export async function killFleetWorker(ctx: RunContext): Promise<FaultReport> {
  const victim = ctx.cluster.scaled?.fleet.workers[0];
  if (!victim) throw new Error('the cluster family needs --cluster');
  const flight = await jobsAtEveryStage(ctx, FAMILY, 'fleet worker');
  await notePhases(flight);
  const pid = victim.pid;
  await victim.kill9();
  await new Promise((r) => setTimeout(r, 5_000));
  await victim.start();
  ctx.log(`  ${victim.name} (pid ${pid}) killed with ${describePhases(flight)}, back 5 s later (pid ${victim.pid})`);
  return { family: FAMILY, injected: hit(flight), notes: [] };
}
