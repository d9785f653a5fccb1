// Everything the benchmarks share, all on loopback in one run: one real Temporal dev server (or,
// for `--cluster`, a real Temporal cluster on PostgreSQL from dev/cluster/), both workflow bundles (Pollback's and the bare baseline's, bundled apart), the simulator, the
// gateway, and a webhook receiver. Workers are separate processes started per benchmark.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildGateway } from '../src/gateway/app';
import { startSimulator, type Simulator } from '../dev/simulator';
import { startTemporalCluster } from '../dev/cluster/temporal-cluster';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { parseKeyring, type Keyring } from '../src/tokens/task-token';
import { bundlePollbackWorkflows, quietBundlerLogger } from '../src/worker';
import { startService, startWorker, type ServiceHandle, type WorkerHandle } from './worker-handle';

export const SIM_CREDENTIALS = { bearerToken: 'bench-sim-bearer-token-0001', apiKey: 'bench-sim-api-key-0001' };
const TOKEN_KEYS = 'b1:bench-token-key-0123456789abcdefghijklmnop';
const HANDWRITTEN_TOKEN_KEY = 'bench-handwritten-token-key-0123456789';
export const HOOK_SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

export type TemporalKind = 'dev-server' | 'cluster';

export interface BenchEnvironment {
  tmp: string;
  kind: TemporalKind;
  /** The dev server; for a cluster its frontend (`pid`) and a stop of the whole cluster. */
  server: DevServer;
  /** Every process of Temporal by name (a cluster: its four services and PostgreSQL), for CPU and memory. */
  temporalPids: () => Record<string, number>;
  client: Client;
  sim: Simulator;
  gatewayUrl: string;
  keyring: Keyring;
  /** Where notifications are posted; counts them. */
  webhook: { url: string; received(): number };
  /** A Pollback worker process on a fresh task queue, configured the production way; `simulatorUrl` and `gatewayUrl` point it at other processes than the shared ones, `workflowBundle` runs other workflow code (the polling benchmark's "before"). */
  startPollbackWorker(opts?: { downloadDir?: string; taskQueue?: string; simulatorUrl?: string; gatewayUrl?: string; workflowBundle?: string }): Promise<{ worker: WorkerHandle; taskQueue: string; downloadDir: string }>;
  /** The hand-written equivalent's worker process on a fresh task queue, with the simulator and callback endpoint it talks to. */
  startHandwrittenWorker(opts: { simulatorUrl: string; callbackUrl: string }): Promise<{ worker: WorkerHandle; taskQueue: string }>;
  /** The simulator, the gateway or the hand-written callback endpoint as a process of its own. */
  startService(kind: 'simulator' | 'gateway' | 'endpoint'): Promise<ServiceHandle>;
  /** A bare baseline worker process on a fresh task queue. */
  startBaselineWorker(): Promise<{ worker: WorkerHandle; taskQueue: string }>;
  close(): Promise<void>;
}

/** Pollback's workflows exactly as its worker bundles them; the baseline's with the SDK's defaults. */
async function bundle(tmp: string, name: 'pollback' | 'handwritten' | 'baseline'): Promise<string> {
  const code = name === 'pollback' ? await bundlePollbackWorkflows() : (await bundleWorkflowCode({ workflowsPath: path.join(__dirname, `${name}/workflows.ts`), logger: quietBundlerLogger })).code;
  const file = path.join(tmp, `${name}-bundle.js`);
  await writeFile(file, code);
  return file;
}

async function webhookReceiver(): Promise<{ server: Server; url: string; received(): number }> {
  let received = 0;
  // A receiver that reads the body and answers 204; verifying signatures is the receiver's cost, not Pollback's.
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received: () => received };
}

/** Short timers fire on time (Temporal otherwise batches them up to 1 s late): the polling benchmark uses millisecond intervals, as the test harness does. */
const TIMER_SHIFT = { key: 'history.timerProcessorMaxTimeShift', value: '10ms' } as const;

