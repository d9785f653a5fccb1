// Pollback scaled out on one machine: N workers and N gateways, each its own process started as
// production starts it (`node --max-old-space-size=512 --import tsx src/worker.ts`, `node
// --import tsx src/gateway/main.ts`), the gateways behind HAProxy, every worker writing to one
// shared download folder that every gateway serves results from. No process needs another:
// a callback may reach any gateway, a job's next task any worker.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../src/temporal/dev-server';
import { balancer } from './balancer';
import { Supervised } from './supervised';
import { ensureClusterPackages } from './tools';

const ROOT = path.resolve(__dirname, '../..');

export interface FleetOptions {
  temporal: { address: string; namespace?: string; uiUrl?: string | undefined };
  /** Logs go to `<dir>/logs`, downloads to `<dir>/downloads` unless `downloadDir` says otherwise. */
  dir: string;
  workers: number;
  gateways: number;
  /** The balancer's port; a free one when unset. */
  port?: number;
  downloadDir?: string;
  taskQueue?: string;
  /** Task-token keys; made up for the fleet when unset. */
  tokenKeys?: string | undefined;
  apiToken?: string | undefined;
  /** Start from this process's environment (the operator's POLLBACK_* settings, profile secrets); otherwise only what is given here. */
  inheritEnv?: boolean;
  /** Extra environment for every worker (profiles' secrets, Slack URL, …). */
  workerEnv?: Readonly<Record<string, string>>;
  /** Extra environment for every gateway. */
  gatewayEnv?: Readonly<Record<string, string>>;
  /** The per-client rate limit, enforced by HAProxy (POLLBACK_RATE_LIMIT's meaning); the config's default (600) when unset. */
  rateLimit?: string | undefined;
  log?: (line: string) => void;
}

export interface PollbackFleet {
  /** The balancer: what remote systems call back and clients use. */
  url: string;
  balancer: Supervised;
  gateways: Supervised[];
  workers: Supervised[];
  downloadDir: string;
  taskQueue: string;
  tokenKeys: string;
  apiToken: string;
  /** One more worker (on another task queue when given), started and tracked. */
  addWorker(taskQueue?: string): Promise<Supervised>;
  /** Log files of every worker and gateway so far. */
  logFiles(): string[];
  stop(): Promise<void>;
}

export async function startPollbackFleet(opts: FleetOptions): Promise<PollbackFleet> {
  const logsDir = path.join(opts.dir, 'logs');
  const downloadDir = opts.downloadDir ?? path.join(opts.dir, 'downloads');
  await Promise.all([mkdir(logsDir, { recursive: true }), mkdir(downloadDir, { recursive: true })]);
  const { haproxy } = await ensureClusterPackages(opts.log);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const taskQueue = opts.taskQueue ?? 'pollback';
  const tokenKeys = opts.tokenKeys ?? `k1:${randomBytes(32).toString('base64url')}`;
  const apiToken = opts.apiToken ?? randomBytes(24).toString('base64url');
  const inherited = opts.inheritEnv ? Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)) : {};
  const shared = {
    ...inherited,
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? opts.dir,
    TEMPORAL_ADDRESS: opts.temporal.address,
    TEMPORAL_NAMESPACE: opts.temporal.namespace ?? 'default',
    POLLBACK_TASK_QUEUE: taskQueue,
    POLLBACK_TOKEN_KEYS: tokenKeys,
    POLLBACK_DOWNLOAD_DIR: downloadDir,
    ...(opts.temporal.uiUrl ? { POLLBACK_WEB_UI_URL: opts.temporal.uiUrl } : {}),
  };
  const all: Supervised[] = [];

  let workerCount = 0;
  const worker = (queue: string): Supervised => {
    const n = ++workerCount;
    return new Supervised({
      name: `worker ${n}`,
      command: process.execPath,
      args: ['--max-old-space-size=512', '--import', 'tsx', path.join(ROOT, 'src/worker.ts')],
      cwd: ROOT,
      env: { ...shared, POLLBACK_TASK_QUEUE: queue, POLLBACK_PUBLIC_URL: url, ...opts.workerEnv },
      logFile: path.join(logsDir, `pollback-worker-${n}.log`),
      ready: (output) => Promise.resolve(/pollback worker: task queue/.test(output)),
      readyTimeoutMs: 120_000,
      stopTimeoutMs: 30_000,
    });
  };
  const gatewayPorts = await Promise.all(Array.from({ length: opts.gateways }, () => freePort()));
  const gateways = gatewayPorts.map((gatewayPort, i) => new Supervised({
    name: `gateway ${i + 1}`,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'src/gateway/main.ts')],
    cwd: ROOT,
    // The balancer limits per client; behind it a gateway sees only HAProxy's address.
    env: { ...shared, HOST: '127.0.0.1', PORT: String(gatewayPort), POLLBACK_API_TOKENS: apiToken, POLLBACK_RATE_LIMIT: '0', ...opts.gatewayEnv },
    logFile: path.join(logsDir, `pollback-gateway-${i + 1}.log`),
    ready: async () => (await fetch(`http://127.0.0.1:${gatewayPort}/healthz`).catch(() => undefined))?.ok === true,
    stopTimeoutMs: 30_000,
  }));
  const workers = Array.from({ length: opts.workers }, () => worker(taskQueue));
  const lb = await balancer({ haproxy, port, gatewayPorts, dir: opts.dir, logFile: path.join(logsDir, 'haproxy.log'), rateLimit: opts.rateLimit });
  all.push(...gateways, ...workers, lb);

  const stop = async (): Promise<void> => {
    // The balancer first (no new requests), then gateways and workers drain side by side.
    await lb.close();
    await Promise.all(all.filter((p) => p !== lb).map((p) => p.close()));
  };
  try {
    opts.log?.(`Pollback: ${opts.workers} workers, ${opts.gateways} gateways behind HAProxy at ${url}, downloads in ${downloadDir}`);
    // Two at a time: each node process bundles or loads its code; more at once only thrashes 2 cores.
    const queue = [...gateways, ...workers];
    await Promise.all([0, 1].map(async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await next.start();
    }));
    await lb.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    balancer: lb,
    gateways,
    workers,
    downloadDir,
    taskQueue,
    tokenKeys,
    apiToken,
    async addWorker(queue = taskQueue) {
      const added = worker(queue);
      all.push(added);
      workers.push(added);
      await added.start();
      return added;
    },
    logFiles: () => all.filter((p) => p !== lb).map((p) => p.spec.logFile),
    stop,
  };
}
