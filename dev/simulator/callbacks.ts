// Callback delivery the way a reasonable provider does it: retry what might be transient
// (network errors, 5xx, 429) with doubling backoff, give up at once on other statuses.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';

// 7 attempts, 200 ms doubling: the sender keeps trying for about 12.6 s, long enough to ride out
// a gateway restart or a loaded machine, short enough for the fault suite to watch it give up.
export const MAX_ATTEMPTS = 7;
const FIRST_BACKOFF_MS = 200;
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface DeliveryHooks {
  onAttempt(): void;
  onDelivered(): void;
}

type AttemptResult = 'delivered' | 'retry' | 'rejected';

export interface DeliveryOptions {
  /** Extra headers per attempt (a signature with a fresh timestamp, a bearer token). */
  headers?: ((body: string) => Record<string, string>) | undefined;
  /** Which statuses are worth another attempt (default: 5xx and 429). */
  retryOn?: (status: number) => boolean;
  maxAttempts?: number;
}

const transient = (status: number): boolean => status >= 500 || status === 429;

async function attempt(dispatcher: Dispatcher, url: string, body: string, signal: AbortSignal, options: DeliveryOptions): Promise<AttemptResult> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers?.(body) },
      body,
      signal,
      dispatcher,
      headersTimeout: ATTEMPT_TIMEOUT_MS,
      bodyTimeout: ATTEMPT_TIMEOUT_MS,
    });
    await response.body.dump();
    if (response.statusCode >= 200 && response.statusCode < 300) return 'delivered';
    return (options.retryOn ?? transient)(response.statusCode) ? 'retry' : 'rejected';
  } catch (err) {
    if (signal.aborted) throw err;
    return 'retry';
  }
}

/** POSTs `payload` as JSON; resolves true once a 2xx is received, false after giving up. */
export async function deliverCallback(dispatcher: Dispatcher, url: string, payload: unknown, signal: AbortSignal, hooks: DeliveryHooks, options: DeliveryOptions = {}): Promise<boolean> {
  const body = JSON.stringify(payload);
  let backoffMs = FIRST_BACKOFF_MS;
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  for (let n = 1; ; n += 1) {
    hooks.onAttempt();
    const result = await attempt(dispatcher, url, body, signal, options);
    if (result === 'delivered') {
      hooks.onDelivered();
      return true;
    }
    if (result === 'rejected' || n === maxAttempts) return false;
    await sleep(backoffMs, undefined, { signal, ref: false });
    backoffMs *= 2;
  }
}
