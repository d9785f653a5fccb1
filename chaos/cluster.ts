// Everything the suite runs against, on loopback: a Temporal dev server on its own SQLite file,
// the simulator, the gateway and the workers as separate processes, and the notification
// receivers. Secrets are made up per run and listed, so the end of the run can look for them.
// With `--cluster` (startCluster's `scaled`), Temporal is a real cluster instead — PostgreSQL and
// four services as separate processes (dev/cluster/) — and Pollback runs scaled out: two workers
// and two gateways behind HAProxy, one shared download folder (dev/cluster/fleet.ts).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startPollbackFleet, type PollbackFleet } from '../dev/cluster/fleet';
import type { Supervised } from '../dev/cluster/supervised';
import { startTemporalCluster, type TemporalCluster } from '../dev/cluster/temporal-cluster';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { freePort, startDevServer, type DevServer } from '../src/temporal/dev-server';
import { parseKeyring, type Keyring } from '../src/tokens/task-token';
import { bundlePollbackWorkflows } from '../src/worker';
import { spawnTsx, type Proc } from './processes';
import { Receivers } from './receivers';

const secret = (bytes: number): string => randomBytes(bytes).toString('base64url');

export interface Secrets {
  simBearer: string;
  simApiKey: string;
  tokenKeys: string;
  apiToken: string;
  slackToken: string;
  webhookSecret: string;
}

export interface Cluster {
  dir: string;
  client: Client;
  keyring: Keyring;
  secrets: Secrets;
  simUrl: string;
  gatewayUrl: string;
  downloadDir: string;
  receivers: Receivers;
  /** Prefix of every workflow id of the run. */
  jobPrefix: string;
  /** The run's main task queue, served by a long-lived worker. */
  taskQueue: string;
  /** A worker process on `taskQueue` (its own queue when given). */
  spawnWorker(taskQueue?: string): Promise<Proc>;
  /** Log files of every worker and gateway process, for the secrets scan. */
  readonly logFiles: string[];
  /** The real cluster and the scaled-out Pollback, in a `--cluster` run. */
  scaled?: { temporal: TemporalCluster; fleet: PollbackFleet };
  killGateway(): Promise<void>;
  startGateway(): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  close(): Promise<void>;
}

/** The millisecond timers both kinds of Temporal run with here (production polls are seconds to minutes). */
const TIMER_SHIFT = { key: 'history.timerProcessorMaxTimeShift', value: '10ms' } as const;

