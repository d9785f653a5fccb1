// Connections from the standard Temporal environment configuration (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files, TEMPORAL_PROFILE / config file), so a local
// dev server, a self-hosted cluster and Temporal Cloud all work unchanged.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { tracingClientInterceptors } from '../telemetry/tracing';

export function connectConfig(env: Readonly<Record<string, string | undefined>> = process.env) {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const config = loadClientConnectConfig({ overrideEnvVars });
  return { connectionOptions: config.connectionOptions, namespace: config.namespace ?? 'default' };
}

/** A client; `dataConverter` from pollbackDataConverter when payloads are encrypted. */
export async function connectClient(env?: Readonly<Record<string, string | undefined>>, dataConverter?: DataConverter): Promise<Client> {
  const { connectionOptions, namespace } = connectConfig(env);
  const connection = await Connection.connect(connectionOptions);
  return new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}), interceptors: { workflow: tracingClientInterceptors() } });
}

export async function connectWorker(env?: Readonly<Record<string, string | undefined>>): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = connectConfig(env);
  return { connection: await NativeConnection.connect(connectionOptions), namespace };
}
