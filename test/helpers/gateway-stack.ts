// The full gateway (job API, callbacks, webhooks, metrics) on loopback with the simulator and
// a real worker on the shared dev server. The gateway's port is chosen first so the worker can
// hand out callback URLs that point at it, and the gateway in turn starts jobs on the worker's
// task queue and serves files from the worker's download folder.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { ActivityDeps } from '../../src/activities';
import { buildGateway, type GatewayDeps } from '../../src/gateway/app';
import { DEFAULT_WEBHOOK_SECRET, startSimulator, type Simulator } from '../../dev/simulator';
import { freePort } from '../../src/temporal/dev-server';
export { eventually } from './eventually';
import { watchConformance, type OpenApiConformance } from './openapi-conformance';
import { SIM_CREDENTIALS } from './stack';
import { startTestWorker, testKeyring, type TemporalTarget, type TestWorker, type TestWorkerOptions } from './temporal';
import { taskTokenFor } from './remote';

export const API_TOKEN = 'test-api-token-0123456789abcdef';

export type GatewayOverrides = Partial<Omit<GatewayDeps, 'client' | 'keyring' | 'taskQueue' | 'registry'>>;

export interface GatewayStack extends TestWorker {
  sim: Simulator;
  gateway: FastifyInstance;
  url: string;
  registry: Registry;
  downloadDir: string;
  /** A request to the gateway, with the API token unless `token` says otherwise (null: none). */
  api(method: string, path: string, opts?: ApiOptions): Promise<ApiAnswer>;
  /** The task token the worker minted for a job (the test holds the key, like the gateway). */
  tokenFor(workflowId: string, expiresAt?: number): Promise<string>;
  /** Another gateway on the same worker and Temporal, e.g. with a tiny rate limit. */
  extraGateway(overrides: GatewayOverrides): Promise<{ url: string; close(): Promise<void> }>;
}

export interface ApiOptions {
  body?: unknown;
  /** Sent as is (a string or Buffer), with `contentType`. */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  token?: string | null;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON (its fields loosely typed, for assertions), else the text. */
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read any field
}

export async function request(baseUrl: string, method: string, urlPath: string, opts: ApiOptions = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null && opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    if (opts.contentType) headers['content-type'] = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(`${baseUrl}${urlPath}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const json = /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, headers: res.headers, body: json && text ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

/** The worker's settings, and the stack's: a port chosen ahead (a Web UI pointed at it first). */
export type StackOptions = Partial<Omit<ActivityDeps, 'env'>> & Pick<TestWorkerOptions, 'dataConverter' | 'taskQueue'> & { env?: Record<string, string>; port?: number };

export async function startGatewayStack(overrides: GatewayOverrides = {}, temporal?: TemporalTarget, options: StackOptions = {}): Promise<GatewayStack> {
  const { port: chosenPort, ...workerDeps } = options;
  const sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  const port = chosenPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const downloadDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-gateway-downloads-'));
  const worker = await startTestWorker({
    ...workerDeps,
    env: { SIMULATOR_URL: sim.url, SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken, SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey, ...workerDeps.env },
    callbackBaseUrl: url,
    downloadDir,
    // Profiles given to the gateway are the workers' too, as in production (one POLLBACK_PROFILES_DIR).
    ...(overrides.profiles ? { profiles: overrides.profiles } : {}),
    ...(temporal ? { temporal } : {}),
  });
  const registry = new Registry();
  // Every response any of this stack's gateways sends is checked against its /openapi.json.
  const checks: (() => OpenApiConformance)[] = [];
  const build = async (extra: GatewayOverrides, reg: Registry): Promise<FastifyInstance> => {
    const app = await buildGateway({
      client: worker.client,
      keyring: testKeyring,
      taskQueue: worker.taskQueue,
      namespace: 'default',
      webUiUrl: 'http://ui.test:8233',
      apiAuth: { tokens: [API_TOKEN] },
      resultRoot: downloadDir,
      // Test files share 127.0.0.1: the limit is tested on a gateway of its own.
      rateLimit: { max: 0 },
      registry: reg,
      env: { SIMULATOR_WEBHOOK_SECRET: DEFAULT_WEBHOOK_SECRET },
      ...overrides,
      ...extra,
    });
    checks.push(watchConformance(app).conformance);
    return app;
  };
  const gateway = await build({}, registry);
  await gateway.listen({ host: '127.0.0.1', port });
  return {
    ...worker,
    sim,
    gateway,
    url,
    registry,
    downloadDir,
    api: (method, urlPath, opts = {}) => request(url, method, urlPath, { token: API_TOKEN, ...opts }),
    tokenFor: (workflowId, expiresAt) => taskTokenFor(worker.client, workflowId, expiresAt),
    async extraGateway(extra) {
      const app = await build(extra, new Registry());
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, close: () => app.close() };
    },
    async stop() {
      await gateway.close();
      await worker.stop();
      await sim.close();
      for (const conformance of checks) conformance().assertConforms();
    },
  };
}

/** One sample of a Prometheus text exposition, e.g. `pollback_jobs_waiting` or `name{a="b"}`. */
export function metricValue(text: string, sample: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space > 0 && line.slice(0, space) === sample) return Number(line.slice(space + 1));
  }
  return undefined;
}

/** The gateway's /metrics text. */
export async function scrape(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}
