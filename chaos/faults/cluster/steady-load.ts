// A steady load of jobs for the whole cluster family, started the way a production client
// starts them: POST /v1/jobs through HAProxy with an Idempotency-Key, the same request again on
// any failure (a 503 while Temporal is away, a cut connection) until it is accepted — so every
// fault above happens under load, and no retry may start a second job.
import { randomUUID } from 'node:crypto';
import { jobIdForKey } from '../../../src/gateway/jobs/start-job';
import type { FaultReport, RunContext } from '../../family';
import { MODES, simulatorInput, type Tracked } from '../../jobs';

const FAMILY = 'steady load';

export interface SteadyLoad {
  /** Keeps going until at least `minMs` from its start, then stops starting jobs. */
  finish(minMs: number): Promise<FaultReport>;
}

export function steadyLoad(ctx: RunContext, everyMs: number): SteadyLoad {
  const startedAt = Date.now();
  let stopping = false;
  let started = 0;
  let retried = 0;
  let inFlightStarts = 0;
  const pending = new Set<Promise<void>>();

  const startOne = async (n: number): Promise<void> => {
    const mode = MODES[n % MODES.length] ?? 'poll';
    const input = simulatorInput(ctx.cluster, { mode, durationMs: 1_500, pollMs: mode === 'hybrid' ? 1_000 : 300 });
    const key = `steady-${randomUUID()}`;
    // Tracked from the first attempt under the id the key stands for: a start never accepted
    // is a job that does not exist at the end, and counts as lost.
    const workflowId = jobIdForKey(key);
    const tracked: Tracked = { family: FAMILY, label: `steady ${n} ${mode}`, workflowId, expect: { end: 'succeeded', size: 1024, notifications: 1 }, handle: ctx.cluster.client.workflow.getHandle(workflowId) };
    ctx.book.jobs.push(tracked);
    const giveUpAt = Date.now() + 90_000;
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${ctx.cluster.gatewayUrl}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.cluster.secrets.apiToken}`, 'idempotency-key': key },
        body: JSON.stringify(input),
        signal: AbortSignal.timeout(15_000),
      }).catch(() => undefined);
      const body = res ? ((await res.json().catch(() => ({}))) as { jobId?: string }) : {};
      if (res && (res.status === 201 || res.status === 202 || res.status === 200) && body.jobId) {
        if (body.jobId !== workflowId) throw new Error(`steady load: the job API named job ${body.jobId} for key ${key}, not ${workflowId}`);
        started++;
        return;
      }
      if (res && res.status < 500 && res.status !== 429) throw new Error(`steady load: job API answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
      if (Date.now() > giveUpAt) throw new Error(`steady load: job ${n} not accepted in 90 s (last: ${res?.status ?? 'no answer'})`);
      retried++;
      await new Promise((r) => setTimeout(r, Math.min(2_000, 200 * attempt)));
    }
  };

  const loop = (async () => {
    for (let n = 0; !stopping; n++) {
      const p = startOne(n).finally(() => {
        pending.delete(p);
        inFlightStarts--;
      });
      inFlightStarts++;
      pending.add(p);
      p.catch((err: unknown) => ctx.log(`  ✗ ${String(err)}`));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();

  return {
    async finish(minMs) {
      const left = startedAt + minMs - Date.now();
      if (left > 0) {
        ctx.log(`  steady load: ${started} jobs so far; going on for ${Math.round(left / 1000)} s more`);
        await new Promise((r) => setTimeout(r, left));
      }
      stopping = true;
      await loop;
      await Promise.allSettled([...pending]);
      const seconds = (Date.now() - startedAt) / 1000;
      ctx.log(`  steady load: ${started} jobs over ${seconds.toFixed(0)} s through HAProxy (${retried} start requests repeated; ${inFlightStarts} never accepted)`);
      return { family: FAMILY, injected: 0, notes: inFlightStarts ? [`${inFlightStarts} start(s) never accepted`] : [] };
    },
  };
}
