// `npm start`: the long-running service, a worker and the gateway in one process. With
// TEMPORAL_ADDRESS unset it starts the embedded default — a Temporal dev server with its Web UI,
// state in a SQLite file under POLLBACK_DATA_DIR so it survives restarts; otherwise it connects
// with the standard Temporal environment configuration (Cloud, self-hosted, TLS, API keys).
// SIGTERM/SIGINT drain the gateway and the worker, then stop the embedded server.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, loadEmbeddedConfig, loadGatewayConfig } from './config';
import { startGatewayService } from './gateway/service';
import { startTelemetry } from './telemetry';
import { logger } from './telemetry/logger';
import { temporalCli } from './temporal/cli';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { startWorkerService } from './worker';

type Env = Record<string, string | undefined>;

/** A secret generated once beside the embedded server's data, so it survives restarts. */
async function secretFile(file: string, generate: () => string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const secret = generate();
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

const newKey = (): string => randomBytes(32).toString('base64url');

async function embeddedTemporal(env: Env): Promise<DevServer> {
  const { dataDir, port, uiPort } = loadEmbeddedConfig(env);
  // The payload keys are checked before anything starts: a bad one stops us here.
  const { payloadKeys } = loadConfig(env);
  await mkdir(dataDir, { recursive: true });
  if (env.POLLBACK_API_AUTH !== 'off' && !env.POLLBACK_API_TOKENS) {
    // Zero configuration on one machine, yet the job API is never open: a token generated once
    // and printed, as a notebook server prints its login token. A real cluster
    // (TEMPORAL_ADDRESS set) still requires POLLBACK_API_TOKENS.
    const file = path.join(dataDir, 'api-token');
    env.POLLBACK_API_TOKENS = await secretFile(file, newKey);
    // Said to the person at the terminal, not logged: a credential has no place in a log line.
    process.stdout.write(`pollback: job API token (generated once, kept in ${file}; set POLLBACK_API_TOKENS to choose your own):\n  ${env.POLLBACK_API_TOKENS}\n`);
  }
  const uiOrigins = `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`;
  // With payloads encrypted, the embedded Web UI decodes them through the gateway's codec
  // endpoint. This UI has no login and sends no Authorization: the endpoint it is given carries
  // the API token in its path (anyone who can open this UI could read the jobs anyway).
  const apiToken = env.POLLBACK_API_AUTH === 'off' ? undefined : env.POLLBACK_API_TOKENS?.split(',')[0]?.trim();
  const uiCodecEndpoint = payloadKeys ? `http://127.0.0.1:${env.PORT ?? 8080}/codec${apiToken ? `/${apiToken}` : ''}` : undefined;
  const server = await startDevServer({
    cli: temporalCli(env), dbFile: path.join(dataDir, 'temporal.sqlite'), port, uiPort, headless: false, ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
  });
  env.TEMPORAL_ADDRESS = server.address;
  env.POLLBACK_WEB_UI_URL ??= server.uiUrl;
  env.POLLBACK_CODEC_CORS_ORIGINS ??= uiOrigins;
  env.POLLBACK_TOKEN_KEYS ??= await secretFile(path.join(dataDir, 'dev-token-key'), () => `dev:${newKey()}`);
  env.POLLBACK_PUBLIC_URL ??= `http://127.0.0.1:${env.PORT ?? 8080}`;
  logger().info({ temporalAddress: server.address, webUiUrl: server.uiUrl, dataDir, webUiDecodes: uiCodecEndpoint !== undefined }, `pollback: embedded Temporal dev server at ${server.address}, Web UI ${server.uiUrl ?? ''}${uiCodecEndpoint ? ' (decoding payloads through the gateway\'s /codec)' : ''}, data in ${dataDir}`);
  return server;
}

async function main(): Promise<void> {
  const env: Env = { ...process.env };
  const telemetry = startTelemetry('pollback', env, { workers: true });
  const devServer = env.TEMPORAL_ADDRESS ? undefined : await embeddedTemporal(env);
  // Validate everything before starting anything that would need draining.
  const config = loadConfig(env);
  const gatewayConfig = loadGatewayConfig(env);
  const worker = await startWorkerService(config, env);
  const gateway = await startGatewayService(config, gatewayConfig, env);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal }, `pollback: ${signal}, draining`);
    setTimeout(() => process.exit(1), 30_000).unref();
    // The SDK runtime may already be shutting the worker down on the same signal.
    worker.shutdown();
    void Promise.all([gateway.close(), worker.done])
      .then(() => devServer?.stop())
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger().error({ err }, 'pollback: error while draining');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  logger().fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
