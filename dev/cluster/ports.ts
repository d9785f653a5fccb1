// Ports for the cluster's internal listeners. Temporal keeps each host's membership port in a
// PostgreSQL `smallint` column (cluster_membership.rpc_port), so a port above 32767 — any port
// the kernel hands out for port 0 — makes a service die at start ("out of range for type
// smallint"). These come from 20000–32767 instead, checked free, never the same one twice.
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port on 127.0.0.1 below 32768. */
export async function lowFreePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32767 on 127.0.0.1');
}
