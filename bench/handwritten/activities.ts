// The hand-written equivalent's three activities, with undici as the only HTTP client: start the
// remote job (idempotent across retries), stream the result to disk with its sha256 (written to
// a partial file, fsynced, renamed, as Pollback does), post a Standard Webhooks-signed webhook.
// Transient failures (5xx, 429, network) throw and Temporal retries them; others do not retry.
import { createHash, createHmac } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { request } from 'undici';
import { mintCallbackToken } from './token';

export interface HandwrittenConfig {
  simulatorUrl: string;
  apiKey: string;
  /** Where the remote API posts its callback: the endpoint of ./endpoint.ts. */
  callbackUrl: string;
  tokenKey: Buffer;
  downloadDir: string;
  /** Standard Webhooks secret, `whsec_<base64>`. */
  webhookSecret: string;
}

export interface SavedFile {
  path: string;
  bytes: number;
  sha256: string;
}

function refuse(what: string, status: number): Error {
  const message = `${what}: HTTP ${status}`;
  return status >= 500 || status === 429 ? new Error(message) : ApplicationFailure.nonRetryable(message, 'HttpError');
}

export function createHandwrittenActivities(config: HandwrittenConfig) {
  const webhookKey = Buffer.from(config.webhookSecret.replace(/^whsec_/, ''), 'base64');
  return {
    async startRemoteJob(args: { waitTime: number }): Promise<{ jobId: string }> {
      const execution = Context.current().info.workflowExecution;
      if (!execution) throw ApplicationFailure.nonRetryable('startRemoteJob runs only as a workflow\'s activity', 'NoWorkflow');
      const res = await request(`${config.simulatorUrl}/tasks/v1/jobs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': config.apiKey,
          // The same on every retry of this activity: a retried start never creates a second job.
          'idempotency-key': `${execution.workflowId}/${execution.runId}`,
        },
        body: JSON.stringify({ callbackUrl: config.callbackUrl, taskToken: mintCallbackToken(config.tokenKey, execution.workflowId), waitTime: args.waitTime }),
      });
      if (res.statusCode !== 200 && res.statusCode !== 202) {
        await res.body.dump();
        throw refuse('start', res.statusCode);
      }
      const body = (await res.body.json()) as { jobId?: unknown };
      if (typeof body.jobId !== 'string') throw ApplicationFailure.nonRetryable('start: no jobId in the answer', 'HttpError');
      return { jobId: body.jobId };
    },

    async downloadResult(args: { url: string; sha256: string; name: string }): Promise<SavedFile> {
      const res = await request(args.url);
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw refuse('download', res.statusCode);
      }
      await mkdir(config.downloadDir, { recursive: true });
      const final = path.join(config.downloadDir, path.basename(args.name));
      const partial = `${final}.partial`;
      const hash = createHash('sha256');
      const file = await open(partial, 'w');
      let bytes = 0;
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytes += chunk.length;
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const sha256 = hash.digest('hex');
      if (sha256 !== args.sha256.toLowerCase()) throw ApplicationFailure.nonRetryable(`download: sha256 ${sha256} differs from the announced ${args.sha256}`, 'ChecksumMismatch');
      await rename(partial, final);
      return { path: final, bytes, sha256 };
    },

    async notify(args: { url: string; messageId: string; payload: unknown }): Promise<void> {
      const body = JSON.stringify(args.payload);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', webhookKey).update(`${args.messageId}.${timestamp}.${body}`).digest('base64');
      const res = await request(args.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': args.messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
        body,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw refuse('webhook', res.statusCode);
    },
  };
}

export type HandwrittenActivities = ReturnType<typeof createHandwrittenActivities>;
