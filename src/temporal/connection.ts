// Connections from the standard Temporal environment configuration (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files, TEMPORAL_PROFILE / config file), so a local
// dev server, a self-hosted cluster and Temporal Cloud all work unchanged.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export function connectConfig(env: Readonly<Record<string, string | undefined>> = process.env) {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const config = loadClientConnectConfig({ overrideEnvVars });
  return { connectionOptions: config.connectionOptions, namespace: config.namespace ?? 'default' };
}

export async function connectWorker(env?: Readonly<Record<string, string | undefined>>): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = connectConfig(env);
  return { connection: await NativeConnection.connect(connectionOptions), namespace };
}
