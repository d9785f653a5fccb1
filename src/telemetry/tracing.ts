// OpenTelemetry tracing of a Pollback process, on only when an OTLP endpoint is configured: one
// trace per job, from the gateway's request through the workflow start (Temporal's client
// interceptor puts the context in the start's header), the workflow (its interceptors, bundled
// with the workflow code, hand their spans to the worker through the `exporter` sink), each
// activity (Temporal's activity interceptors) and each activity's outbound HTTP call (undici's
// diagnostics channels). Off, nothing is registered: no provider, no exporter, no
// instrumentation, no interceptor, and the worker runs a workflow bundle without them.
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { JobTraceMemoInterceptor } from './job-trace';
import { rememberJobTrace } from './logger';

export interface TracingSettings {
  /** OTLP/HTTP traces URL (protobuf). */
  tracesUrl: string;
  serviceName: string;
}

export interface Tracing {
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops tracing this process. */
  shutdown(): Promise<void>;
}

interface ActiveTracing {
  processor: SpanProcessor;
  resource: Resource;
}

/** Tracing is process-wide, as OpenTelemetry's provider is. */
let active: ActiveTracing | undefined;

/**
 * An outbound URL as a span may show it: the query left out, since it is where pre-signed
 * result URLs carry their signature and some APIs their key.
 */
export function spanSafeUrl(url: URL): { full: string; query: string } {
  const query = url.search ? '?[redacted]' : '';
  return { full: `${url.origin}${url.pathname}${query}`, query };
}

export function startTracing(settings: TracingSettings): Tracing {
  if (active) throw new Error('tracing is already started in this process');
  const resource = new Resource({ [ATTR_SERVICE_NAME]: settings.serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The async-local-storage context manager and W3C trace context propagation.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new UndiciInstrumentation({
        // Only calls made on behalf of a job (inside an activity's span); not, say, a health probe.
        requireParentforSpans: true,
        startSpanHook: (request) => {
          const url = spanSafeUrl(new URL(request.path, request.origin));
          return { 'url.full': url.full, 'url.query': url.query };
        },
      }),
    ],
  });
  active = { processor, resource };
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      unregister();
      active = undefined;
      await provider.shutdown();
    },
  };
}

export const tracingOn = (): boolean => active !== undefined;

/**
 * The workflow interceptors' sink: spans made inside workflows go to this process's exporter, or
 * nowhere when tracing is off (a bundle built with the interceptors, given to a worker that does
 * not trace, still calls it). The SDK's exporter copies the whole workflow info onto each span; it is given only
 * the fields that identify the run, not the memo or the last result, whose payloads a codec may
 * keep encrypted in Temporal and which have no place at a collector.
 */
export function workflowTracingSinks(): InjectedSinks<OpenTelemetrySinks> {
  if (!active) return { exporter: { export: { fn: () => undefined } } };
  const { export: sdkExport } = makeWorkflowExporter(active.processor, active.resource);
  return {
    exporter: {
      export: {
        ...sdkExport,
        fn: (info, spans) => {
          const { workflowId, runId, workflowType, taskQueue, namespace, attempt } = info;
          // Its fn only copies the given fields onto the spans: the rest of WorkflowInfo is not read.
          return sdkExport.fn({ workflowId, runId, workflowType, taskQueue, namespace, attempt } as WorkflowInfo, spans);
        },
      },
    },
  };
}

/** For Temporal clients: the start and signals carry the caller's trace; the start's is kept in the job's memo. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return active ? [new OpenTelemetryWorkflowClientInterceptor(), new JobTraceMemoInterceptor()] : [];
}

/** For workers: each activity a span under the workflow's, with the trace id in its logs and the SDK's lines about its job. */
export function tracingActivityInterceptors(): ActivityInterceptorsFactory[] {
  if (!active) return [];
  return [
    (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    // Inside the span the first one opened.
    (ctx) => ({
      inbound: {
        execute: (input, next) => {
          const job = ctx.info.workflowExecution?.workflowId;
          const span = trace.getActiveSpan();
          if (job && span) rememberJobTrace(job, span.spanContext().traceId);
          return next(input);
        },
      },
    }),
  ];
}
