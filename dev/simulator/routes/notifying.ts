// Three third-party callback styles, each calling back in its own words, the way real APIs do
// (none of them knows Pollback). Each also has a status endpoint, so one profile serves it in
// poll, callback and hybrid mode.
//
// | style      | start                          | who is calling                          | words |
// |------------|--------------------------------|-----------------------------------------|-------|
// | render     | POST /render/v1/jobs           | `Authorization: Bearer <token>` to notify.url | QUEUED RENDERING DONE ERROR CANCELLED, progress.percent |
// | transcribe | POST /transcribe/v1/jobs       | the token in webhook_url's query         | queued in_progress completed error canceled, percent_complete |
// | events     | POST /events/v1/exports        | Stripe-style signed event, correlated by the export id | running completed failed canceled, progress 0–1 |
import { createHmac, randomUUID } from 'node:crypto';
import { type FastifyPluginCallback, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCredentials } from '../auth';
import { deliverCallback, type DeliveryOptions } from '../callbacks';
import { cancelJob, createOrReplay, findJob, originOf, readStatus, scenarioHeader, type SimContext } from '../context';
import { type Job, type NotifySpec, type Phase, type Style, outcomeMessage, phaseOf, resultSha256 } from '../jobs';
import { HttpProblem } from '../problem';
import { describeIssues, readScenario } from '../scenario';

const DEFAULT_DURATION_MS = 1_000;

/** Everything a payload may say, computed once per moment. */
interface Moment {
  phase: Phase;
  /** 0–100 while processing. */
  percent: number;
  result?: { url: string; sha256: string; size: number };
  error?: { code: string; message: string };
  /** The final callback of a `garbled` scenario: a state word the API never documented. */
  garbled?: boolean;
}

interface StyleDef {
  style: Style;
  prefix: string;
  credentials: { bearer?: boolean; apiKey?: boolean };
  defaultErrorCode: string;
  /** The start body's own shape: where the callback target is. */
  notifyFrom(body: Record<string, unknown>): NotifySpec | undefined;
  started(job: Job, origin: string): { code: number; body: unknown; headers?: Record<string, string> };
  payload(job: Job, moment: Moment): unknown;
  /** Headers each callback attempt carries (its authentication). */
  callbackHeaders(ctx: SimContext, job: Job, unsigned: boolean): DeliveryOptions['headers'];
  retryOn?: DeliveryOptions['retryOn'];
}

const bearer = (job: Job, unsigned: boolean): DeliveryOptions['headers'] => (): Record<string, string> =>
  job.notify?.token && !unsigned ? { authorization: `Bearer ${job.notify.token}` } : {};

const render: StyleDef = {
  style: 'render',
  prefix: '/render/v1/jobs',
  credentials: { bearer: true },
  defaultErrorCode: 'RenderFailed',
  notifyFrom: (body) => {
    const parsed = z.object({ notify: z.object({ url: z.url({ protocol: /^https?$/ }), token: z.string().min(1) }).optional() }).safeParse(body);
    if (!parsed.success) throw new HttpProblem(400, 'invalid request body', describeIssues(parsed.error, 'body'));
    return parsed.data.notify;
  },
  started: (job, origin) => ({ code: 202, body: { operation: { id: job.id, state: 'QUEUED' } }, headers: { location: `${origin}/render/v1/jobs/${job.id}` } }),
  payload: (job, m) => ({
    operation: {
      id: job.id,
      state: m.garbled ? 'COMPLETE' : { processing: m.percent < 10 ? 'QUEUED' : 'RENDERING', succeeded: 'DONE', failed: 'ERROR', cancelled: 'CANCELLED' }[m.phase],
      progress: { percent: m.phase === 'succeeded' ? 100 : m.percent },
    },
    ...(m.result && { output: { location: m.result.url, checksum: { sha256: m.result.sha256 }, bytes: m.result.size } }),
    ...(m.error && { error: m.error }),
  }),
  callbackHeaders: (_ctx, job, unsigned) => bearer(job, unsigned),
};