async function startTemporal(kind: TemporalKind, tmp: string): Promise<{ server: DevServer; temporalPids: () => Record<string, number> }> {
  if (kind === 'dev-server') {
    const server = await startDevServer({
      cli: await ensureTemporalCli(),
      dbFile: path.join(tmp, 'temporal.sqlite'),
      extraArgs: ['--dynamic-config-value', `${TIMER_SHIFT.key}="${TIMER_SHIFT.value}"`],
    });
    return { server, temporalPids: () => ({ devServer: server.pid }) };
  }
  // PostgreSQL may run as its own user (never root): it must be able to enter the folder.
  await chmod(tmp, 0o711);
  const cluster = await startTemporalCluster({ dir: path.join(tmp, 'cluster'), uiPort: false, dynamicConfig: { [TIMER_SHIFT.key]: TIMER_SHIFT.value } });
  const pids = (): Record<string, number> => ({
    ...Object.fromEntries(Object.entries(cluster.services).map(([name, p]) => [name, p.pid ?? -1])),
    postgres: cluster.postgres.process.pid ?? -1,
  });
  return { server: { address: cluster.address, pid: cluster.services.frontend.pid ?? -1, stop: () => cluster.stop() }, temporalPids: pids };
}

export async function startEnvironment(kind: TemporalKind = 'dev-server'): Promise<BenchEnvironment> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-bench-'));
  const { server, temporalPids } = await startTemporal(kind, tmp);
  const [pollbackBundle, handwrittenBundle, baselineBundle] = await Promise.all([
    bundle(tmp, 'pollback'),
    bundle(tmp, 'handwritten'),
    bundle(tmp, 'baseline'),
  ]);
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  const keyring = parseKeyring(TOKEN_KEYS);
  const gateway: FastifyInstance = await buildGateway({ client, keyring, rateLimit: { max: 0 } });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const gatewayUrl = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  const hooks = await webhookReceiver();

  const workerEnv = (taskQueue: string, downloadDir: string, urls: { simulatorUrl?: string; gatewayUrl?: string }): Record<string, string> => ({
    TEMPORAL_ADDRESS: server.address,
    POLLBACK_TASK_QUEUE: taskQueue,
    POLLBACK_TOKEN_KEYS: TOKEN_KEYS,
    POLLBACK_PUBLIC_URL: urls.gatewayUrl ?? gatewayUrl,
    POLLBACK_DOWNLOAD_DIR: downloadDir,
    POLLBACK_NOTIFY_ALLOWED_HOSTS: '127.0.0.1',
    POLLBACK_INPUT_ENV: 'HOOK_SECRET',
    HOOK_SECRET,
    SIMULATOR_URL: urls.simulatorUrl ?? sim.url,
    SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken,
    SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey,
  });

  return {
    tmp,
    kind,
    server,
    temporalPids,
    client,
    sim,
    gatewayUrl,
    keyring,
    webhook: { url: hooks.url, received: () => hooks.received() },
    async startPollbackWorker(opts = {}) {
      const taskQueue = opts.taskQueue ?? `bench-${randomUUID()}`;
      const downloadDir = opts.downloadDir ?? (await mkdtemp(path.join(tmp, 'downloads-')));
      const worker = await startWorker('pollback', opts.workflowBundle ?? pollbackBundle, workerEnv(taskQueue, downloadDir, opts));
      return { worker, taskQueue, downloadDir };
    },
    async startHandwrittenWorker(opts) {
      const taskQueue = `handwritten-${randomUUID()}`;
      const worker = await startWorker('handwritten', handwrittenBundle, {
        TEMPORAL_ADDRESS: server.address,
        POLLBACK_TASK_QUEUE: taskQueue,
        SIMULATOR_URL: opts.simulatorUrl,
        SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey,
        HANDWRITTEN_CALLBACK_URL: opts.callbackUrl,
        HANDWRITTEN_TOKEN_KEY,
        HANDWRITTEN_DOWNLOAD_DIR: await mkdtemp(path.join(tmp, 'handwritten-')),
        HOOK_SECRET,
      });
      return { worker, taskQueue };
    },
    startService(kind) {
      return startService(kind, {
        TEMPORAL_ADDRESS: server.address,
        SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken,
        SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey,
        POLLBACK_TOKEN_KEYS: TOKEN_KEYS,
        HANDWRITTEN_TOKEN_KEY,
      });
    },
    async startBaselineWorker() {
      const taskQueue = `baseline-${randomUUID()}`;
      const worker = await startWorker('baseline', baselineBundle, { TEMPORAL_ADDRESS: server.address, POLLBACK_TASK_QUEUE: taskQueue });
      return { worker, taskQueue };
    },
    async close() {
      await gateway.close();
      hooks.server.closeAllConnections();
      await new Promise<void>((resolve) => hooks.server.close(() => resolve()));
      await sim.close();
      await client.connection.close();
      await server.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
