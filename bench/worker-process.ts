// A worker in a process of its own, so its memory and CPU can be read from /proc apart from
// the benchmark driver: the Pollback worker exactly as production builds it (config from the
// environment, product defaults), the hand-written equivalent's (SDK defaults, as a user would
// start it), or the bare baseline worker. Tells its parent "ready" over
// IPC; SIGTERM drains it (the SDK's default), SIGKILL is the crash the download benchmark needs.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { activityDepsFromConfig, createPollbackWorker } from '../src/worker';
import { baselineActivities } from './baseline/activities';
import { createHandwrittenActivities } from './handwritten/activities';

export type WorkerKind = 'pollback' | 'handwritten' | 'baseline';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench worker: ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const kind = process.env.BENCH_WORKER_KIND as WorkerKind;
  const bundle = process.env.BENCH_WORKFLOW_BUNDLE ?? '';
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '' });
  let worker: Worker;
  if (kind === 'pollback') {
    const config = loadConfig(process.env);
    const deps = await activityDepsFromConfig(config, process.env);
    worker = await createPollbackWorker({ connection, namespace: 'default', taskQueue: config.taskQueue, deps, workflowBundlePath: bundle });
  } else if (kind === 'handwritten') {
    worker = await Worker.create({
      connection,
      taskQueue: required('POLLBACK_TASK_QUEUE'),
      workflowBundle: { codePath: bundle },
      activities: createHandwrittenActivities({
        simulatorUrl: required('SIMULATOR_URL'),
        apiKey: required('SIMULATOR_API_KEY'),
        callbackUrl: required('HANDWRITTEN_CALLBACK_URL'),
        tokenKey: Buffer.from(required('HANDWRITTEN_TOKEN_KEY')),
        downloadDir: required('HANDWRITTEN_DOWNLOAD_DIR'),
        webhookSecret: required('HOOK_SECRET'),
      }),
    });
  } else {
    worker = await Worker.create({
      connection,
      taskQueue: process.env.POLLBACK_TASK_QUEUE ?? '',
      workflowBundle: { codePath: bundle },
      activities: baselineActivities,
    });
  }
  const running = worker.run();
  process.send?.('ready');
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench worker:', err);
    process.exit(1);
  },
);
