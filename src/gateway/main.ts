// `npm run gateway`: the gateway as a process, draining on SIGTERM/SIGINT.
import { loadConfig, loadGatewayConfig } from '../config';
import { startTelemetry } from '../telemetry';
import { logger } from '../telemetry/logger';
import { startGatewayService } from './service';

/** Longest a drain may take before the process exits anyway. */
const DRAIN_TIMEOUT_MS = 25_000;

async function main(): Promise<void> {
  const telemetry = startTelemetry('pollback-gateway', process.env, { workers: false });
  const service = await startGatewayService(loadConfig(), loadGatewayConfig(), process.env);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, 'draining');
    setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS).unref();
    void service.close().then(() => telemetry.shutdown()).then(
      () => process.exit(0),
      (err: unknown) => {
        service.app.log.error({ err }, 'error while draining');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger().fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
