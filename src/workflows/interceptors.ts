// The workflow interceptors, bundled with the workflow code (the worker passes this module to the
// bundler; the SDK takes workflow interceptors only that way). OpenTelemetry's trace the workflow,
// each activity it schedules and each signal it handles, continuing the trace the start's header
// carries, and hand their spans to the worker through the `exporter` sink. They only add headers
// and sink calls, never commands, so histories recorded without them still replay
// (test/workflow/replay.test.ts).
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
