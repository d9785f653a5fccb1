// `npm run gateway`: the gateway as a process. Starts even while Temporal is down (the
// connection is lazy: /healthz answers, /readyz says not ready, callbacks get 503 + Retry-After),
// and drains on SIGTERM/SIGINT: no new connections, in-flight requests finish.
import { Client, Connection } from '@temporalio/client';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, loadConfig, loadGatewayConfig } from '../config';
import { connectConfig } from '../temporal/connection';
import { buildGateway } from './app';
import { loadWebhookSources } from './webhooks/sources';

/** Longest a drain may take before the process exits anyway. */
const DRAIN_TIMEOUT_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = loadGatewayConfig();
  if (!config.keyring) throw new ConfigError('POLLBACK_TOKEN_KEYS: required by the gateway, which verifies task tokens');
  const webhookSources = gateway.webhookSourcesFile ? await loadWebhookSources(gateway.webhookSourcesFile, process.env) : new Map();
  const { connectionOptions, namespace } = connectConfig();
  const connection = Connection.lazy(connectionOptions);
  const client = new Client({ connection, namespace });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pollback_gateway_' });

  const app = await buildGateway({
    client,
    keyring: config.keyring,
    taskQueue: config.taskQueue,
    namespace,
    webUiUrl: config.webUiUrl,
    apiAuth: gateway.apiAuth === 'off' ? 'off' : { tokens: gateway.apiTokens },
    webhookSources,
    resultRoot: config.downloadDir,
    rateLimit: { max: gateway.rateLimitPerMinute },
    bodyLimit: gateway.bodyLimit,
    registry,
    logger: true,
  });
  await app.listen({ host: gateway.host, port: gateway.port });
  if (gateway.apiAuth === 'off') app.log.warn('job API authentication is OFF (POLLBACK_API_AUTH=off): anyone who reaches this port can start and cancel jobs');
  app.log.info({ taskQueue: config.taskQueue, namespace, webhookSources: [...webhookSources.keys()] }, 'pollback gateway ready');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    const force = setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS);
    force.unref();
    void app
      .close()
      .then(() => connection.close())
      .then(() => process.exit(0), (err: unknown) => {
        app.log.error({ err }, 'error while draining');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
