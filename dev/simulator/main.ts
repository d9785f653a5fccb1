// `npm run simulator`: the simulator as a standalone process for demos and manual testing.
import { DEFAULT_CREDENTIALS, startSimulator } from './index';

async function main(): Promise<void> {
  const { SIMULATOR_BEARER_TOKEN, SIMULATOR_API_KEY } = process.env;
  const credentials = {
    bearerToken: SIMULATOR_BEARER_TOKEN ?? DEFAULT_CREDENTIALS.bearerToken,
    apiKey: SIMULATOR_API_KEY ?? DEFAULT_CREDENTIALS.apiKey,
  };
  const simulator = await startSimulator({
    host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
    port: Number(process.env.SIMULATOR_PORT ?? 8090),
    credentials,
    logger: true,
  });
  console.log(`simulator listening at ${simulator.url}`);
  // Secrets set in the environment are never echoed; only the public defaults are.
  const describe = (value: string | undefined, fallback: string): string => (value === undefined ? `unset, using "${fallback}"` : 'set');
  console.log(`Authorization: Bearer <SIMULATOR_BEARER_TOKEN> (${describe(SIMULATOR_BEARER_TOKEN, DEFAULT_CREDENTIALS.bearerToken)})`);
  console.log(`X-API-Key: <SIMULATOR_API_KEY> (${describe(SIMULATOR_API_KEY, DEFAULT_CREDENTIALS.apiKey)})`);
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`simulator: ${signal}, shutting down`);
    simulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
