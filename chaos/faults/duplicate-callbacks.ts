// Thousands of duplicate callbacks for one job, and callbacks racing the hybrid safety poll:
// each job completes exactly once — one remote job, one download, one notification per target.
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { mintToken } from '../../src/tokens/task-token';
import type { FaultReport, RunContext } from '../family';
import { until, type Tracked } from '../jobs';

const FAMILY = 'duplicate callbacks';
const CONCURRENCY = 32;

export async function tokenOf(ctx: RunContext, job: Tracked): Promise<string> {
  const { runId } = await job.handle.describe();
  const status = await job.handle.query<JobStatus>(STATUS_QUERY);
  return mintToken(ctx.cluster.keyring, { workflowId: job.workflowId, runId, expiresAt: Date.parse(status.deadline) });
}

async function flood(url: string, count: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'success', output: { copy: n } }) }).catch(() => undefined);
      await res?.arrayBuffer();
      statuses.set(res?.status ?? 0, (statuses.get(res?.status ?? 0) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  return statuses;
}

export async function duplicateCallbacks(ctx: RunContext): Promise<FaultReport> {
  const copies = ctx.short ? 1_000 : 10_000;
  // The simulator drops its own callback: every completion comes from the flood.
  const job = await ctx.book.startSucceeding(FAMILY, 'duplicate callbacks flood', { mode: 'callback', scenario: { callback: 'drop' } });
  await until(async () => (await job.handle.query<JobStatus>(STATUS_QUERY).catch(() => undefined))?.phase === 'waiting-callback', 20_000);
  const startedAt = Date.now();
  const statuses = await flood(`${ctx.cluster.gatewayUrl}/v1/callbacks/${await tokenOf(ctx, job)}`, copies);
  ctx.log(`  ${copies} duplicate callbacks in ${((Date.now() - startedAt) / 1000).toFixed(1)}s, answers ${JSON.stringify(Object.fromEntries(statuses))}`);

  // The simulator's callback (sent twice) and a 1 s safety poll reach the same terminal state together.
  const races = ctx.short ? 3 : 10;
  for (let n = 1; n <= races; n++) {
    await ctx.book.startSucceeding(FAMILY, `callback races safety poll ${n}`, { mode: 'hybrid', durationMs: 1_000, pollMs: 1_000, scenario: { callback: 'duplicate' } });
  }
  const refused = [...statuses].filter(([status]) => status !== 200).reduce((sum, [, count]) => sum + count, 0);
  return { family: FAMILY, injected: copies + races, notes: refused ? [`${refused} duplicate callbacks were not answered 200 (a sender would retry them)`] : [] };
}
