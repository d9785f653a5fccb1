// A service in a process of its own, so the throughput benchmark can read its CPU from /proc
// apart from the driver's: the simulator, Pollback's gateway (built as bench/environment.ts
// builds it), or the hand-written equivalent's callback endpoint. Sends its URL to the parent
// over IPC once listening; SIGTERM closes it.
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { buildGateway } from '../src/gateway/app';
import { startSimulator } from '../dev/simulator';
import { parseKeyring } from '../src/tokens/task-token';
import { startCallbackEndpoint } from './handwritten/endpoint';

export type ServiceKind = 'simulator' | 'gateway' | 'endpoint';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench service: ${name} is not set`);
  return value;
}

async function temporalClient(): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: required('TEMPORAL_ADDRESS') }) });
}

async function start(kind: ServiceKind): Promise<{ url: string; close(): Promise<unknown> }> {
  switch (kind) {
    case 'simulator': {
      const sim = await startSimulator({ credentials: { bearerToken: required('SIMULATOR_BEARER_TOKEN'), apiKey: required('SIMULATOR_API_KEY') } });
      return { url: sim.url, close: () => sim.close() };
    }
    case 'gateway': {
      const client = await temporalClient();
      const gateway = await buildGateway({ client, keyring: parseKeyring(required('POLLBACK_TOKEN_KEYS')), rateLimit: { max: 0 } });
      await gateway.listen({ host: '127.0.0.1', port: 0 });
      return { url: `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`, close: () => gateway.close() };
    }
    case 'endpoint': {
      const client = await temporalClient();
      const endpoint = await startCallbackEndpoint(client, Buffer.from(required('HANDWRITTEN_TOKEN_KEY')));
      return { url: endpoint.url, close: () => endpoint.close() };
    }
  }
}

async function main(): Promise<void> {
  const service = await start(process.env.BENCH_SERVICE_KIND as ServiceKind);
  process.once('SIGTERM', () => void service.close().finally(() => process.exit(0)));
  process.send?.(service.url);
}

main().catch((err: unknown) => {
  console.error('bench service:', err);
  process.exit(1);
});
