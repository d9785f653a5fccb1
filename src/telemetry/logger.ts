// The one structured logger of every Pollback process (worker, gateway, activities, workflows):
// pino, one JSON object a line, with levels; the job id and the trace id on every line that has
// them. The Temporal SDK's own logs (worker, activity `log`, workflow `log` through its sink) come
// here too, through the Runtime logger adapter below.
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level: LogLevel;
  /** Names the process on every line (`service`), as OTEL_SERVICE_NAME names it in traces. */
  serviceName: string;
  /** Where lines go: stdout unless given (tests capture them). */
  destination?: DestinationStream;
}

/**
 * Field names that hold credentials wherever they appear in what is logged: a belt to the braces
 * of the callers, which already log no secrets (request URLs are redacted, errors scrubbed).
 */
const SECRET_FIELDS = ['authorization', 'token', 'taskToken', 'apiKey', 'password', 'secret'];
const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.headers.${field}`]);

/** The active span's ids, so a line can be found from its trace and the other way round. */
function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: pino.LoggerOptions = {
    level: settings.level,
    base: { service: settings.serviceName, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Levels by name, not pino's numbers: what log shippers and people expect to read.
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

let processLogger: Logger | undefined;

/** The process's logger: the one telemetry installed, or a default one until then (tools, tests). */
export function logger(): Logger {
  processLogger ??= createLogger({ level: 'info', serviceName: 'pollback' });
  return processLogger;
}

export function setProcessLogger(log: Logger): void {
  processLogger = log;
}

/** The trace of each recent job this process worked on, for the SDK's lines about it (bounded: oldest forgotten first). */
const jobTraces = new Map<string, string>();
const MAX_JOB_TRACES = 10_000;

/** Called where a job's trace is known (an activity's span): the SDK's later lines about the job carry it. */
export function rememberJobTrace(jobId: string, traceId: string): void {
  jobTraces.delete(jobId);
  jobTraces.set(jobId, traceId);
  if (jobTraces.size > MAX_JOB_TRACES) jobTraces.delete(jobTraces.keys().next().value as string);
}

const SDK_LEVELS: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's Logger interface on top of pino, for `Runtime.install({ logger })`. The SDK
 * gives activity and workflow lines their workflowId: it is also written as `jobId`, the name
 * the gateway's lines and the job API use for the same thing. Lines logged inside a span carry
 * its trace id already (OpenTelemetry's interceptors add it); the SDK's own lines about a job
 * (activity started, failed, workflow completed) are logged outside any span, and get the
 * job's trace id when this process has seen it.
 */
export function sdkLogger(log: Logger): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta?: LogMetadata): void => {
    const workflowId: unknown = meta?.workflowId;
    const traceId = typeof workflowId === 'string' && meta?.trace_id === undefined ? jobTraces.get(workflowId) : undefined;
    log[SDK_LEVELS[level]]({ ...meta, ...(typeof workflowId === 'string' ? { jobId: workflowId } : {}), ...(traceId ? { trace_id: traceId } : {}) }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