export async function startCluster(dir: string, log: (line: string) => void, opts: { scaled?: boolean } = {}): Promise<Cluster> {
  if (opts.scaled) return startScaledCluster(dir, log);
  const cli = await ensureTemporalCli();
  const dbFile = path.join(dir, 'temporal.sqlite');
  const temporalPort = await freePort();
  // Millisecond timers: the suite's polls are sub-second (production intervals are seconds to minutes).
  const devServerOptions = { cli, dbFile, port: temporalPort, extraArgs: ['--dynamic-config-value', `${TIMER_SHIFT.key}="${TIMER_SHIFT.value}"`] };
  let temporal: DevServer | undefined = await startDevServer(devServerOptions);
  log(`temporal dev server at ${temporal.address} (${dbFile})`);
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });

  const { bundle, secrets, keyring, jobPrefix, receivers, simUrl, procs, track } = await commonParts(dir, log);
  const logFiles: string[] = [];

  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const downloadDir = path.join(dir, 'downloads');
  const taskQueue = `${jobPrefix}main`;
  const temporalEnv = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default', POLLBACK_TOKEN_KEYS: secrets.tokenKeys, POLLBACK_DOWNLOAD_DIR: downloadDir };

  let gateway: Proc | undefined;
  let gatewayRuns = 0;
  const startGateway = async (): Promise<void> => {
    const logFile = path.join(dir, `gateway-${++gatewayRuns}.log`);
    logFiles.push(logFile);
    gateway = track(await spawnTsx('gateway', 'src/gateway/main.ts', {
      env: {
        ...temporalEnv,
        PORT: String(gatewayPort),
        HOST: '127.0.0.1',
        POLLBACK_TASK_QUEUE: taskQueue,
        POLLBACK_API_TOKENS: secrets.apiToken,
        ...GATEWAY_ENV,
      },
      ready: /pollback gateway ready/,
      logFile,
    }));
  };
  await startGateway();
  log(`gateway at ${gatewayUrl}`);

  let workers = 0;
  const spawnWorker = async (queue = taskQueue): Promise<Proc> => {
    const logFile = path.join(dir, `worker-${++workers}.log`);
    logFiles.push(logFile);
    // The production entry point, given the suite's bundle so a replacement polls within seconds.
    return track(await spawnTsx(`worker ${workers}`, 'src/worker.ts', {
      env: { ...temporalEnv, ...workerEnv({ bundle, secrets, simUrl, receivers }), POLLBACK_TASK_QUEUE: queue, POLLBACK_PUBLIC_URL: gatewayUrl },
      ready: /pollback worker: task queue/,
      logFile,
    }));
  };
  track(await spawnWorker());

  return {
    dir,
    client,
    keyring,
    secrets,
    simUrl,
    gatewayUrl,
    downloadDir,
    receivers,
    jobPrefix,
    taskQueue,
    spawnWorker,
    logFiles,
    killGateway: async () => gateway?.kill9(),
    startGateway,
    stopTemporal: async () => {
      await temporal?.stop();
      temporal = undefined;
    },
    startTemporal: async () => {
      temporal = await startDevServer(devServerOptions);
    },
    async close() {
      await Promise.all([...procs].map((proc) => proc.stop()));
      await receivers.close();
      await client.connection.close().catch(() => undefined);
      await temporal?.stop();
    },
  };
}

const GATEWAY_ENV = { POLLBACK_RATE_LIMIT: '0', POLLBACK_BODY_LIMIT: String(16 * 1024), POLLBACK_REQUEST_TIMEOUT: '3000' };

/** What a worker needs besides Temporal, its task queue and its callback URL. */
function workerEnv(parts: { bundle: string; secrets: Secrets; simUrl: string; receivers: Receivers }): Record<string, string> {
  return {
    POLLBACK_WORKFLOW_BUNDLE: parts.bundle,
    SIMULATOR_URL: parts.simUrl,
    SIMULATOR_BEARER_TOKEN: parts.secrets.simBearer,
    SIMULATOR_API_KEY: parts.secrets.simApiKey,
    SLACK_API_URL: parts.receivers.slackApiUrl,
    SLACK_BOT_TOKEN: parts.secrets.slackToken,
    HOOK_SECRET: parts.secrets.webhookSecret,
    POLLBACK_NOTIFY_ALLOWED_HOSTS: '127.0.0.1',
    POLLBACK_ALLOW_INLINE_PROFILES: 'true',
    POLLBACK_INPUT_ENV: 'SLACK_BOT_TOKEN,HOOK_SECRET,SIMULATOR_URL,SIMULATOR_BEARER_TOKEN,SIMULATOR_API_KEY',
  };
}

