// One of two gateways killed behind HAProxy just before remote systems call back: the callbacks
// must reach the other gateway — HAProxy re-sends a request that could not reach a gateway and
// takes the dead one out of rotation — so the jobs finish by callback, not by the safety poll.
// The simulator's counters say how many callbacks were sent while the gateway was dead, and how
// many of its attempts failed (what the balancer did not hide).
import type { FaultReport, RunContext } from '../../family';
import { inPhase, phaseOf, until, type Tracked } from '../../jobs';

const FAMILY = 'gateway kill -9 behind HAProxy';

interface SimCounters {
  callbackAttempts: number;
  callbacksSent: number;
}

async function counters(ctx: RunContext, job: Tracked): Promise<SimCounters | undefined> {
  const remoteId = (await phaseOf(job))?.remoteJobId;
  if (!remoteId) return undefined;
  const res = await fetch(`${ctx.cluster.simUrl}/__sim/jobs/${remoteId}`);
  return res.ok ? ((await res.json()) as { counters: SimCounters }).counters : undefined;
}

export async function killBalancedGateway(ctx: RunContext): Promise<FaultReport> {
  const victim = ctx.cluster.scaled?.fleet.gateways[0];
  if (!victim) throw new Error('the cluster family needs --cluster');
  const durationMs = 5_000;
  const startedAt = Date.now();
  const count = ctx.short ? 4 : 8;
  // Hybrid jobs poll only every minute: a callback that got lost would show as a slow job.
  const jobs = await Promise.all(Array.from({ length: count }, (_v, i) =>
    ctx.book.startSucceeding(FAMILY, `balanced gateway ${i % 2 ? 'hybrid' : 'callback'} ${i + 1}`, { mode: i % 2 ? 'hybrid' : 'callback', durationMs, pollMs: 60_000 })));
  await until(async () => (await Promise.all(jobs.map((job) => inPhase(job, ['waiting-callback'])))).every(Boolean), 20_000);
  await new Promise((r) => setTimeout(r, Math.max(0, startedAt + durationMs - 300 - Date.now())));
  const before = await Promise.all(jobs.map((job) => counters(ctx, job)));
  const pid = victim.pid;
  await victim.kill9();
  // Down until every callback was sent (through the other gateway, or not at all).
  await until(async () => (await Promise.all(jobs.map((job) => counters(ctx, job)))).every((c) => c !== undefined && c.callbacksSent > 0), 20_000, 100);
  const after = await Promise.all(jobs.map((job) => counters(ctx, job)));
  await victim.start();
  const sentWhileDown = after.filter((c, i) => c !== undefined && c.callbacksSent > (before[i]?.callbacksSent ?? 0)).length;
  const failedAttempts = after.reduce((sum, c) => sum + (c ? c.callbackAttempts - c.callbacksSent : 0), 0);
  ctx.log(`  gateway 1 (pid ${pid}) dead while ${sentWhileDown}/${jobs.length} callbacks were sent; attempts that failed at the sender: ${failedAttempts}`);
  const notes = [
    sentWhileDown < jobs.length ? `only ${sentWhileDown}/${jobs.length} callbacks came while the gateway was dead` : '',
    failedAttempts > 0 ? `${failedAttempts} callback attempt(s) failed at the sender and were retried by it` : '',
  ].filter(Boolean);
  return { family: FAMILY, injected: sentWhileDown, notes };
}
