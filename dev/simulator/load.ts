// How hard clients press on each API style: requests in flight now, the most ever in flight at
// once, and the most requests that arrived within any one second and any five seconds (sliding
// windows, so a burst straddling two clock seconds is seen whole). Per-API limits are checked
// against these.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FastifyInstance } from 'fastify';
import { type JobStore, type Style } from './jobs';

export interface StyleLoad {
  inFlight: number;
  maxInFlight: number;
  requests: number;
  /** The most requests that arrived within any one second. */
  maxPerSecond: number;
  /** The same over five seconds: a rate seen past short bursts and scheduling noise. */
  maxPer5Seconds: number;
}

/** Styles that have seen requests since start or the last reset. */
export type LoadSnapshot = Partial<Record<Style, StyleLoad>>;

// The style a request belongs to: by route prefix, or for a pre-signed download by its job id.
const PREFIXES: readonly (readonly [string, Style])[] = [['/aso/', 'aso'], ['/tasks/', 'task'], ['/lro/', 'lro'], ['/render/', 'render'], ['/transcribe/', 'transcribe'], ['/events/', 'events']];
const FILE = /^\/files\/(aso|task|lro|render|transcribe|events)-/;

export function styleOf(url: string): Style | undefined {
  const file = FILE.exec(url);
  if (file) return file[1] as Style;
  return PREFIXES.find(([prefix]) => url.startsWith(prefix))?.[1];
}

/** Arrivals within a sliding window, and the most ever seen in it. */
class SlidingCount {
  private readonly arrivals: number[] = [];
  max = 0;

  constructor(private readonly windowMs: number) {}

  add(now: number): void {
    this.arrivals.push(now);
    while (this.arrivals.length && (this.arrivals[0] ?? now) <= now - this.windowMs) this.arrivals.shift();
    this.max = Math.max(this.max, this.arrivals.length);
  }
}

class StyleGauge {
  private inFlight = 0;
  private maxInFlight = 0;
  private requests = 0;
  private readonly second = new SlidingCount(1_000);
  private readonly fiveSeconds = new SlidingCount(5_000);

  arrive(now: number): void {
    this.requests += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.second.add(now);
    this.fiveSeconds.add(now);
  }

  leave(): void {
    this.inFlight -= 1;
  }

  get load(): StyleLoad {
    return { inFlight: this.inFlight, maxInFlight: this.maxInFlight, requests: this.requests, maxPerSecond: this.second.max, maxPer5Seconds: this.fiveSeconds.max };
  }
}

export class LoadGauge {
  private gauges = new Map<Style, StyleGauge>();

  /** Counts every API request from arrival until its response is finished or its connection gone. */
  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      const style = styleOf(request.url);
      if (style) {
        const gauge = this.gauges.get(style) ?? new StyleGauge();
        this.gauges.set(style, gauge);
        gauge.arrive(performance.now());
        reply.raw.once('close', () => gauge.leave());
      }
      done();
    });
  }

  snapshot(): LoadSnapshot {
    return Object.fromEntries([...this.gauges].map(([style, gauge]) => [style, gauge.load]));
  }

  reset(): void {
    this.gauges = new Map();
  }
}

const JOB_ID = /(?:aso|task|lro|render|transcribe|events)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * The scenario's `latencyMs`: every API answer about the job (its start included) is held that
 * long, as a slow API's would be, so a client's requests overlap and concurrency can be seen.
 */
export function holdSlowAnswers(app: FastifyInstance, store: JobStore): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/__sim')) return payload;
    const header = reply.getHeader('x-sim-job-id');
    const id = typeof header === 'string' ? header : JOB_ID.exec(request.url)?.[0];
    const latencyMs = id === undefined ? 0 : (store.get(id)?.scenario.latencyMs ?? 0);
    if (latencyMs > 0) await sleep(latencyMs);
    return payload;
  });
}
