// A Temporal cluster on this machine, the way it runs in production: PostgreSQL for persistence
// and visibility, and the four services — frontend, history, matching, worker — as separate
// `temporal-server` processes, each with its own log, configured exactly as the
// temporalio/server image of docker-compose.yml configures itself: the server's embedded config
// template, fed by deploy/temporal/server.env plus where PostgreSQL is and which ports to use.
// The schema steps (deploy/temporal/setup-postgres.sh), the namespace and search attributes
// (deploy/temporal/register-search-attributes.sh) and the dynamic config
// (deploy/temporal/dynamicconfig/pollback.yaml) are the compose stack's own files too.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { searchAttributeRegistrations } from '../../src/contract/names';
import { ensureTemporalCli } from '../temporal-cli';
import { freePort, waitForNamespace } from '../../src/temporal/dev-server';
import { lowFreePort } from './ports';
import { Postgres, POSTGRES_USER } from './postgres';
import { Supervised, tcpOpen } from './supervised';
import { ensureClusterPackages, ensureServerTools, type ClusterPackages, type ServerTools } from './tools';

const DEPLOY = path.resolve(__dirname, '../../deploy/temporal');
export const SERVER_ENV_FILE = path.join(DEPLOY, 'server.env');
export const DYNAMIC_CONFIG_FILE = path.join(DEPLOY, 'dynamicconfig/pollback.yaml');

/** The four services, in the order they are started. */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface TemporalClusterOptions {
  /** The cluster's folder: PostgreSQL's data, logs/, the generated dynamic config. */
  dir: string;
  /** The frontend's gRPC port; a free one when unset. */
  frontendPort?: number;
  /** The Web UI's port; a free one when unset; `false`: no UI. */
  uiPort?: number | false;
  /** The Web UI decodes payloads through this codec endpoint (the gateway's /codec/<token>, with payload encryption on). */
  uiCodecEndpoint?: string;
  namespace?: string;
  /** Dynamic config values on top of pollback.yaml (the suites' millisecond timers). */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  log?: (line: string) => void;
}

export interface TemporalCluster {
  /** host:port of the frontend, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  uiUrl?: string | undefined;
  postgres: Postgres;
  services: Record<TemporalService, Supervised>;
  ui?: Supervised | undefined;
  logsDir: string;
  tools: ServerTools;
  packages: ClusterPackages;
  /** Resolves once the frontend answers and the namespace exists (after a restart of anything). */
  healthy(timeoutMs?: number): Promise<void>;
  /** Every process, UI first and PostgreSQL last. */
  stop(): Promise<void>;
}

/** deploy/temporal/server.env: `NAME=value` lines, `#` comments. */
export async function readServerEnv(file = SERVER_ENV_FILE): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [i, raw] of (await readFile(file, 'utf8')).split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) throw new Error(`${file}:${i + 1}: not NAME=value: ${line}`);
    env[match[1]] = match[2];
  }
  return env;
}

async function dynamicConfigFile(dir: string, extra: TemporalClusterOptions['dynamicConfig']): Promise<string> {
  if (!extra || Object.keys(extra).length === 0) return DYNAMIC_CONFIG_FILE;
  const lines = Object.entries(extra).map(([key, value]) => `${key}:\n  - value: ${JSON.stringify(value)}\n    constraints: {}\n`);
  const file = path.join(dir, 'dynamicconfig.yaml');
  await writeFile(file, `${await readFile(DYNAMIC_CONFIG_FILE, 'utf8')}\n# added for this run\n${lines.join('')}`);
  return file;
}

/** Runs one of deploy/temporal's scripts as the compose stack's one-shots run it. */
async function deployScript(script: string, args: readonly string[], env: Record<string, string>, logFile: string): Promise<void> {
  const result = await promisify(execFile)('sh', [path.join(DEPLOY, script), ...args], { env, maxBuffer: 16 << 20 }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`deploy/temporal/${script} failed (log: ${logFile}):\n${(err.stderr ?? err.message).trim().split('\n').slice(-10).join('\n')}`);
  });
  await writeFile(logFile, `${result.stdout}${result.stderr}`, { flag: 'a' });
}

