// A callback reaches the gateway as a new HTTP request from the remote system, which carries no
// trace of ours. So that it still lands in its job's trace, the trace context of the job's start
// is kept in the job's memo (W3C `traceparent`, nothing secret), and the gateway delivers the
// callback inside a span under it, linked to the request that brought it.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import type { Next, WorkflowClientInterceptor, WorkflowStartInput, WorkflowStartOutput } from '@temporalio/client';

/** The memo key of a job's start trace context. */
const TRACE_MEMO_KEY = 'pollbackTrace';

type Carrier = Record<string, string>;

/** Records the active trace context (the client interceptor's start span) in the started job's memo. */
export class JobTraceMemoInterceptor implements WorkflowClientInterceptor {
  startWithDetails(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'startWithDetails'>): Promise<WorkflowStartOutput> {
    const carrier: Carrier = {};
    propagation.inject(context.active(), carrier);
    if (!carrier.traceparent) return next(input);
    return next({ ...input, options: { ...input.options, memo: { ...input.options.memo, [TRACE_MEMO_KEY]: carrier } } });
  }
}

const tracer = () => trace.getTracer('pollback');

/**
 * Runs `work` in a span under the trace the job's memo names (a root span when it names none),
 * linked to the span active now (the callback's HTTP request).
 */
export async function inJobTrace<T>(memo: Record<string, unknown> | undefined, name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const stored = memo?.[TRACE_MEMO_KEY];
  const jobContext = stored && typeof stored === 'object' ? propagation.extract(context.active(), stored as Carrier) : context.active();
  const request = trace.getActiveSpan()?.spanContext();
  const links: Link[] = request && request.traceId !== trace.getSpanContext(jobContext)?.traceId ? [{ context: request }] : [];
  return tracer().startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes, links }, jobContext, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'failed' });
      throw err;
    } finally {
      span.end();
    }
  });
}
