// The one outbound HTTP client (undici). Every request is host-checked, bounded in time and
// size, and every failure is mapped onto the error taxonomy: 408/429/5xx and network errors
// are retryable (honouring Retry-After), other 4xx are not. Secret values are scrubbed from
// anything that could reach an error message.
import { request, type Dispatcher } from 'undici';
import { ErrorType, nonRetryable, retryable } from '../contract/errors';
import { checkedUrl, dispatcherFor, internalAddressRefusal } from './hosts';
import { parseRetryAfter } from '../contract/retry-after';

export interface OutboundRequest {
  method: Dispatcher.HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** A JSON body, serialised here; or `body`, sent byte for byte (e.g. when it is signed). */
  json?: unknown;
  body?: string;
  allowedHosts: readonly string[];
  /** Values that must never appear in errors (resolved secrets, task tokens). */
  redact: readonly string[];
  /** What this request is for, e.g. "start" or "status": names it in errors. */
  purpose: string;
  /** Names the allow-list in errors (default: the profile's allowedHosts). */
  allowList?: string;
  timeoutMs?: number;
  /** Aborts the request (an activity's cancellation): the failure is then the abort's reason. */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const MAX_BODY_BYTES = 1 << 20;
const EXCERPT_CHARS = 200;

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export const retryAfterMs = (headers: OutboundResponse['headers'], now = Date.now()): number | undefined => parseRetryAfter(headers['retry-after'], now);

async function readBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw nonRetryable(ErrorType.RemoteProtocolError, `response body larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Sends a request and returns any HTTP answer; only network-level faults throw. */
export async function send(req: OutboundRequest): Promise<OutboundResponse> {
  const url = checkedUrl(req.url, req.allowedHosts, `${req.purpose} URL`, req.allowList);
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body = req.body;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] ??= 'application/json';
  }
  const timeout = req.timeoutMs ?? 30_000;
  try {
    const dispatcher = dispatcherFor(url, req.allowedHosts);
    const res = await request(url, { method: req.method, headers, body: body ?? null, headersTimeout: timeout, bodyTimeout: timeout, ...(dispatcher ? { dispatcher } : {}), ...(req.signal ? { signal: req.signal } : {}) });
    const text = await readBody(res.body);
    const contentType = res.headers['content-type'];
    return { status: res.statusCode, headers: res.headers, body: parseBody(text, Array.isArray(contentType) ? contentType[0] : contentType) };
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason;
    if (err instanceof Error && err.name === 'ApplicationFailure') throw err;
    const refusal = internalAddressRefusal(err, `${req.purpose} URL`, req.allowList);
    if (refusal) throw refusal;
    const code = (err as { code?: string }).code;
    // A request undici refuses to send (e.g. a header value with a line break) never gets better.
    if (code === 'UND_ERR_INVALID_ARG') throw nonRetryable(ErrorType.InvalidInput, redact(`${req.purpose} request is malformed: ${(err as Error).message}`, req.redact));
    throw retryable(ErrorType.RemoteUnavailable, redact(`${req.purpose} ${req.method} ${url.host}: ${code ?? (err as Error).message}`, req.redact));
  }
}

/** Throws the taxonomy's failure for a non-2xx answer. */
export function ensureOk(res: OutboundResponse, req: Pick<OutboundRequest, 'purpose' | 'redact' | 'method'>): OutboundResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const excerpt = redact(typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? ''), req.redact).slice(0, EXCERPT_CHARS);
  const message = `${req.purpose} request answered HTTP ${res.status}: ${excerpt}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    throw retryable(ErrorType.RemoteUnavailable, message, retryAfterMs(res.headers));
  }
  throw nonRetryable(ErrorType.RemoteRejected, message, { status: res.status, excerpt });
}
