// The Pollback worker: runs asyncJob workflows and their activities on the task queue.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { loadConfig, type Config } from './config';
import { BUILTIN_PROFILES_DIR, loadProfiles } from './profiles/loader';
import { connectWorker } from './temporal/connection';

export interface PollbackWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
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
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    // Downloads resume from their last recorded heartbeat: record it every 2 s, not every 24 s.
    maxHeartbeatThrottleInterval: '2s',
    ...opts.tuning,
  });
}

export async function activityDepsFromConfig(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<ActivityDeps> {
  const profiles = await loadProfiles(config.profilesDir ? [BUILTIN_PROFILES_DIR, config.profilesDir] : [BUILTIN_PROFILES_DIR]);
  return {
    profiles,
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
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown() or a signal) and its connection closed. */
  done: Promise<void>;
}

export async function startWorkerService(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<WorkerService> {
  const deps = await activityDepsFromConfig(config, env);
  const { connection, namespace } = await connectWorker(env);
  const prebuilt = config.workflowBundlePath ?? (existsSync(PREBUILT_BUNDLE) ? PREBUILT_BUNDLE : undefined);
  const bundle = prebuilt ? { workflowBundlePath: prebuilt } : {};
  const worker = await createPollbackWorker({ connection, namespace, taskQueue: config.taskQueue, deps, ...bundle });
  const workflows = prebuilt ? `bundle ${path.relative(process.cwd(), prebuilt)}` : 'bundled at start';
  console.log(`pollback worker: task queue "${config.taskQueue}", namespace "${namespace}", workflows ${workflows}, profiles: ${[...deps.profiles.keys()].join(', ')}`);
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: in-flight tasks finish.
  const done = worker.run().finally(() => connection.close());
  return { worker, done };
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