export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const log = opts.log ?? (() => undefined);
  const namespace = opts.namespace ?? 'default';
  const logsDir = path.join(opts.dir, 'logs');
  await mkdir(logsDir, { recursive: true });
  const [tools, packages, cli] = await Promise.all([ensureServerTools(log), ensureClusterPackages(log), ensureTemporalCli()]);

  const pgPort = await freePort();
  const postgres = new Postgres({ pgBin: packages.pgBin, dir: opts.dir, port: pgPort });
  const ports = {
    FRONTEND_GRPC_PORT: opts.frontendPort ?? (await lowFreePort()),
    FRONTEND_HTTP_PORT: await lowFreePort(),
    FRONTEND_MEMBERSHIP_PORT: await lowFreePort(),
    HISTORY_GRPC_PORT: await lowFreePort(),
    HISTORY_MEMBERSHIP_PORT: await lowFreePort(),
    MATCHING_GRPC_PORT: await lowFreePort(),
    MATCHING_MEMBERSHIP_PORT: await lowFreePort(),
    WORKER_GRPC_PORT: await lowFreePort(),
    WORKER_MEMBERSHIP_PORT: await lowFreePort(),
  };
  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const stopAll: (() => Promise<void>)[] = [() => postgres.close()];
  const stop = async (): Promise<void> => {
    for (const step of stopAll.reverse().splice(0)) await step().catch(() => undefined);
  };

  try {
    log(`PostgreSQL ${path.basename(path.dirname(packages.pgBin))} on 127.0.0.1:${pgPort}, data in ${postgres.dataDir}`);
    await postgres.start();
    const password = await postgres.password;
    const basePath = process.env.PATH ?? '';
    log('schemas: deploy/temporal/setup-postgres.sh (temporal, temporal_visibility)');
    await deployScript('setup-postgres.sh', [], {
      PATH: `${path.dirname(tools.sqlTool)}:${basePath}`,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(pgPort),
      POSTGRES_USER,
      SQL_PASSWORD: password,
      SCHEMA_ROOT: tools.schemaRoot,
    }, path.join(logsDir, 'setup-postgres.log'));

    const serverEnv: Record<string, string> = {
      PATH: basePath,
      ...(await readServerEnv()),
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(pgPort),
      POSTGRES_USER,
      POSTGRES_PWD: password,
      BIND_ON_IP: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: await dynamicConfigFile(opts.dir, opts.dynamicConfig),
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    };
    const grpcPort: Record<TemporalService, number> = {
      frontend: ports.FRONTEND_GRPC_PORT,
      history: ports.HISTORY_GRPC_PORT,
      matching: ports.MATCHING_GRPC_PORT,
      worker: ports.WORKER_GRPC_PORT,
    };
    const services = Object.fromEntries(TEMPORAL_SERVICES.map((service) => [service, new Supervised({
      name: service,
      command: tools.temporalServer,
      args: ['start'],
      // The image's entrypoint runs `temporal-server start`; TEMPORAL_SERVICES picks the service.
      env: { ...serverEnv, TEMPORAL_SERVICES: service },
      cwd: opts.dir,
      logFile: path.join(logsDir, `${service}.log`),
      ready: () => tcpOpen(grpcPort[service]),
      readyTimeoutMs: 90_000,
      stopTimeoutMs: 20_000,
    })])) as Record<TemporalService, Supervised>;
    stopAll.push(...TEMPORAL_SERVICES.map((service) => () => services[service].close()));
    log(`Temporal server ${path.basename(tools.dir).replace('temporal-server-', '')}: ${TEMPORAL_SERVICES.join(', ')} as separate processes, logs in ${logsDir}`);
    // One after the other: on a fresh database the first one writes the cluster metadata, and
    // services racing to do it fail at start ("failed to initialize current cluster metadata").
    for (const service of TEMPORAL_SERVICES) await services[service].start();

    // A service that dies after opening its port (bad config, database trouble) ends the wait.
    const dead = (): string | undefined => {
      const gone = TEMPORAL_SERVICES.find((service) => !services[service].running);
      return gone && `the ${gone} service exited (log: ${services[gone].spec.logFile})`;
    };
    const healthy = async (timeoutMs = 120_000): Promise<void> => waitForNamespace(address, namespace, { timeoutMs, dead });
    await waitForNamespace(address, 'temporal-system', { timeoutMs: 120_000, dead });
    log(`namespace ${namespace} and search attributes: deploy/temporal/register-search-attributes.sh`);
    await deployScript('register-search-attributes.sh', searchAttributeRegistrations, {
      PATH: `${path.dirname(cli)}:${basePath}`,
      HOME: process.env.HOME ?? opts.dir,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      INIT_SLEEP_SECONDS: '1',
    }, path.join(logsDir, 'register-search-attributes.log'));
    await healthy();

    let ui: Supervised | undefined;
    let uiUrl: string | undefined;
    if (opts.uiPort !== false) {
      const uiPort = opts.uiPort ?? (await freePort());
      uiUrl = `http://127.0.0.1:${uiPort}`;
      ui = new Supervised({
        name: 'ui',
        command: tools.uiServer,
        // The UI's own env-driven config (its container image's docker.yaml).
        args: ['--root', tools.uiRoot, '--config', 'ui-config', '--env', 'docker', 'start'],
        env: {
          PATH: basePath, TEMPORAL_ADDRESS: address, TEMPORAL_UI_PORT: String(uiPort), TEMPORAL_DEFAULT_NAMESPACE: namespace, TEMPORAL_CORS_ORIGINS: uiUrl,
          ...(opts.uiCodecEndpoint ? { TEMPORAL_CODEC_ENDPOINT: opts.uiCodecEndpoint } : {}),
        },
        logFile: path.join(logsDir, 'ui.log'),
        ready: async () => (await fetch(`${uiUrl}/healthz`).catch(() => undefined))?.ok === true,
      });
      const started = ui;
      stopAll.push(() => started.close());
      await ui.start();
    }
    return { address, namespace, uiUrl, postgres, services, ui, logsDir, tools, packages, healthy, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
