// The hand-written equivalent's callback endpoint, on node:http alone: verifies the HMAC token
// the remote API echoes back, then signals the workflow it names. A forged or malformed
// callback gets a 4xx and touches no workflow; a finished workflow's late callback gets 404.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { verifyCallbackToken } from './token';
import { callbackSignal, type Callback } from './workflows';

const MAX_BODY_BYTES = 64 * 1024;

export interface CallbackEndpoint {
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parse(text: string): ({ taskToken: string } & Callback) | undefined {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.taskToken !== 'string' || (body.status !== 'success' && body.status !== 'failure')) return undefined;
    return body as unknown as { taskToken: string } & Callback;
  } catch {
    return undefined;
  }
}

async function handle(client: Client, key: Buffer, req: IncomingMessage): Promise<number> {
  if (req.method !== 'POST' || req.url !== '/callback') return 404;
  const text = await readBody(req);
  if (text === undefined) return 413;
  const body = parse(text);
  if (!body) return 400;
  const workflowId = verifyCallbackToken(key, body.taskToken);
  if (!workflowId) return 403;
  const { status, output, error, cause } = body;
  try {
    await client.workflow.getHandle(workflowId).signal(callbackSignal, { status, ...(output ? { output } : {}), ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
    return 204;
  } catch (err) {
    return err instanceof WorkflowNotFoundError ? 404 : 503; // 503: the caller retries later
  }
}

export async function startCallbackEndpoint(client: Client, key: Buffer, port = 0): Promise<CallbackEndpoint> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(client, key, req).then(
      (status) => res.writeHead(status).end(),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
