// Shared plumbing for the simulator tests: a simulator per test, a small JSON client, a manual
// clock, and a real HTTP server that records callbacks.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { type Clock, type Simulator, type SimulatorOptions, startSimulator } from '../../dev/simulator';

export const ASO_AUTH = { authorization: 'Bearer sim-bearer-token', 'x-api-key': 'sim-api-key' };
export const BEARER = { authorization: 'Bearer sim-bearer-token' };
export const API_KEY = { 'x-api-key': 'sim-api-key' };

export async function startSim(t: TestContext, opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ port: 0, ...opts });
  t.after(() => sim.close());
  return sim;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export async function call(method: 'GET' | 'POST' | 'DELETE', url: string, opts: { headers?: Record<string, string>; json?: unknown } = {}): Promise<HttpResult> {
  const res = await request(url, {
    method,
    headers: { ...opts.headers, ...(opts.json !== undefined && { 'content-type': 'application/json' }) },
    body: opts.json === undefined ? null : JSON.stringify(opts.json),
  });
  const text = await res.body.text();
  const headers = flatten(res.headers);
  const body: unknown = text && /json/.test(headers['content-type'] ?? '') ? JSON.parse(text) : text;
  return { status: res.statusCode, headers, body };
}

export async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string>; bytes: Buffer }> {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: flatten(res.headers), bytes: Buffer.from(await res.body.arrayBuffer()) };
}

/** Reads `body.field` from a JSON result, failing the test if it is not a string. */
export function field(result: HttpResult, name: string): string {
  const value = (result.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new Error(`expected string field "${name}" in ${JSON.stringify(result.body)}`);
  return value;
}

export function withScenario(url: string, scenario: Record<string, unknown>): string {
  return `${url}?scenario=${encodeURIComponent(JSON.stringify(scenario))}`;
}

export class ManualClock implements Clock {
  constructor(private time = Date.now()) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: unknown;
  answeredWith: number;
  at: number;
}

/** A callback endpoint; answers the queued statuses in order, then 200. */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  readonly answers: number[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(t: TestContext): Promise<CallbackReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new CallbackReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answeredWith = receiver.answers.shift() ?? 200;
        receiver.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), answeredWith, at: Date.now() });
        res.writeHead(answeredWith).end();
      });
    });
    t.after(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return receiver;
  }

  delivered(): ReceivedCallback[] {
    return this.received.filter((r) => r.answeredWith >= 200 && r.answeredWith < 300);
  }

  waitFor(count: number, timeoutMs = 5000): Promise<ReceivedCallback[]> {
    return waitUntil(`${count} callback request(s)`, () => (this.received.length >= count ? this.received : undefined), timeoutMs);
  }
}
