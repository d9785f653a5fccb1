// `npm run cluster [-- --port 7233 --ui-port 8233 --workers N --gateways N]`: a Temporal
// cluster on this machine (PostgreSQL + frontend, history, matching and worker as separate
// processes, the Web UI), state kept in .data/cluster between runs. With --workers/--gateways,
// Pollback scaled out against it too: N workers and N gateways behind HAProxy, one download
// folder. Ctrl-C stops everything it started.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPollbackFleet, type PollbackFleet } from '../dev/cluster/fleet';
import { tcpOpen } from '../dev/cluster/supervised';
import { startTemporalCluster, TEMPORAL_SERVICES, type TemporalCluster } from '../dev/cluster/temporal-cluster';

const USAGE = 'npm run cluster -- [--port 7233] [--ui-port 8233] [--workers N --gateways N [--gateway-port 8080]] [--data-dir .data/cluster]';

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`--${name} must be a port number, got "${raw}"\n${USAGE}`);
  return value;
}

function count(name: string, raw: string | undefined): number {
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 16) throw new Error(`--${name} must be 1 to 16, got "${raw}"\n${USAGE}`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      workers: { type: 'string' },
      gateways: { type: 'string' },
      'gateway-port': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const frontendPort = port('port', values.port, 7233);
  const uiPort = port('ui-port', values['ui-port'], 8233);
  const gatewayPort = port('gateway-port', values['gateway-port'], 8080);
  const workers = count('workers', values.workers);
  const gateways = count('gateways', values.gateways);
  if ((workers === 0) !== (gateways === 0)) throw new Error(`--workers and --gateways go together\n${USAGE}`);
  const dir = path.resolve(values['data-dir'] ?? '.data/cluster');
  const wanted: [number, string][] = [[frontendPort, 'Temporal frontend; --port'], [uiPort, 'Web UI; --ui-port'], ...(workers ? [[gatewayPort, 'the load balancer; --gateway-port'] as [number, string]] : [])];
  const busy = [];
  for (const [p, what] of wanted) if (await tcpOpen(p)) busy.push(`${p} (${what} — is \`npm start\` or another cluster running?)`);
  if (busy.length) throw new Error(`port${busy.length > 1 ? 's' : ''} in use: ${busy.join(', ')}`);

  const say = (line: string): void => console.log(`cluster: ${line}`);
  let cluster: TemporalCluster | undefined;
  let fleet: PollbackFleet | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping everything it started`);
    void (async () => {
      await fleet?.stop();
      await cluster?.stop();
      say('stopped');
      process.exit(signal === 'error' ? 1 : 0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const startedAt = Date.now();
  try {
    // With payload encryption (POLLBACK_PAYLOAD_KEYS), UI_CODEC_ENDPOINT lets the Web UI decode, as in the compose stack.
    cluster = await startTemporalCluster({ dir, frontendPort, uiPort, ...(process.env.UI_CODEC_ENDPOINT ? { uiCodecEndpoint: process.env.UI_CODEC_ENDPOINT } : {}), log: say });
    // The operator's settings reach every worker and gateway; keys and tokens are made up when unset.
    if (workers) fleet = await startPollbackFleet({ temporal: cluster, dir, workers, gateways, port: gatewayPort, inheritEnv: true, tokenKeys: process.env.POLLBACK_TOKEN_KEYS, apiToken: process.env.POLLBACK_API_TOKENS, rateLimit: process.env.POLLBACK_RATE_LIMIT, log: say });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    stop('error');
    return;
  }
  const logs = [...TEMPORAL_SERVICES, 'postgres', 'ui'].map((n) => `${n}.log`).join(', ');
  console.log(`
ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s
  address     ${cluster.address}          (namespace ${cluster.namespace}; Pollback's search attributes registered)
  Web UI      ${cluster.uiUrl ?? '—'}
  PostgreSQL  127.0.0.1:${cluster.postgres.port}, data in ${path.relative(process.cwd(), cluster.postgres.dataDir)}
  logs        ${path.relative(process.cwd(), cluster.logsDir)}/ (${logs})
${fleet ? `  Pollback    ${fleet.url} (HAProxy) → ${fleet.gateways.length} gateways; ${fleet.workers.length} workers; downloads in ${path.relative(process.cwd(), fleet.downloadDir)}
              job API token${process.env.POLLBACK_API_TOKENS ? 's: POLLBACK_API_TOKENS' : `: ${fleet.apiToken}`}\n` : ''}
In another terminal:
  TEMPORAL_ADDRESS=${cluster.address} POLLBACK_WEB_UI_URL=${cluster.uiUrl ?? ''} npm run demo
  TEMPORAL_ADDRESS=${cluster.address} POLLBACK_TOKEN_KEYS=k1:$(openssl rand -hex 32) POLLBACK_PUBLIC_URL=http://127.0.0.1:8080 POLLBACK_API_AUTH=off npm start

Ctrl-C stops everything it started.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
