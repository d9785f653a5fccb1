// Prometheus metrics. Callback counters are recorded once per response, in one hook, so every
// refusal (413, 415 and 429 included, which never reach a handler) is counted with its
// problem type as the outcome. The waiting-job gauges are computed on scrape from Temporal
// visibility, so they are right after a gateway restart and across several gateways.
import type { Client } from '@temporalio/client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { WORKFLOW_TYPE, searchAttributes, type Phase } from '../contract/names';
import { bounded, type TemporalAccess } from './temporal-call';

/** Which kind of callback endpoint a route is (route config `callbackKind`). */
export type CallbackKind = 'callback-url' | 'task' | 'sfn' | 'webhook' | 'profile';

declare module 'fastify' {
  interface FastifyContextConfig {
    callbackKind?: CallbackKind;
  }
  interface FastifyRequest {
    /** What became of a callback: `delivered`, `already-finished`, …, or the problem type. */
    callbackOutcome: string;
  }
}

const WAITING_PHASES: readonly Phase[] = ['waiting-callback', 'polling'];
/** Visibility stores without ORDER BY (SQL ones) are scanned; past this many waiting jobs the age is a lower bound. */
const MAX_SCANNED = 10_000;

export class GatewayMetrics {
  readonly callbacks: Counter<'kind' | 'outcome'>;
  readonly callbackDuration: Histogram<'kind'>;
  readonly jobsStarted: Counter;
  private orderBySupported = true;
  private pending?: { at: number; value: Promise<{ count: number; oldestStartMs?: number | undefined }> };

  constructor(
    readonly registry: Registry,
    private readonly temporal: TemporalAccess & { taskQueue: string },
    private readonly onScrapeError: (err: unknown) => void,
  ) {
    this.callbacks = new Counter({ name: 'pollback_callbacks_total', help: 'Callbacks received, by endpoint kind and outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
    this.callbackDuration = new Histogram({
      name: 'pollback_callback_duration_seconds',
      help: 'Time to answer a callback, verification and signal included',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.jobsStarted = new Counter({ name: 'pollback_jobs_started_total', help: 'Jobs started through the job API (repeats of an Idempotency-Key not counted)', registers: [registry] });
    const waiting = this.waiting.bind(this);
    new Gauge({
      name: 'pollback_jobs_waiting',
      help: 'Running jobs waiting for a callback or polling, on this task queue',
      registers: [registry],
      async collect() {
        const snapshot = await waiting();
        if (snapshot) this.set(snapshot.count);
        else this.reset();
      },
    });
    new Gauge({
      name: 'pollback_oldest_waiting_job_age_seconds',
      help: 'Age of the oldest waiting job (since its current run started; 0 when none wait)',
      registers: [registry],
      async collect() {
        const snapshot = await waiting();
        if (!snapshot) this.reset();
        else this.set(snapshot.oldestStartMs === undefined ? 0 : Math.max(0, (Date.now() - snapshot.oldestStartMs) / 1000));
      },
    });
  }

  /** Records a callback route's response; other routes are ignored. */
  readonly onResponse = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const kind = request.routeOptions.config.callbackKind;
    if (kind) {
      this.callbacks.inc({ kind, outcome: request.callbackOutcome || `http-${reply.statusCode}` });
      this.callbackDuration.observe({ kind }, reply.elapsedTime / 1000);
    }
    done();
  };

  /** One visibility read per scrape, shared by both gauges. */
  private async waiting(): Promise<{ count: number; oldestStartMs?: number | undefined } | undefined> {
    if (!this.pending || Date.now() - this.pending.at > 1_000) this.pending = { at: Date.now(), value: this.readWaiting() };
    try {
      return await this.pending.value;
    } catch (err) {
      this.onScrapeError(err);
      return undefined;
    }
  }

  private async readWaiting(): Promise<{ count: number; oldestStartMs?: number | undefined }> {
    const phases = WAITING_PHASES.map((p) => `"${p}"`).join(', ');
    const query = `WorkflowType = "${WORKFLOW_TYPE}" AND ExecutionStatus = "Running" AND TaskQueue = "${this.temporal.taskQueue}" AND ${searchAttributes.phase.name} IN (${phases})`;
    const client: Client = this.temporal.client;
    const { count } = await bounded(this.temporal, () => client.workflow.count(query));
    if (count === 0) return { count };
    return { count, oldestStartMs: await this.oldestStart(query) };
  }

  private async oldestStart(query: string): Promise<number | undefined> {
    if (this.orderBySupported) {
      try {
        return await bounded(this.temporal, async () => {
          for await (const execution of this.temporal.client.workflow.list({ query: `${query} ORDER BY StartTime ASC`, pageSize: 1 })) return execution.startTime.getTime();
          return undefined;
        });
      } catch (err) {
        // SQL visibility stores reject ORDER BY (INVALID_ARGUMENT); scan instead from now on.
        if ((err as { cause?: { code?: number } }).cause?.code !== 3) throw err;
        this.orderBySupported = false;
      }
    }
    return bounded(this.temporal, async () => {
      let oldest: number | undefined;
      let scanned = 0;
      for await (const execution of this.temporal.client.workflow.list({ query, pageSize: 1_000 })) {
        const started = execution.startTime.getTime();
        oldest = oldest === undefined ? started : Math.min(oldest, started);
        if (++scanned >= MAX_SCANNED) break;
      }
      return oldest;
    });
  }
}
