// Builds and starts the simulator: one Fastify app serving all three API styles, plus admin.
import { type AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { Agent } from 'undici';
import { type Credentials } from './auth';
import { type Clock, systemClock } from './clock';
import { type Counters, CounterBook } from './counters';
import { StartDropped, type SimContext } from './context';
import { JobStore } from './jobs';
import { holdSlowAnswers, LoadGauge, type LoadSnapshot } from './load';
import { HttpProblem, sendProblem } from './problem';
import { adminRoutes } from './routes/admin';
import { asoRoutes } from './routes/aso';
import { fileRoutes } from './routes/files';
import { lroRoutes } from './routes/lro';
import { notifyingRoutes } from './routes/notifying';
import { taskTokenRoutes } from './routes/task-token';
import { Scheduler } from './scheduler';
import { UrlSigner } from './signing';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  credentials?: Credentials;
  logger?: boolean;
  /** Signs the signed-event style's callbacks (Stripe-style HMAC); the gateway's profile must know it. */
  webhookSecret?: string;
  /** Drives job states and URL expiries; tests pass a manual clock to jump past an expiry. */
  clock?: Clock;
}

export interface Simulator {
  url: string;
  close(): Promise<void>;
  counters(): Counters & { load: LoadSnapshot };
}

export const DEFAULT_CREDENTIALS: Credentials = { bearerToken: 'sim-bearer-token', apiKey: 'sim-api-key' };
export const DEFAULT_WEBHOOK_SECRET = 'sim-webhook-secret-0123456789abcdef';

function buildApp(ctx: SimContext, app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err instanceof StartDropped) return;
    if (err instanceof HttpProblem) return sendProblem(reply, err.status, err.title, err.message, err.headers);
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) ctx.log.error({ err }, 'simulator error');
    return sendProblem(reply, status, status === 500 ? 'internal error' : 'bad request', err.message);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'not found', `no route for ${request.method} ${request.url}`));
  ctx.load.register(app);
  holdSlowAnswers(app, ctx.store);
  void app.register(asoRoutes(ctx));
  void app.register(taskTokenRoutes(ctx));
  void app.register(lroRoutes(ctx));
  void app.register(notifyingRoutes(ctx));
  void app.register(fileRoutes(ctx));
  void app.register(adminRoutes(ctx));
}

/** The URL clients should use: a wildcard bind address is reachable on loopback. */
function publicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  // Implicit HEAD routes would run the download handler and count a download that never happened.
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true, exposeHeadRoutes: false });
  const dispatcher = new Agent();
  const ctx: SimContext = {
    clock: opts.clock ?? systemClock,
    store: new JobStore(),
    counters: new CounterBook(),
    load: new LoadGauge(),
    signer: new UrlSigner(),
    scheduler: new Scheduler((err) => app.log.error({ err }, 'scheduled task failed')),
    credentials: opts.credentials ?? DEFAULT_CREDENTIALS,
    webhookSecret: opts.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
    dispatcher,
    log: app.log,
  };
  buildApp(ctx, app);
  await app.listen({ host, port: opts.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: publicUrl(host, port),
    counters: () => ({ ...ctx.counters.snapshot(), load: ctx.load.snapshot() }),
    close: async () => {
      ctx.scheduler.stopAll();
      await Promise.all([app.close(), dispatcher.destroy()]);
    },
  };
}
