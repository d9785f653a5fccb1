// A hostile remote API on loopback, reached through inline profiles: status and result URLs
// that point at private, link-local and loopback hosts, redirects, path-traversing file names,
// endless and oversized downloads, slow answers. A canary server beside it counts every request
// that reached a host the profile did not allow: it must count none.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { payloadStream } from '../../dev/simulator/payload';
import type { JobInputJson } from '../../src/contract/job-input';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

export class HostileServer {
  canaryHits = 0;
  /** Where a path-traversing file name would land if it were honoured. */
  readonly escapeName = `pollback-chaos-escape-${randomUUID().slice(0, 8)}`;

  private constructor(
    readonly url: string,
    readonly canaryUrl: string,
    private readonly servers: Server[],
  ) {}

  static async start(): Promise<HostileServer> {
    const canary = createServer();
    const api = createServer();
    const hostile = new HostileServer(await listen(api), await listen(canary), [api, canary]);
    canary.on('request', (_req, res) => {
      hostile.canaryHits++;
      json(res, 200, { id: 'canary', statusUrl: `${hostile.canaryUrl}/status`, state: 'done' });
    });
    api.on('request', (req, res) => void hostile.answer(req, res).catch(() => res.destroy()));
    return hostile;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const [, kind = '', scenario = '', id = `h-${randomUUID()}`] = url.pathname.split('/');
    const size = Number(url.searchParams.get('size') ?? 4096);
    const next = `${scenario}/${id}?size=${size}`;
    if (kind === 'start') {
      if (scenario === 'slow') await sleep(2_000);
      if (scenario === 'redirect') return void res.writeHead(302, { location: `${this.canaryUrl}/start` }).end();
      const statusUrl = { 'status-link-local': 'http://169.254.169.254/latest/meta-data/', 'status-private': 'http://10.1.2.3/status' }[scenario] ?? `${this.url}/status/${next}`;
      return json(res, 202, { id, statusUrl });
    }
    if (kind === 'status') {
      if (scenario === 'slow') await sleep(1_500);
      if (scenario === 'status-redirect') return void res.writeHead(302, { location: `${this.canaryUrl}/status` }).end();
      const resultUrl = scenario === 'result-private' ? 'http://192.168.0.10/result.csv' : `${this.url}/file/${next}`;
      return json(res, 200, { state: 'done', resultUrl });
    }
    return this.file(res, scenario, id, size);
  }

  private file(res: ServerResponse, scenario: string, id: string, size: number): void {
    const names: Record<string, string> = {
      traversal: `attachment; filename="../../../../../../tmp/${this.escapeName}"`,
      'traversal-star': `attachment; filename*=UTF-8''..%2F..%2F..%2F..%2F..%2Ftmp%2F${this.escapeName}`,
    };
    if (scenario === 'endless') {
      // No length, no end: only the client's limit stops it.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      return pump();
    }
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(size), 'content-disposition': names[scenario] ?? 'attachment; filename="result.csv"' });
    payloadStream(id, 0, size).pipe(res);
  }

  /** An inline profile for this server; `allowedHosts` defaults to exactly this server. */
  profile(allowedHosts = [new URL(this.url).host], startUrl = `${this.url}/start/{{params.case}}`): Record<string, unknown> {
    return {
      name: 'hostile-api',
      allowedHosts,
      start: { method: 'GET', url: startUrl, query: { size: '{{params.size}}' }, remoteJobId: { body: 'id' }, statusUrl: { body: 'statusUrl' } },
      status: { state: { body: 'state' }, states: { running: ['running'], succeeded: ['done'], failed: ['failed'], cancelled: ['cancelled'] }, resultUrl: { body: 'resultUrl' } },
    };
  }

  /** A poll job against this server. */
  jobInput(scenario: string, opts: { size?: number; maxBytes?: number; fileName?: string; profile?: Record<string, unknown> } = {}): JobInputJson {
    return {
      profile: (opts.profile ?? this.profile()) as JobInputJson['profile'],
      params: { case: scenario, size: opts.size ?? 4096 },
      completion: { mode: 'poll', timeout: '20s', poll: { interval: 200, backoff: 1 } },
      download: { maxBytes: opts.maxBytes ?? 1 << 30, ...(opts.fileName !== undefined ? { fileName: opts.fileName } : {}) },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }));
  }
}
