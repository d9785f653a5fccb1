// The one config module: every environment variable Pollback reads is declared and validated
// here, and a bad value stops start-up with a message naming the variable.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './contract/names';
import type { S3Settings } from './storage/s3';
import type { EmailSettings } from './notify/email';
import { parseKeyring, type Keyring } from './tokens/task-token';
import { parsePayloadKeys, PayloadKeyError, type PayloadKeyring } from './codec/keys';

const list = (value: string): string[] => value.split(',').map((item) => item.trim()).filter(Boolean);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment against a schema; the first problem is reported by variable name. */
function parseEnv<T extends z.ZodType>(schema: T, env: Readonly<Record<string, string | undefined>>): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const envSchema = z.object({
  POLLBACK_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  /** Extra folder of API profiles (YAML/JSON), loaded after the built-in ones. */
  POLLBACK_PROFILES_DIR: z.string().min(1).optional(),
  /** `kid:secret[,kid:secret…]`; the first (or POLLBACK_TOKEN_ACTIVE_KEY) signs, all verify. */
  POLLBACK_TOKEN_KEYS: z.string().min(1).optional(),
  POLLBACK_TOKEN_ACTIVE_KEY: z.string().min(1).optional(),
  /** Base URL at which remote systems reach the gateway, for callback URLs. */
  POLLBACK_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Root folder for downloaded results. */
  POLLBACK_DOWNLOAD_DIR: z.string().min(1).default('downloads'),
  /** Slack Web API base URL: point it at a Slack-compatible server to test. */
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/'),
  /** Temporal Web UI, for links in notifications and API answers. */
  POLLBACK_WEB_UI_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:8233'),
  /** Comma-separated hosts webhook notifications may go to; `*` allows any. Unset: none. */
  POLLBACK_NOTIFY_ALLOWED_HOSTS: z.string().default(''),
  /** Comma-separated buckets results may be uploaded to (`download.to: s3://…`); `*` allows any. Unset: none. */
  POLLBACK_S3_ALLOWED_BUCKETS: z.string().default(''),
  /** `true` for S3-compatible servers that need path-style addressing (endpoint: AWS_ENDPOINT_URL_S3). */
  POLLBACK_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** SMTP server for email notifications: smtp://host:587 (STARTTLS when offered) or smtps://host:465. */
  POLLBACK_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  POLLBACK_SMTP_USER: z.string().min(1).optional(),
  POLLBACK_SMTP_PASSWORD: z.string().min(1).optional(),
  /** The sender of email notifications, e.g. `Pollback <pollback@example.com>`. */
  POLLBACK_EMAIL_FROM: z.string().min(3).optional(),
  /** Comma-separated recipient domains email notifications may go to; `*` allows any. Unset: none. */
  POLLBACK_EMAIL_ALLOWED_DOMAINS: z.string().default(''),
  /** `true` lets job input carry a whole profile (and so choose hosts and headers). */
  POLLBACK_ALLOW_INLINE_PROFILES: z.enum(['true', 'false']).default('false'),
  /** Comma-separated environment variables job input may name (inline profiles, notification tokens). */
  POLLBACK_INPUT_ENV: z.string().default('SLACK_BOT_TOKEN'),
  /** A workflow bundle built ahead (bundlePollbackWorkflows in src/worker.ts): the worker starts without bundling. */
  POLLBACK_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /** How many worker processes serve this deployment: each takes its share of every profile's `limits`. */
  POLLBACK_WORKER_PROCESSES: z.coerce.number().int().min(1).max(1000).default(1),
  /** `id:base64key[,id:base64key…]` (32-byte AES keys): set, payloads are encrypted; all keys decrypt. */
  POLLBACK_PAYLOAD_KEYS: z.string().min(1).optional(),
  /** Key id that encrypts new payloads; default the first key. */
  POLLBACK_PAYLOAD_KEY_ACTIVE: z.string().min(1).optional(),
});

