// HAProxy in front of local gateways, configured by deploy/haproxy/haproxy.cfg — the compose
// stack's own file — with its server lines swapped for the local gateways' ports.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Supervised, tcpOpen } from './supervised';

export const HAPROXY_CONFIG = path.resolve(__dirname, '../../deploy/haproxy/haproxy.cfg');
const SERVERS_MARKER = '# --- servers:';

/** The shared config with one `server` line per local gateway port in place of the compose form. */
export async function localConfig(gatewayPorts: readonly number[]): Promise<string> {
  const shared = await readFile(HAPROXY_CONFIG, 'utf8');
  const at = shared.indexOf(SERVERS_MARKER);
  if (at < 0) throw new Error(`${HAPROXY_CONFIG}: no "${SERVERS_MARKER}" marker line`);
  const lineStart = shared.lastIndexOf('\n', at) + 1;
  const servers = gatewayPorts.map((port, i) => `    server gateway${i + 1} 127.0.0.1:${port} check\n`).join('');
  return `${shared.slice(0, lineStart)}    # local gateways (dev/cluster/balancer.ts)\n${servers}`;
}

export interface BalancerOptions {
  haproxy: string;
  port: number;
  gatewayPorts: readonly number[];
  dir: string;
  logFile: string;
  /** Requests a minute per client address (POLLBACK_RATE_LIMIT's meaning; `0` = off); the config's default when unset. */
  rateLimit?: string | undefined;
}

export async function balancer(opts: BalancerOptions): Promise<Supervised> {
  const config = path.join(opts.dir, 'haproxy.cfg');
  await writeFile(config, await localConfig(opts.gatewayPorts));
  return new Supervised({
    name: 'haproxy',
    command: opts.haproxy,
    // -db: stay in the foreground, so it is supervised like every other process.
    args: ['-db', '-f', config],
    env: { PATH: process.env.PATH ?? '', HAPROXY_BIND: `127.0.0.1:${opts.port}`, ...(opts.rateLimit !== undefined ? { POLLBACK_RATE_LIMIT: opts.rateLimit } : {}) },
    logFile: opts.logFile,
    ready: () => tcpOpen(opts.port),
    stopSignal: 'SIGUSR1', // a soft stop: finish the requests in flight
    stopTimeoutMs: 5_000,
  });
}
