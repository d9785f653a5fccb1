// The Pollback worker: runs asyncJob workflows and their activities on the task queue, and the
// remote calls of every profile with `limits` on that profile's own task queue, limits applied.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { jitteredRetries } from './activities/retry-jitter';
import { pollbackDataConverter } from './codec/data-converter';
import { loadConfig, type Config } from './config';
import { describeQueue, limitedQueues, type LimitedQueue } from './limits/queues';
import { BUILTIN_PROFILES_DIR, loadProfiles } from './profiles/loader';
import { connectWorker } from './temporal/connection';

export interface PollbackWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** From pollbackDataConverter (payload encryption); the SDK's default when absent. */
  dataConverter?: DataConverter;
  /** Pre-bundled workflow code (tests bundle once per run); otherwise bundled at start. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

// Resolves to workflows/index.ts under tsx and workflows/index.js in the compiled build.
const WORKFLOWS_PATH = require.resolve('./workflows');
/** Written by `npm run build` beside the compiled worker; absent when running the sources. */
const PREBUILT_BUNDLE = path.join(__dirname, 'workflow-bundle.js');

/** Webpack's progress chatter hidden, its warnings and errors shown. */
export const quietBundlerLogger: NonNullable<BundleOptions['logger']> = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string) => console.warn(message), error: (message: string) => console.error(message),
};

/** The workflow code as the worker bundles it; for pre-bundling (tests, bench, chaos). */
export async function bundlePollbackWorkflows(): Promise<string> {
  return (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger })).code;
}

export async function createPollbackWorker(opts: PollbackWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    interceptors: { activity: [jitteredRetries] },
    // Downloads resume from their last recorded heartbeat: record it every 2 s, not every 24 s.
    maxHeartbeatThrottleInterval: '2s',
    ...opts.tuning,
  });
}

/** Activities only, on a limited profile's task queue, with this worker's share of the limits. */
export async function createApiWorker(opts: { connection: NativeConnection; namespace: string; queue: LimitedQueue; deps: ActivityDeps; dataConverter?: DataConverter }): Promise<Worker> {
  const { queue } = opts;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: queue.taskQueue,
    // Its activities take job params and return outputs: encrypted like the main worker's.
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    activities: createActivities(opts.deps),
    interceptors: { activity: [jitteredRetries] },
    maxHeartbeatThrottleInterval: '2s',
    ...(queue.slotsPerWorker !== undefined ? { maxConcurrentActivityTaskExecutions: queue.slotsPerWorker } : {}),
    ...(queue.limits.perSecond !== undefined
      ? {
          maxTaskQueueActivitiesPerSecond: queue.limits.perSecond,
          maxActivitiesPerSecond: queue.perSecondPerWorker,
          // One poll at a time: several long polls waiting together would all be answered at
          // once when tasks arrive, a burst the worker's own rate limit could not prevent.
          maxConcurrentActivityTaskPolls: 1,
        }
      : {}),
  });
}

/** The main worker and one per limited API, run together: one failing stops them all. */
export async function runWorkers(workers: readonly Worker[]): Promise<void> {
  const runs = workers.map((worker) => worker.run());
  try {
    await Promise.all(runs);
  } catch (err) {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled(runs);
    throw err;
  }
}

export async function activityDepsFromConfig(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<ActivityDeps & { apiQueues: LimitedQueue[] }> {
  const profiles = await loadProfiles(config.profilesDir ? [BUILTIN_PROFILES_DIR, config.profilesDir] : [BUILTIN_PROFILES_DIR]);
  const limited = limitedQueues(profiles.values(), config.taskQueue, config.workerProcesses);
  return {
    profiles,
    apiQueues: limited,
    apiTaskQueues: new Map(limited.map((queue) => [queue.profile, queue.taskQueue])),
    env,
    downloadDir: config.downloadDir,
    slackApiUrl: config.slackApiUrl,
    webUiUrl: config.webUiUrl,
    notifyAllowedHosts: config.notifyAllowedHosts,
    allowInlineProfiles: config.allowInlineProfiles,
    inputEnv: config.inputEnv,
    ...(config.email ? { email: config.email } : {}),
    s3: config.s3,
    ...(config.keyring ? { keyring: config.keyring } : {}),
    ...(config.publicUrl ? { callbackBaseUrl: config.publicUrl } : {}),
  };
}

export interface WorkerService {
  /** The main worker (workflows and unlimited activities). */
  worker: Worker;
  /** One per limited API. */
  apiWorkers: Worker[];
  /** Drains every worker: in-flight tasks finish. */
  shutdown(): void;
  /** Resolves when every worker has stopped (after shutdown() or a signal) and the connection closed. */
  done: Promise<void>;
}

export async function startWorkerService(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<WorkerService> {
  const { apiQueues, ...deps } = await activityDepsFromConfig(config, env);
  const { connection, namespace } = await connectWorker(env);
  const prebuilt = config.workflowBundlePath ?? (existsSync(PREBUILT_BUNDLE) ? PREBUILT_BUNDLE : undefined);
  const bundle = prebuilt ? { workflowBundlePath: prebuilt } : {};
  const dataConverter = pollbackDataConverter(config.payloadKeys);
  const worker = await createPollbackWorker({ connection, namespace, taskQueue: config.taskQueue, deps, dataConverter, ...bundle });
  const apiWorkers = await Promise.all(apiQueues.map((queue) => createApiWorker({ connection, namespace, queue, deps, dataConverter })));
  const workflows = prebuilt ? `bundle ${path.relative(process.cwd(), prebuilt)}` : 'bundled at start';
  // The active key's id only: key material never reaches a log.
  const encryption = config.payloadKeys ? `payloads encrypted (active key "${config.payloadKeys.activeKeyId}")` : 'payloads in clear';
  console.log(`pollback worker: task queue "${config.taskQueue}", namespace "${namespace}", workflows ${workflows}, ${encryption}, profiles: ${[...deps.profiles.keys()].join(', ')}`);
  for (const queue of apiQueues) console.log(`pollback worker: limits: ${describeQueue(queue, config.workerProcesses)}`);
  const all = [worker, ...apiWorkers];
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown of every worker: in-flight tasks finish.
  const done = runWorkers(all).finally(() => connection.close());
  return {
    worker,
    apiWorkers,
    shutdown: () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
    },
    done,
  };
}

async function main(): Promise<void> {
  const { done } = await startWorkerService(loadConfig(), process.env);
  await done;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
