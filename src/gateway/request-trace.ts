// The gateway's requests as spans (Fastify's own OpenTelemetry plugin), when tracing is on: each
// request a server span continuing the caller's `traceparent`, its handler a child, so a job
// started through the API is one trace from this request on. The URL a span shows is redacted
// as request logs redact it: task tokens ride in callback paths and queries.
import FastifyOtelInstrumentation from '@fastify/otel';
import type { FastifyPluginCallback } from 'fastify';
import { tracingOn } from '../telemetry/tracing';
import { redactUrl } from './request-log';

/** Probes and scrapes, many a minute, belong to no job. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

let instrumentation: FastifyOtelInstrumentation | undefined;

/** The plugin to register before any route, or undefined when tracing is off. */
export function requestTracing(): FastifyPluginCallback | undefined {
  if (!tracingOn()) return undefined;
  instrumentation ??= new FastifyOtelInstrumentation({
    instrumentHooks: false,
    ignorePaths: ({ url }) => UNTRACED.has(url),
    requestHook: (span, request) => span.setAttribute('url.path', redactUrl(request.url)),
  });
  return instrumentation.plugin();
}
