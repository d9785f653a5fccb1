// A Standard Webhooks receiver on loopback, for the demo and the tests: verifies signatures and
// keeps one delivery per webhook-id (counting retries of the same id), the way a careful
// receiver deduplicates.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { closeNow, listenOnLoopback, readBody } from './http';

export interface WebhookDelivery {
  id: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface WebhookReceiverOptions {
  /** `whsec_…`, shared with the sender. */
  secret: string;
  /** Answer that many deliveries with HTTP 500 first. */
  failFirst?: number;
  alwaysFail?: boolean;
}

/** A Standard Webhooks secret: `whsec_` + base64 of random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class WebhookReceiver {
  /** Verified deliveries, one per webhook-id. */
  readonly deliveries = new Map<string, WebhookDelivery>();
  readonly attemptsById = new Map<string, number>();
  rejectedSignatures = 0;
  url = '';
  private readonly server: Server;
  private readonly verifier: Webhook;
  private failures: number;

  static async start(opts: WebhookReceiverOptions): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(opts);
    receiver.url = `${await listenOnLoopback(receiver.server)}/hooks/pollback`;
    return receiver;
  }

  private constructor(private readonly opts: WebhookReceiverOptions) {
    this.verifier = new Webhook(opts.secret);
    this.failures = opts.failFirst ?? 0;
    this.server = createServer((req, res) => void readBody(req).then((raw) => this.answer(req, raw, res)));
  }

  /** Verified deliveries about one job (webhook payloads carry its id). */
  deliveriesFor(jobId: string): WebhookDelivery[] {
    return [...this.deliveries.values()].filter((d) => d.payload.data.jobId === jobId);
  }

  private answer(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    let payload: WebhookDelivery['payload'];
    try {
      payload = this.verifier.verify(raw, headers) as WebhookDelivery['payload'];
    } catch {
      this.rejectedSignatures++;
      res.writeHead(401).end();
      return;
    }
    const id = headers['webhook-id'] ?? '';
    this.attemptsById.set(id, (this.attemptsById.get(id) ?? 0) + 1);
    if (this.opts.alwaysFail || this.failures > 0) {
      this.failures--;
      res.writeHead(500).end();
      return;
    }
    if (!this.deliveries.has(id)) this.deliveries.set(id, { id, payload });
    res.writeHead(204).end();
  }

  stop(): Promise<void> {
    return closeNow(this.server);
  }
}
