// Where notifications land: a Slack-compatible Web API and a Standard Webhooks receiver on one
// loopback server. Both count what they got per job (the workflow id is in every message), the
// webhook side one delivery per webhook-id, the way a careful receiver deduplicates retries.
// A job can be told to fail its first attempts, so the suite can kill a worker mid-notify.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { readBody } from '../dev/receivers/http';

export interface JobNotifications {
  slackMessages: number;
  /** Distinct webhook-ids verified and accepted. */
  webhookIds: number;
  /** Every request seen for the job, refused ones included. */
  attempts: number;
}

export class Receivers {
  readonly slackApiUrl: string;
  readonly webhookUrl: string;
  private readonly slack = new Map<string, number>();
  private readonly hooks = new Map<string, Set<string>>();
  private readonly attempts = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly jobIdPattern: RegExp;

  private constructor(
    private readonly server: Server,
    url: string,
    private readonly slackToken: string,
    private readonly verifier: Webhook,
    jobIdPrefix: string,
  ) {
    this.slackApiUrl = `${url}/api/`;
    this.webhookUrl = `${url}/hooks/pollback`;
    this.jobIdPattern = new RegExp(`${jobIdPrefix}[A-Za-z0-9-]+`);
    server.on('request', (req, res) => {
      void readBody(req).then((raw) => {
        const status = req.url === '/api/chat.postMessage' ? this.onSlack(req, raw) : this.onWebhook(req, raw);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }));
      });
    });
  }

  /** `jobIdPrefix` starts every workflow id of the run, so messages can be attributed to jobs. */
  static async start(opts: { slackToken: string; webhookSecret: string; jobIdPrefix: string }): Promise<Receivers> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new Receivers(server, url, opts.slackToken, new Webhook(opts.webhookSecret), opts.jobIdPrefix);
  }

  /** The next `count` attempts for this job, per target, are answered 500. */
  failFirst(workflowId: string, count: number): void {
    this.failures.set(`slack:${workflowId}`, count);
    this.failures.set(`webhook:${workflowId}`, count);
  }

  of(workflowId: string): JobNotifications {
    return { slackMessages: this.slack.get(workflowId) ?? 0, webhookIds: this.hooks.get(workflowId)?.size ?? 0, attempts: this.attempts.get(workflowId) ?? 0 };
  }

  private refuse(target: string, workflowId: string): boolean {
    this.attempts.set(workflowId, (this.attempts.get(workflowId) ?? 0) + 1);
    const left = this.failures.get(`${target}:${workflowId}`) ?? 0;
    if (left <= 0) return false;
    this.failures.set(`${target}:${workflowId}`, left - 1);
    return true;
  }

  private onSlack(req: IncomingMessage, raw: string): number {
    if (req.headers.authorization !== `Bearer ${this.slackToken}`) return 401;
    const form = req.headers['content-type']?.includes('json') ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
    const workflowId = this.jobIdPattern.exec(form.text ?? '')?.[0] ?? 'unattributed';
    if (this.refuse('slack', workflowId)) return 500;
    this.slack.set(workflowId, (this.slack.get(workflowId) ?? 0) + 1);
    return 200;
  }

  private onWebhook(req: IncomingMessage, raw: string): number {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    let payload: { data?: { jobId?: string } };
    try {
      payload = this.verifier.verify(raw, headers) as typeof payload;
    } catch {
      return 401;
    }
    const workflowId = payload.data?.jobId ?? 'unattributed';
    if (this.refuse('webhook', workflowId)) return 500;
    const ids = this.hooks.get(workflowId) ?? new Set<string>();
    ids.add(headers['webhook-id'] ?? '');
    this.hooks.set(workflowId, ids);
    return 200;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
