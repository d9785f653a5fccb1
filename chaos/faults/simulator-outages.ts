// The remote API misbehaving, each fault in every mode it applies to: 5xx and 429 storms with
// Retry-After, connection resets, truncated downloads, expired status and result URLs, a job
// that never ends; slow responses come from the hostile server (the simulator has no delay).
import type { FaultReport, RunContext } from '../family';
import { MODES, simulatorInput, type JobSpec, type Mode } from '../jobs';
import type { HostileServer } from '../hostile/server';

const FAMILY = 'simulator outages';

interface Outage {
  name: string;
  modes: readonly Mode[];
  spec: Omit<JobSpec, 'mode'>;
  /** Failure types that are the right end; succeeding otherwise. */
  fails?: (mode: Mode) => readonly string[];
}

const OUTAGES: readonly Outage[] = [
  { name: '5xx storm', modes: MODES, spec: { scenario: { startErrors: 3, startErrorCode: 503, statusErrors: 3, statusErrorCode: 502, retryAfterSeconds: 1 } } },
  { name: '429 storm', modes: MODES, spec: { scenario: { startErrors: 3, startErrorCode: 429, statusErrors: 3, statusErrorCode: 429, retryAfterSeconds: 1 } } },
  { name: 'connection resets', modes: MODES, spec: { scenario: { startErrors: 2, startErrorCode: 'reset' } } },
  { name: 'truncated download', modes: MODES, spec: { resultSize: 4 << 20, scenario: { truncateOnce: true } } },
  { name: 'expired result URL', modes: ['poll'], spec: { scenario: { expiredResultUrls: 1 } } },
  { name: 'expired status URL', modes: ['poll'], spec: { durationMs: 20_000, pollMs: 500, scenario: { statusUrlTtlSeconds: 2 } }, fails: () => ['StatusUrlExpired'] },
  {
    name: 'never ends',
    modes: MODES,
    spec: { timeout: '4s', scenario: { neverFinish: true } },
    fails: (mode) => (mode === 'callback' ? ['CallbackTimeout', 'JobTimeout'] : ['JobTimeout']),
  },
];

export async function simulatorOutages(ctx: RunContext, hostile: HostileServer): Promise<FaultReport> {
  const rounds = ctx.short ? 1 : 3;
  let injected = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const outage of OUTAGES) {
      for (const mode of outage.modes) {
        const spec = { mode, ...outage.spec };
        const fails = outage.fails?.(mode);
        const label = `${outage.name} ${mode} ${round}`;
        if (fails) await ctx.book.start(FAMILY, label, simulatorInput(ctx.cluster, spec), { end: fails, notifications: 1 });
        else await ctx.book.startSucceeding(FAMILY, label, spec);
        injected++;
      }
    }
    // Slow answers to the start and every status read: nothing times out early, nothing is read twice.
    const size = 64 * 1024;
    await ctx.book.start(FAMILY, `slow responses poll ${round}`, hostile.jobInput('slow', { size }), { end: 'succeeded', size, notifications: 0 });
    injected++;
  }
  return { family: FAMILY, injected, notes: [] };
}