const transcribe: StyleDef = {
  style: 'transcribe',
  prefix: '/transcribe/v1/jobs',
  credentials: { apiKey: true },
  defaultErrorCode: 'media_unreadable',
  notifyFrom: (body) => {
    const parsed = z.object({ webhook_url: z.url({ protocol: /^https?$/ }).optional() }).safeParse(body);
    if (!parsed.success) throw new HttpProblem(400, 'invalid request body', describeIssues(parsed.error, 'body'));
    return parsed.data.webhook_url ? { url: parsed.data.webhook_url } : undefined;
  },
  started: (job) => ({ code: 201, body: { job_id: job.id, status: 'queued' } }),
  payload: (job, m) => ({
    job_id: job.id,
    status: m.garbled ? 'finished' : { processing: m.percent < 10 ? 'queued' : 'in_progress', succeeded: 'completed', failed: 'error', cancelled: 'canceled' }[m.phase],
    percent_complete: m.phase === 'succeeded' ? 100 : m.percent,
    ...(m.result && { result: { url: m.result.url, sha256: m.result.sha256 } }),
    ...(m.error && { failure: { reason_code: m.error.code, detail: m.error.message } }),
  }),
  callbackHeaders: () => () => ({}),
};

/** Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
function signed(secret: string, body: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const events: StyleDef = {
  style: 'events',
  prefix: '/events/v1/exports',
  credentials: { apiKey: true },
  defaultErrorCode: 'export_failed',
  notifyFrom: (body) => {
    const parsed = z.object({ endpoint: z.url({ protocol: /^https?$/ }).optional() }).safeParse(body);
    if (!parsed.success) throw new HttpProblem(400, 'invalid request body', describeIssues(parsed.error, 'body'));
    return parsed.data.endpoint ? { url: parsed.data.endpoint } : undefined;
  },
  started: (job) => ({ code: 202, body: { export: { id: job.id, state: 'running' } } }),
  payload: (job, m) => {
    const state = m.garbled ? 'done' : { processing: 'running', succeeded: 'completed', failed: 'failed', cancelled: 'canceled' }[m.phase];
    return {
      id: `evt_${randomUUID()}`,
      type: `export.${state}`,
      created: Math.floor(Date.now() / 1000),
      data: {
        export: {
          id: job.id,
          state,
          progress: m.phase === 'succeeded' ? 1 : m.percent / 100,
          ...(m.result && { file: { href: m.result.url, sha256: m.result.sha256 } }),
          ...(m.error && { last_error: m.error }),
        },
      },
    };
  },
  callbackHeaders: (ctx, _job, unsigned) => (body): Record<string, string> => (unsigned ? {} : { 'sim-signature': signed(ctx.webhookSecret, body) }),
  // Like Stripe, any non-2xx is retried: an event that raced ahead of the job's start arrives later.
  retryOn: (status) => status >= 500 || status === 429 || status === 404,
};

async function momentOf(ctx: SimContext, job: Job, origin: string, def: StyleDef, signal: AbortSignal): Promise<Moment> {
  const now = ctx.clock.now();
  const phase = phaseOf(job, now);
  const percent = job.durationMs > 0 ? Math.min(99, Math.floor(((now - job.createdAt) / job.durationMs) * 100)) : 0;
  switch (phase) {
    case 'processing':
      return { phase, percent };
    case 'succeeded': {
      const url = ctx.signer.presign(origin, job.id, job.scenario.resultUrlTtlSeconds, now).url;
      ctx.counters.bump(job, 'resultUrlsIssued');
      return { phase, percent: 100, result: { url, sha256: await resultSha256(job, signal), size: job.scenario.resultSize } };
    }
    case 'failed':
    case 'cancelled':
      return { phase, percent, error: { code: phase === 'cancelled' ? 'canceled' : (job.scenario.errorCode ?? def.defaultErrorCode), message: outcomeMessage(job) } };
  }
}

function scheduleCallbacks(ctx: SimContext, def: StyleDef, job: Job, origin: string): void {
  const notify = job.notify;
  const { callback, callbackDelayMs, neverFinish, progressCallbacks } = job.scenario;
  if (!notify || callback === 'drop') return;
  const send = async (moment: Moment, signal: AbortSignal): Promise<void> => {
    const delivered = await deliverCallback(ctx.dispatcher, notify.url, def.payload(job, moment), signal, {
      onAttempt: () => ctx.counters.bump(job, 'callbackAttempts'),
      onDelivered: () => ctx.counters.bump(job, 'callbacksSent'),
    }, { headers: def.callbackHeaders(ctx, job, callback === 'unsigned'), ...(def.retryOn ? { retryOn: def.retryOn, maxAttempts: 6 } : {}) });
    if (!delivered) ctx.log.warn({ jobId: job.id, style: def.style }, 'callback not delivered');
  };
  for (let i = 1; i <= progressCallbacks; i += 1) {
    ctx.scheduler.after(Math.floor((job.durationMs * i) / (progressCallbacks + 1)), async (signal) => {
      if (phaseOf(job, ctx.clock.now()) === 'processing') await send(await momentOf(ctx, job, origin, def, signal), signal);
    });
  }
  if (neverFinish) return;
  const delayMs = (callback === 'early' ? 0 : job.durationMs + 1) + callbackDelayMs;
  ctx.scheduler.after(delayMs, async (signal) => {
    if (job.cancelledAt !== undefined) return;
    // Early: the outcome as it will be, announced before the job (or the caller) is ready.
    const moment = callback === 'early' && phaseOf(job, ctx.clock.now()) === 'processing'
      ? await momentOf(ctx, { ...job, durationMs: 0 }, origin, def, signal)
      : await momentOf(ctx, job, origin, def, signal);
    const final = callback === 'garbled' ? { ...moment, garbled: true } : moment;
    for (let copy = callback === 'duplicate' ? 2 : 1; copy > 0; copy -= 1) await send(final, signal);
  });
}

function styleRoutes(ctx: SimContext, def: StyleDef): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.addHook('onRequest', requireCredentials(ctx.credentials, def.credentials));

    app.post<{ Querystring: { scenario?: unknown } }>(def.prefix, (request: FastifyRequest<{ Querystring: { scenario?: unknown } }>, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) throw new HttpProblem(400, 'invalid request body', 'body: expected a JSON object');
      const notify = def.notifyFrom(body);
      const scenario = readScenario({ query: request.query.scenario, header: scenarioHeader(request), body: body.scenario });
      const origin = originOf(request);
      const { job } = createOrReplay(ctx, request, reply, {
        style: def.style,
        scenario,
        durationMs: scenario.durationMs ?? DEFAULT_DURATION_MS,
        outcome: scenario.outcome,
        ...(notify ? { notify } : {}),
      }, (created) => scheduleCallbacks(ctx, def, created, origin));
      const answer = def.started(job, origin);
      reply.code(answer.code).headers(answer.headers ?? {});
      return answer.body;
    });

    app.get<{ Params: { id: string } }>(`${def.prefix}/:id`, async (request) => {
      const job = findJob(ctx, request.params.id, def.style);
      readStatus(ctx, job);
      return def.payload(job, await momentOf(ctx, job, originOf(request), def, ctx.scheduler.signal));
    });

    app.delete<{ Params: { id: string } }>(`${def.prefix}/:id`, async (request, reply) => {
      const job = findJob(ctx, request.params.id, def.style);
      cancelJob(ctx, job);
      reply.code(202);
      return def.payload(job, await momentOf(ctx, job, originOf(request), def, ctx.scheduler.signal));
    });
    done();
  };
}

export function notifyingRoutes(ctx: SimContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    for (const def of [render, transcribe, events]) void app.register(styleRoutes(ctx, def));
    done();
  };
}
