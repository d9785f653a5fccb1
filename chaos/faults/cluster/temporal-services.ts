// kill -9 of each Temporal service in turn — history, matching, frontend, worker — while jobs
// start, wait, poll, download and notify; the service comes back after a few seconds, as a
// supervisor (systemd, Kubernetes, compose's restart policy) would bring it back.
import { TEMPORAL_SERVICES, type TemporalService } from '../../../dev/cluster/temporal-cluster';
import type { FaultReport, RunContext } from '../../family';
import { describePhases, hit, jobsAtEveryStage, notePhases } from './moments';

const DOWN_MS = 3_000;

export const serviceFamily = (service: TemporalService): string => `Temporal ${service} service kill -9`;

async function killService(ctx: RunContext, service: TemporalService): Promise<FaultReport> {
  const { temporal } = ctx.cluster.scaled ?? {};
  if (!temporal) throw new Error('the cluster family needs --cluster');
  const family = serviceFamily(service);
  const flight = await jobsAtEveryStage(ctx, family, service);
  await notePhases(flight);
  const process = temporal.services[service];
  const pid = process.pid;
  const killedAt = Date.now();
  await process.kill9();
  await new Promise((r) => setTimeout(r, DOWN_MS));
  await process.start();
  await temporal.healthy();
  ctx.log(`  ${service} (pid ${pid}) killed with ${describePhases(flight)}; serving again after ${((Date.now() - killedAt) / 1000).toFixed(1)} s (pid ${process.pid})`);
  return { family, injected: hit(flight), notes: hit(flight) < flight.jobs.length ? [`${flight.jobs.length - hit(flight)} job(s) not in flight at the kill: ${describePhases(flight)}`] : [] };
}

export async function killTemporalServices(ctx: RunContext): Promise<FaultReport[]> {
  const reports: FaultReport[] = [];
  for (const service of TEMPORAL_SERVICES) reports.push(await killService(ctx, service));
  return reports;
}
