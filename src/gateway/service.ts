// The gateway as a long-running service, built from the validated config: used by
// `npm run gateway` on its own and by `npm start` beside a worker.
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, type Config, type GatewayConfig } from '../config';
import { connectConfig } from '../temporal/connection';
import { logger } from '../telemetry/logger';
import { tracingClientInterceptors } from '../telemetry/tracing';
import { payloadCodecFor, pollbackDataConverter } from '../codec/data-converter';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../profiles/loader';
import { callbackSecretEnvs } from '../contract/profile/callback';
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
  // The same profiles as the workers: the gateway reads their callback sections.
  const profiles = await loadProfiles(config.profilesDir ? [BUILTIN_PROFILES_DIR, config.profilesDir] : [BUILTIN_PROFILES_DIR]);
  // Lazy: the gateway starts even while Temporal is down (/readyz says so, callbacks get 503 + Retry-After).
  const { connectionOptions, namespace } = connectConfig(env);
  const connection = Connection.lazy(connectionOptions);
  // Job input, callback outputs and schedule args go through this client: encrypted as the worker's.
  const client = new Client({ connection, namespace, dataConverter: pollbackDataConverter(config.payloadKeys), interceptors: { workflow: tracingClientInterceptors() } });
  const payloadCodec = payloadCodecFor(config.payloadKeys);
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
    profiles,
    env,
    resultRoot: config.downloadDir,
    s3: config.s3,
    rateLimit: { max: gateway.rateLimitPerMinute },
    bodyLimit: gateway.bodyLimit,
    requestTimeoutMs: gateway.requestTimeoutMs,
    ...(payloadCodec ? { codec: { codec: payloadCodec, corsOrigins: gateway.codecCorsOrigins } } : {}),
    registry,
    logger: logger(),
  });
  const url = await app.listen({ host: gateway.host, port: gateway.port });
  if (gateway.apiAuth === 'off') app.log.warn('job API authentication is OFF (POLLBACK_API_AUTH=off): anyone who reaches this port can start and cancel jobs');
  for (const profile of profiles.values()) {
    const missing = callbackSecretEnvs(profile.callback).filter((name) => !env[name]);
    if (missing.length) app.log.warn({ profile: profile.name, missing }, 'callbacks of this profile will be answered 500 CallbackNotConfigured until these variables are set on the gateway');
  }
  app.log.info({ taskQueue: config.taskQueue, namespace, payloadKey: config.payloadKeys?.activeKeyId ?? 'off', webhookSources: [...webhookSources.keys()], profiles: [...profiles.keys()] }, 'pollback gateway ready');
  return {
    app,
    url,
    close: async () => {
      await app.close();
      await connection.close();
    },
  };
}
