// Webhooks signed the Standard Webhooks way (webhook-id, webhook-timestamp,
// webhook-signature). The id is stable per job, event and target, so a receiver
// deduplicates our retries.
import { Webhook } from 'standardwebhooks';
import { ErrorType, nonRetryable } from '../contract/errors';
import { ensureOk, send } from '../http/client';

export interface SignedWebhook {
  url: string;
  /** `whsec_…` (base64) as Standard Webhooks defines it. */
  secret: string;
  id: string;
  payload: unknown;
  allowedHosts: readonly string[];
}

export async function sendWebhook(hook: SignedWebhook): Promise<void> {
  let signer: Webhook;
  try {
    signer = new Webhook(hook.secret);
  } catch {
    throw nonRetryable(ErrorType.InvalidInput, 'the webhook secret is not a Standard Webhooks secret (whsec_ followed by base64)');
  }
  const body = JSON.stringify(hook.payload);
  const now = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': hook.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signer.sign(hook.id, now, body),
  };
  const request = { method: 'POST', purpose: 'webhook', redact: [hook.secret] } as const;
  ensureOk(await send({ ...request, url: hook.url, headers, body, allowedHosts: hook.allowedHosts, allowList: 'POLLBACK_NOTIFY_ALLOWED_HOSTS' }), request);
}
