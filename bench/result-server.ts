// A tiny result server for the latency benchmark: the callback's output points the job's
// download at it, so the moment the worker asks for /r/<id> is the moment the resumed workflow
// acted on the callback. Same yardstick for the gateway path and the direct signal.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ResultServer {
  url: string;
  /** Resolves with performance.now() when the worker first asks for this id's result. */
  arrival(id: string): Promise<number>;
  close(): Promise<void>;
}

export async function startResultServer(): Promise<ResultServer> {
  const waiting = new Map<string, (at: number) => void>();
  const server = createServer((req, res) => {
    const at = performance.now();
    const id = decodeURIComponent(req.url?.split('/').pop() ?? '');
    waiting.get(id)?.(at);
    waiting.delete(id);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' }).end('ok\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/r`,
    arrival: (id) => new Promise((resolve) => waiting.set(id, resolve)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
