// Callback delivery the way a reasonable provider does it: retry what might be transient
// (network errors, 5xx, 429) with doubling backoff, give up at once on other statuses.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';

const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 200;
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface DeliveryHooks {
  onAttempt(): void;
  onDelivered(): void;
}

type AttemptResult = 'delivered' | 'retry' | 'rejected';

async function attempt(dispatcher: Dispatcher, url: string, body: string, signal: AbortSignal): Promise<AttemptResult> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal,
      dispatcher,
      headersTimeout: ATTEMPT_TIMEOUT_MS,
      bodyTimeout: ATTEMPT_TIMEOUT_MS,
    });
    await response.body.dump();
    if (response.statusCode >= 200 && response.statusCode < 300) return 'delivered';
    return response.statusCode >= 500 || response.statusCode === 429 ? 'retry' : 'rejected';
  } catch (err) {
    if (signal.aborted) throw err;
    return 'retry';
  }
}

/** POSTs `payload` as JSON; resolves true once a 2xx is received, false after giving up. */
export async function deliverCallback(dispatcher: Dispatcher, url: string, payload: unknown, signal: AbortSignal, hooks: DeliveryHooks): Promise<boolean> {
  const body = JSON.stringify(payload);
  let backoffMs = FIRST_BACKOFF_MS;
  for (let n = 1; ; n += 1) {
    hooks.onAttempt();
    const result = await attempt(dispatcher, url, body, signal);
    if (result === 'delivered') {
      hooks.onDelivered();
      return true;
    }
    if (result === 'rejected' || n === MAX_ATTEMPTS) return false;
    await sleep(backoffMs, undefined, { signal, ref: false });
    backoffMs *= 2;
  }
}