export interface Config {
  taskQueue: string;
  profilesDir?: string;
  keyring?: Keyring;
  publicUrl?: string;
  downloadDir: string;
  slackApiUrl: string;
  webUiUrl: string;
  notifyAllowedHosts: string[];
  allowInlineProfiles: boolean;
  inputEnv: Set<string>;
  workflowBundlePath?: string;
  /** Worker processes sharing each profile's limits (POLLBACK_WORKER_PROCESSES). */
  workerProcesses: number;
  email?: EmailSettings;
  s3: S3Settings;
  /** Payload encryption keys (POLLBACK_PAYLOAD_KEYS); unset, payloads are stored in clear. */
  payloadKeys?: PayloadKeyring;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const e = parseEnv(envSchema, env);
  let keyring: Keyring | undefined;
  if (e.POLLBACK_TOKEN_KEYS) {
    try {
      keyring = parseKeyring(e.POLLBACK_TOKEN_KEYS, e.POLLBACK_TOKEN_ACTIVE_KEY);
    } catch (err) {
      throw new ConfigError(`POLLBACK_TOKEN_KEYS: ${(err as Error).message}`);
    }
  }
  let payloadKeys: PayloadKeyring | undefined;
  if (e.POLLBACK_PAYLOAD_KEYS) {
    try {
      payloadKeys = parsePayloadKeys(e.POLLBACK_PAYLOAD_KEYS, e.POLLBACK_PAYLOAD_KEY_ACTIVE);
    } catch (err) {
      // The parser's messages name key ids and positions, never key material.
      const variable = err instanceof PayloadKeyError && err.setting === 'active' ? 'POLLBACK_PAYLOAD_KEY_ACTIVE' : 'POLLBACK_PAYLOAD_KEYS';
      throw new ConfigError(`${variable}: ${(err as Error).message}`);
    }
  } else if (e.POLLBACK_PAYLOAD_KEY_ACTIVE) {
    throw new ConfigError('POLLBACK_PAYLOAD_KEY_ACTIVE: set without POLLBACK_PAYLOAD_KEYS (no keys to choose from)');
  }
  if (e.POLLBACK_SMTP_URL && !e.POLLBACK_EMAIL_FROM) throw new ConfigError('POLLBACK_EMAIL_FROM: required with POLLBACK_SMTP_URL (the sender of email notifications)');
  if (e.POLLBACK_SMTP_PASSWORD && !e.POLLBACK_SMTP_USER) throw new ConfigError('POLLBACK_SMTP_USER: required with POLLBACK_SMTP_PASSWORD');
  const email: EmailSettings | undefined =
    e.POLLBACK_SMTP_URL && e.POLLBACK_EMAIL_FROM
      ? {
          smtpUrl: e.POLLBACK_SMTP_URL,
          from: e.POLLBACK_EMAIL_FROM,
          allowedDomains: list(e.POLLBACK_EMAIL_ALLOWED_DOMAINS),
          ...(e.POLLBACK_SMTP_USER ? { user: e.POLLBACK_SMTP_USER } : {}),
          ...(e.POLLBACK_SMTP_PASSWORD ? { password: e.POLLBACK_SMTP_PASSWORD } : {}),
        }
      : undefined;
  return {
    taskQueue: e.POLLBACK_TASK_QUEUE,
    workerProcesses: e.POLLBACK_WORKER_PROCESSES,
    ...(email ? { email } : {}),
    s3: { allowedBuckets: list(e.POLLBACK_S3_ALLOWED_BUCKETS), forcePathStyle: e.POLLBACK_S3_FORCE_PATH_STYLE === 'true' },
    downloadDir: path.resolve(e.POLLBACK_DOWNLOAD_DIR),
    slackApiUrl: e.SLACK_API_URL,
    webUiUrl: e.POLLBACK_WEB_UI_URL,
    notifyAllowedHosts: list(e.POLLBACK_NOTIFY_ALLOWED_HOSTS),
    allowInlineProfiles: e.POLLBACK_ALLOW_INLINE_PROFILES === 'true',
    inputEnv: new Set(list(e.POLLBACK_INPUT_ENV)),
    ...(e.POLLBACK_PROFILES_DIR ? { profilesDir: e.POLLBACK_PROFILES_DIR } : {}),
    ...(e.POLLBACK_WORKFLOW_BUNDLE ? { workflowBundlePath: path.resolve(e.POLLBACK_WORKFLOW_BUNDLE) } : {}),
    ...(keyring ? { keyring } : {}),
    ...(payloadKeys ? { payloadKeys } : {}),
    ...(e.POLLBACK_PUBLIC_URL ? { publicUrl: e.POLLBACK_PUBLIC_URL } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Gateway settings (src/gateway/main.ts). A separate loader, so the worker never needs them.

/** The Web UI of `temporal server start-dev` (and of npm start's embedded server). */
export const DEFAULT_CODEC_CORS_ORIGINS = 'http://localhost:8233,http://127.0.0.1:8233';

/** `https://ui.example.com:8443` exactly as a browser sends it in Origin: no path, no trailing slash. */
function parseOrigins(value: string): string[] {
  return list(value).map((origin) => {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      // reported below
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      throw new ConfigError(`POLLBACK_CODEC_CORS_ORIGINS: "${origin}" is not an origin like http://localhost:8233 (scheme, host, port; no path)`);
    }
    return origin;
  });
}

const gatewayEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Bearer tokens accepted by the job API, comma-separated (each at least 16 characters). */
  POLLBACK_API_TOKENS: z.string().min(1).optional(),
  /** `off` turns job-API auth off (the demo); on without tokens refuses to start. */
  POLLBACK_API_AUTH: z.enum(['on', 'off']).default('on'),
  /** YAML/JSON file describing the webhook sources (`POST /v1/webhooks/:source`). */
  POLLBACK_WEBHOOK_SOURCES: z.string().min(1).optional(),
  /** Requests per minute per client IP; 0 turns the limit off. */
  POLLBACK_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  /** Largest request body, bytes. */
  POLLBACK_BODY_LIMIT: z.coerce.number().int().min(1_024).default(256 * 1024),
  /** Longest a client may take to send a whole request, ms (slow-drip bodies are cut off with 408). */
  POLLBACK_REQUEST_TIMEOUT: z.coerce.number().int().min(1_000).default(30_000),
  /** Origins (scheme://host:port) whose pages may call the codec endpoint: the Temporal Web UI's. */
  POLLBACK_CODEC_CORS_ORIGINS: z.string().default(DEFAULT_CODEC_CORS_ORIGINS),
});

