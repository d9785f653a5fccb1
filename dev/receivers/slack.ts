// A Slack-compatible Web API on loopback (chat.postMessage only), for the demo and the tests:
// the official Slack SDK talks to it through SLACK_API_URL exactly as it talks to slack.com.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback, readBody } from './http';

export interface SlackMessage {
  channel: string;
  text: string;
}

export interface SlackReceiverOptions {
  /** The bot token callers must present. */
  token: string;
  /** Answer that many calls with HTTP 500 first. */
  failFirst?: number;
  /** Answer every call `{ok:false, error: refuse}`, as Slack does for e.g. `channel_not_found`. */
  refuse?: string;
}

export class SlackReceiver {
  readonly messages: SlackMessage[] = [];
  /** Base URL for SLACK_API_URL, ending in `/api/`. */
  apiUrl = '';
  private readonly server: Server;
  private failures: number;

  static async start(opts: SlackReceiverOptions): Promise<SlackReceiver> {
    const receiver = new SlackReceiver(opts);
    receiver.apiUrl = `${await listenOnLoopback(receiver.server)}/api/`;
    return receiver;
  }

  private constructor(private readonly opts: SlackReceiverOptions) {
    this.failures = opts.failFirst ?? 0;
    this.server = createServer((req, res) => void readBody(req).then((raw) => this.answer(req, raw, res)));
  }

  private answer(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const send = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (req.url !== '/api/chat.postMessage') return send(404, { ok: false, error: 'unknown_method' });
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) return send(200, { ok: false, error: 'invalid_auth' });
    if (this.failures > 0) {
      this.failures--;
      return send(500, { ok: false, error: 'internal_error' });
    }
    if (this.opts.refuse) return send(200, { ok: false, error: this.opts.refuse });
    const form = req.headers['content-type']?.includes('json') ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
    this.messages.push({ channel: form.channel ?? '', text: form.text ?? '' });
    return send(200, { ok: true, channel: form.channel, ts: `${Date.now() / 1000}` });
  }

  stop(): Promise<void> {
    return closeNow(this.server);
  }
}
