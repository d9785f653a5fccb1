// Real HTTP receivers on loopback for notifications: a Slack-compatible Web API
// (chat.postMessage) and a Standard Webhooks receiver that verifies signatures and counts
// deliveries per webhook-id, the way a careful receiver deduplicates.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface SlackMessage {
  channel: string;
  text: string;
  token: string;
}

export class SlackReceiver {
  readonly messages: SlackMessage[] = [];
  apiUrl = '';
  private readonly server: Server;

  /** `failFirst` answers that many calls with HTTP 500 first; `refuse` answers every call `{ok:false, error}`. */
  static async start(opts: { token: string; failFirst?: number; refuse?: string }): Promise<SlackReceiver> {
    const receiver = new SlackReceiver(opts);
    receiver.apiUrl = `${await listen(receiver.server)}/api/`;
    return receiver;
  }

  private constructor(opts: { token: string; failFirst?: number; refuse?: string }) {
    let failures = opts.failFirst ?? 0;
    this.server = createServer((req, res) => {
      void body(req).then((raw) => {
        const send = (status: number, payload: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
        };
        if (req.url !== '/api/chat.postMessage') return send(404, { ok: false, error: 'unknown_method' });
        if (req.headers.authorization !== `Bearer ${opts.token}`) return send(200, { ok: false, error: 'invalid_auth' });
        if (failures > 0) {
          failures--;
          return send(500, { ok: false, error: 'internal_error' });
        }
        if (opts.refuse) return send(200, { ok: false, error: opts.refuse });
        const form = req.headers['content-type']?.includes('json') ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
        this.messages.push({ channel: form.channel ?? '', text: form.text ?? '', token: opts.token });
        return send(200, { ok: true, channel: form.channel, ts: `${Date.now() / 1000}` });
      });
    });
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

export interface WebhookDelivery {
  id: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export class WebhookReceiver {
  /** Verified deliveries, one per webhook-id (retries of the same id are counted, not kept twice). */
  readonly deliveries = new Map<string, WebhookDelivery>();
  readonly attemptsById = new Map<string, number>();
  rejectedSignatures = 0;
  url = '';
  private readonly server: Server;

  static async start(opts: { secret: string; failFirst?: number; alwaysFail?: boolean }): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(opts);
    receiver.url = `${await listen(receiver.server)}/hooks/pollback`;
    return receiver;
  }

  private constructor(opts: { secret: string; failFirst?: number; alwaysFail?: boolean }) {
    const verifier = new Webhook(opts.secret);
    let failures = opts.failFirst ?? 0;
    this.server = createServer((req, res) => {
      void body(req).then((raw) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
        let payload: WebhookDelivery['payload'];
        try {
          payload = verifier.verify(raw, headers) as WebhookDelivery['payload'];
        } catch {
          this.rejectedSignatures++;
          return res.writeHead(401).end();
        }
        const id = headers['webhook-id'] ?? '';
        this.attemptsById.set(id, (this.attemptsById.get(id) ?? 0) + 1);
        if (opts.alwaysFail || failures > 0) {
          failures--;
          return res.writeHead(500).end();
        }
        if (!this.deliveries.has(id)) this.deliveries.set(id, { id, payload });
        return res.writeHead(204).end();
      });
    });
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** A Standard Webhooks secret: `whsec_` + base64 of random bytes. */
export function webhookSecret(): string {
  return `whsec_${Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`;
}
