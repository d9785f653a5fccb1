// The gateway as a long-running service, built from the validated config: used by
// `npm run gateway` on its own and by `npm start` beside a worker.
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, type Config, type GatewayConfig } from '../config';
import { connectConfig } from '../temporal/connection';
import { buildGateway } from './app';
import { loadWebhookSources } from './webhooks/sources';

export interface GatewayService {
  app: FastifyInstance;
  url: string;
  /** Drains: no new connections, in-flight requests finish, then the Temporal connection closes. */
  close(): Promise<void>;
}

export async function startGatewayService(config: Config, gateway: GatewayConfig, env: Readonly<Record<string, string | undefined>>): Promise<GatewayService> {
  if (!config.keyring) throw new ConfigError('POLLBACK_TOKEN_KEYS: required by the gateway, which verifies task tokens');
  const webhookSources = gateway.webhookSourcesFile ? await loadWebhookSources(gateway.webhookSourcesFile, env) : new Map();
  // Lazy: the gateway starts even while Temporal is down (/readyz says so, callbacks get 503 + Retry-After).
  const { connectionOptions, namespace } = connectConfig(env);
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
    s3: config.s3,
    rateLimit: { max: gateway.rateLimitPerMinute },
    bodyLimit: gateway.bodyLimit,
    requestTimeoutMs: gateway.requestTimeoutMs,
    registry,
    logger: true,
  });
  const url = await app.listen({ host: gateway.host, port: gateway.port });
  if (gateway.apiAuth === 'off') app.log.warn('job API authentication is OFF (POLLBACK_API_AUTH=off): anyone who reaches this port can start and cancel jobs');
  app.log.info({ taskQueue: config.taskQueue, namespace, webhookSources: [...webhookSources.keys()] }, 'pollback gateway ready');
  return {
    app,
    url,
    close: async () => {
      await app.close();
      await connection.close();
    },
  };
}