/** The workflow bundle, the run's secrets, the receivers and the simulator: the same for both kinds of Temporal. */
async function commonParts(dir: string, log: (line: string) => void, jobIdAlternatives: readonly string[] = []) {
  const bundle = path.join(dir, 'workflow-bundle.js');
  await writeFile(bundle, await bundlePollbackWorkflows());
  const secrets: Secrets = {
    simBearer: `sim-bearer-${secret(18)}`,
    simApiKey: `sim-key-${secret(18)}`,
    tokenKeys: `ck1:${secret(32)},ck2:${secret(32)}`,
    apiToken: `api-${secret(24)}`,
    slackToken: `xoxb-${secret(24)}`,
    webhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
  };
  const keyring = parseKeyring(secrets.tokenKeys);
  const jobPrefix = `chaos-${secret(4).replace(/[^A-Za-z0-9]/g, 'x')}-`;
  // Jobs started through the job API have the gateway's ids (`job-…`): the receivers attribute those too.
  const jobIdPrefix = jobIdAlternatives.length ? `(?:${[jobPrefix, ...jobIdAlternatives].join('|')})` : jobPrefix;
  const receivers = await Receivers.start({ slackToken: secrets.slackToken, webhookSecret: secrets.webhookSecret, jobIdPrefix });
  const procs = new Set<Proc>();
  const track = (proc: Proc): Proc => {
    procs.add(proc);
    return proc;
  };
  const simPort = await freePort();
  const simUrl = `http://127.0.0.1:${simPort}`;
  const sim = track(await spawnTsx('simulator', 'dev/simulator/main.ts', {
    env: { SIMULATOR_PORT: String(simPort), SIMULATOR_BEARER_TOKEN: secrets.simBearer, SIMULATOR_API_KEY: secrets.simApiKey },
    ready: /simulator listening at/,
    logFile: path.join(dir, 'simulator.log'),
  }));
  log(`simulator at ${simUrl} (pid ${sim.pid})`);
  return { bundle, secrets, keyring, jobPrefix, receivers, simUrl, procs, track };
}

const asProc = (p: Supervised): Proc => ({ name: p.name, pid: p.pid ?? -1, kill9: () => p.kill9(), stop: () => p.stop() });

/** A real Temporal cluster on PostgreSQL and Pollback scaled out behind HAProxy. */
async function startScaledCluster(dir: string, log: (line: string) => void): Promise<Cluster> {
  const { bundle, secrets, keyring, jobPrefix, receivers, simUrl, procs } = await commonParts(dir, log, ['job-']);
  const temporal = await startTemporalCluster({ dir: path.join(dir, 'cluster'), uiPort: false, dynamicConfig: { [TIMER_SHIFT.key]: TIMER_SHIFT.value }, log: (line) => log(`  ${line}`) });
  log(`temporal cluster at ${temporal.address}: postgres pid ${temporal.postgres.process.pid}, ${Object.entries(temporal.services).map(([name, p]) => `${name} pid ${p.pid}`).join(', ')}`);
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const taskQueue = `${jobPrefix}main`;
  let fleet: PollbackFleet;
  try {
    fleet = await startPollbackFleet({
      temporal,
      dir,
      workers: 2,
      gateways: 2,
      taskQueue,
      tokenKeys: secrets.tokenKeys,
      apiToken: secrets.apiToken,
      workerEnv: workerEnv({ bundle, secrets, simUrl, receivers }),
      gatewayEnv: GATEWAY_ENV,
      rateLimit: GATEWAY_ENV.POLLBACK_RATE_LIMIT,
      log: (line) => log(`  ${line}`),
    });
  } catch (err) {
    await temporal.stop();
    throw err;
  }
  log(`pollback: ${fleet.workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')}; ${fleet.gateways.map((g) => `${g.name} pid ${g.pid}`).join(', ')}; HAProxy at ${fleet.url}`);
  const victim = fleet.gateways[0];
  return {
    dir,
    client,
    keyring,
    secrets,
    simUrl,
    gatewayUrl: fleet.url,
    downloadDir: fleet.downloadDir,
    receivers,
    jobPrefix,
    taskQueue,
    scaled: { temporal, fleet },
    spawnWorker: async (queue = taskQueue) => asProc(await fleet.addWorker(queue)),
    get logFiles() {
      return fleet.logFiles();
    },
    killGateway: async () => victim?.kill9(),
    startGateway: async () => victim?.start(),
    // The whole of Temporal at once: every service stopped, then started again on the same database.
    stopTemporal: async () => {
      await Promise.all(Object.values(temporal.services).map((service) => service.stop()));
    },
    startTemporal: async () => {
      await Promise.all(Object.values(temporal.services).map((service) => service.start()));
      await temporal.healthy();
    },
    async close() {
      await Promise.all([...procs].map((proc) => proc.stop()));
      await fleet.stop();
      await receivers.close();
      await client.connection.close().catch(() => undefined);
      await temporal.stop();
    },
  };
}
