// A process's telemetry, set up once at its start: the structured logger (also the Temporal
// SDK's, where the process runs workers), which `logger()` hands out from then on, and, when an
// OTLP endpoint is configured, tracing.
import { Runtime } from '@temporalio/worker';
import { loadTelemetryConfig } from '../config';
import { createLogger, sdkLogger, setProcessLogger } from './logger';
import { startTracing } from './tracing';

export interface Telemetry {
  /** Exports the spans not yet sent; call it last, when the process is about to exit. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** The process runs Temporal workers: the SDK's runtime logs through the same logger. */
  workers: boolean;
}

export function startTelemetry(defaultServiceName: string, env: Readonly<Record<string, string | undefined>>, options: TelemetryOptions): Telemetry {
  const config = loadTelemetryConfig(defaultServiceName, env);
  const log = createLogger({ level: config.logLevel, serviceName: config.serviceName });
  setProcessLogger(log);
  // Before any worker or native connection exists: the runtime is created once, with its logger.
  if (options.workers) Runtime.install({ logger: sdkLogger(log) });
  const tracing = config.tracesUrl ? startTracing({ tracesUrl: config.tracesUrl, serviceName: config.serviceName }) : undefined;
  // Where spans go, without any credentials a URL could carry.
  const collector = config.tracesUrl ? new URL(config.tracesUrl) : undefined;
  log.info({ tracesUrl: collector ? `${collector.origin}${collector.pathname}` : null }, tracing ? 'tracing on: spans exported over OTLP' : 'tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)');
  return { shutdown: () => tracing?.shutdown() ?? Promise.resolve() };
}
