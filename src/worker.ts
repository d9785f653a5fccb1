// The Pollback worker: runs asyncJob workflows and their activities on the task queue, and the
// remote calls of every profile with `limits` on that profile's own task queue, limits applied.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type ActivityInterceptorsFactory, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { jitteredRetries } from './activities/retry-jitter';
import { pollbackDataConverter } from './codec/data-converter';
import { loadConfig, type Config } from './config';
import { describeQueue, limitedQueues, type LimitedQueue } from './limits/queues';
import { BUILTIN_PROFILES_DIR, loadProfiles } from './profiles/loader';
import { connectWorker } from './temporal/connection';
import { startTelemetry } from './telemetry';
import { logger } from './telemetry/logger';
import { tracingActivityInterceptors, tracingClientInterceptors, tracingOn, workflowTracingSinks } from './telemetry/tracing';

export interface PollbackWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** From pollbackDataConverter (payload encryption); the SDK's default when absent. */
  dataConverter?: DataConverter;
  /** Pre-bundled workflow code (tests bundle once per run); otherwise bundled at start. */
  workflowBundlePath?: string;
  /** More activity interceptors, after Pollback's own (an audit, a metric; the race tests act at an exact moment with one). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

// Resolves to workflows/index.ts under tsx and workflows/index.js in the compiled build.
const WORKFLOWS_PATH = require.resolve('./workflows');
// The workflow interceptors, bundled with the workflow code whether it is bundled ahead or at start.
const WORKFLOW_INTERCEPTORS_PATH = require.resolve('./workflows/interceptors');
/**
 * Written by `npm run build` beside the compiled worker (absent when running the sources): the
 * workflow code alone, and with the OpenTelemetry workflow interceptors for a worker that traces.
 * Two bundles, because the SDK evaluates a workflow's modules anew for every execution and the
 * interceptors' OpenTelemetry modules would more than double that cost for every job (measured:
 * 7.7 → 19.3 ms for a job that only reads its input), traced or not.
 */
export const prebuiltBundle = (tracing: boolean): string => path.join(__dirname, tracing ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');

/** Webpack's progress chatter hidden, its warnings and errors logged. */
export const quietBundlerLogger: NonNullable<BundleOptions['logger']> = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string) => logger().warn({ component: 'bundler' }, message),
  error: (message: string) => logger().error({ component: 'bundler' }, message),
};

/** The workflow code as the worker bundles it; for pre-bundling (build, tests, bench, chaos). `tracing`: with the workflow interceptors. */
export async function bundlePollbackWorkflows(opts: { tracing: boolean } = { tracing: false }): Promise<string> {
  return (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...(opts.tracing ? { workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH] } : {}), logger: quietBundlerLogger })).code;
}

export async function createPollbackWorker(opts: PollbackWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    interceptors: {
      activity: [jitteredRetries, ...tracingActivityInterceptors(), ...(opts.activityInterceptors ?? [])],
      // The client too: activities signal their workflow (poll and download progress) in the job's trace.
      client: { workflow: tracingClientInterceptors() },
      // Bundled at start: with the workflow interceptors when this process traces; a prebuilt
      // bundle has them or not (bundlePollbackWorkflows).
      ...(opts.workflowBundlePath || !tracingOn() ? {} : { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] }),
    },
    sinks: workflowTracingSinks(),
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
    interceptors: { activity: [jitteredRetries, ...tracingActivityInterceptors()], client: { workflow: tracingClientInterceptors() } },
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
  const built = prebuiltBundle(tracingOn());
  const prebuilt = config.workflowBundlePath ?? (existsSync(built) ? built : undefined);
  const bundle = prebuilt ? { workflowBundlePath: prebuilt } : {};
  const dataConverter = pollbackDataConverter(config.payloadKeys);
  const worker = await createPollbackWorker({ connection, namespace, taskQueue: config.taskQueue, deps, dataConverter, ...bundle });
  const apiWorkers = await Promise.all(apiQueues.map((queue) => createApiWorker({ connection, namespace, queue, deps, dataConverter })));
  const workflows = prebuilt ? `bundle ${path.relative(process.cwd(), prebuilt)}` : 'bundled at start';
  const profiles = [...deps.profiles.keys()];
  // The active key's id only: key material never reaches a log.
  const encryption = config.payloadKeys ? `payloads encrypted (active key "${config.payloadKeys.activeKeyId}")` : 'payloads in clear';
  // The message says it all for a person reading the output; the fields are for machines.
  logger().info({ taskQueue: config.taskQueue, namespace, workflows, profiles, encryption }, `pollback worker: task queue "${config.taskQueue}", namespace "${namespace}", workflows ${workflows}, ${encryption}, profiles: ${profiles.join(', ')}`);
  for (const queue of apiQueues) logger().info({ taskQueue: queue.taskQueue, profile: queue.profile }, `pollback worker: limits: ${describeQueue(queue, config.workerProcesses)}`);
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
  const telemetry = startTelemetry('pollback-worker', process.env, { workers: true });
  try {
    const { done } = await startWorkerService(loadConfig(), process.env);
    await done;
  } finally {
    await telemetry.shutdown();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger().fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
