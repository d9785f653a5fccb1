// The worker the suite kills: src/worker.ts's composition (config, profiles, activities), with
// the workflow code bundled once by the suite, so a replacement is polling within seconds.
import { loadConfig } from '../src/config';
import { connectWorker } from '../src/temporal/connection';
import { activityDepsFromConfig, createPollbackWorker } from '../src/worker';

async function main(): Promise<void> {
  const workflowBundlePath = process.env.CHAOS_WORKFLOW_BUNDLE;
  if (!workflowBundlePath) throw new Error('CHAOS_WORKFLOW_BUNDLE is not set');
  const config = loadConfig();
  const deps = await activityDepsFromConfig(config, process.env);
  const { connection, namespace } = await connectWorker(process.env);
  const worker = await createPollbackWorker({ connection, namespace, taskQueue: config.taskQueue, deps, workflowBundlePath });
  console.log(`chaos worker: polling ${config.taskQueue}`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