export interface GatewayConfig {
  port: number;
  host: string;
  /** Empty when auth is off. */
  apiTokens: string[];
  apiAuth: 'on' | 'off';
  webhookSourcesFile?: string;
  rateLimitPerMinute: number;
  bodyLimit: number;
  requestTimeoutMs: number;
  /** Origins whose pages may call the codec endpoint (CORS). */
  codecCorsOrigins: string[];
}

export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>> = process.env): GatewayConfig {
  const e = parseEnv(gatewayEnvSchema, env);
  const apiTokens = (e.POLLBACK_API_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (apiTokens.some((t) => t.length < 16)) throw new ConfigError('POLLBACK_API_TOKENS: each token must be at least 16 characters');
  // Secure by default: a job API without tokens is only allowed when someone said so.
  if (e.POLLBACK_API_AUTH === 'on' && apiTokens.length === 0) {
    throw new ConfigError('POLLBACK_API_TOKENS: required unless POLLBACK_API_AUTH=off (the job API would be open)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    apiTokens: e.POLLBACK_API_AUTH === 'on' ? apiTokens : [],
    apiAuth: e.POLLBACK_API_AUTH,
    rateLimitPerMinute: e.POLLBACK_RATE_LIMIT,
    bodyLimit: e.POLLBACK_BODY_LIMIT,
    requestTimeoutMs: e.POLLBACK_REQUEST_TIMEOUT,
    codecCorsOrigins: parseOrigins(e.POLLBACK_CODEC_CORS_ORIGINS),
    ...(e.POLLBACK_WEBHOOK_SOURCES ? { webhookSourcesFile: e.POLLBACK_WEBHOOK_SOURCES } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Telemetry of every process (src/telemetry/): the log level, and tracing, which is on only when
// an OTLP endpoint is named (the standard OpenTelemetry variables, so any collector's usual
// settings work).

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const telemetryEnvSchema = z.object({
  POLLBACK_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** OTLP/HTTP base URL of a collector; traces go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The full OTLP/HTTP traces URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export interface TelemetryConfig {
  logLevel: LogLevel;
  /** The process's name in logs and traces. */
  serviceName: string;
  /** Where spans are exported (OTLP/HTTP, protobuf); absent: tracing off. */
  tracesUrl?: string;
}

/** `defaultServiceName` names the role (pollback-worker, pollback-gateway) unless OTEL_SERVICE_NAME does. */
export function loadTelemetryConfig(defaultServiceName: string, env: Readonly<Record<string, string | undefined>> = process.env): TelemetryConfig {
  const e = parseEnv(telemetryEnvSchema, env);
  // The spec's rule: the signal-specific URL is used as is, the generic one gets the signal's path.
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  return { logLevel: e.POLLBACK_LOG_LEVEL, serviceName: e.OTEL_SERVICE_NAME ?? defaultServiceName, ...(tracesUrl ? { tracesUrl } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The embedded Temporal dev server of `npm start` (used only when TEMPORAL_ADDRESS is unset).

const embeddedEnvSchema = z.object({
  /** Where the embedded server keeps its SQLite file and the dev signing key. */
  POLLBACK_DATA_DIR: z.string().min(1).default('.data'),
  POLLBACK_DEV_SERVER_PORT: z.coerce.number().int().min(1).max(65_535).default(7233),
  POLLBACK_DEV_UI_PORT: z.coerce.number().int().min(1).max(65_535).default(8233),
});

export interface EmbeddedConfig {
  dataDir: string;
  port: number;
  uiPort: number;
}

export function loadEmbeddedConfig(env: Readonly<Record<string, string | undefined>> = process.env): EmbeddedConfig {
  const e = parseEnv(embeddedEnvSchema, env);
  return { dataDir: path.resolve(e.POLLBACK_DATA_DIR), port: e.POLLBACK_DEV_SERVER_PORT, uiPort: e.POLLBACK_DEV_UI_PORT };
}
