// A real OTLP/HTTP traces receiver on loopback, for tests to read back what a process exported:
// POST /v1/traces with the standard protobuf ExportTraceServiceRequest (gzip or not), decoded with
// the OpenTelemetry JS project's own code generated from the official protos, answered as a
// collector answers (200 and an ExportTraceServiceResponse).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import otlpRoot from '@opentelemetry/otlp-transformer/build/src/generated/root';

interface MessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  toObject(message: object, options: { longs: StringConstructor; bytes: StringConstructor; oneofs: boolean }): unknown;
}
const traceService = (otlpRoot as unknown as { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: MessageType; ExportTraceServiceResponse: MessageType } } } } } })
  .opentelemetry.proto.collector.trace.v1;

/** One received span, ids in hex as every backend shows them. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Absent on a trace's root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  service: string;
  attributes: Record<string, string>;
  links: { traceId: string; spanId: string }[];
  /** The whole decoded span, for scanning (e.g. for secrets). */
  raw: string;
}

interface AnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  links?: { traceId: string; spanId: string }[];
}
interface DecodedRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: DecodedSpan[] }[] }[];
}

const hex = (base64: string | undefined): string => Buffer.from(base64 ?? '', 'base64').toString('hex');

function text(value: AnyValue | undefined): string {
  if (!value) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.arrayValue) return JSON.stringify((value.arrayValue.values ?? []).map(text));
  if (value.kvlistValue) return JSON.stringify(Object.fromEntries((value.kvlistValue.values ?? []).map((kv) => [kv.key, text(kv.value)])));
  return String(value.boolValue ?? value.intValue ?? value.doubleValue ?? '');
}

const attributesOf = (list: KeyValue[] | undefined): Record<string, string> => Object.fromEntries((list ?? []).map((kv) => [kv.key, text(kv.value)]));

function spansOf(body: Buffer): ReceivedSpan[] {
  const decoded = traceService.ExportTraceServiceRequest.toObject(traceService.ExportTraceServiceRequest.decode(body), { longs: String, bytes: String, oneofs: true }) as DecodedRequest;
  return (decoded.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '';
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => {
        const parent = hex(span.parentSpanId);
        return {
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          ...(parent ? { parentSpanId: parent } : {}),
          name: span.name,
          kind: span.kind ?? 0,
          service,
          attributes: attributesOf(span.attributes),
          links: (span.links ?? []).map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
          raw: JSON.stringify(span),
        };
      }),
    );
  });
}

export interface OtlpReceiver {
  /** The traces URL, for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  tracesUrl: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const answer = (res: ServerResponse, status: number, body: Uint8Array | string, type: string): void => {
    res.writeHead(status, { 'content-type': type }).end(body);
  };
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') return answer(res, 404, 'not found', 'text/plain');
    if (!req.headers['content-type']?.startsWith('application/x-protobuf')) return answer(res, 415, 'protobuf only', 'text/plain');
    void bodyOf(req).then(spansOf).then(
      (received) => {
        spans.push(...received);
        answer(res, 200, traceService.ExportTraceServiceResponse.encode({}).finish(), 'application/x-protobuf');
      },
      (err: unknown) => answer(res, 400, String(err), 'text/plain'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
