// Test access to the run's shared dev server (started by scripts/run-tests.ts): a client, and
// a real worker on a task queue of its own so test files can run side by side.
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, type ActivityInterceptorsFactory, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../src/activities';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../../src/profiles/loader';
import { createLogger, sdkLogger, setProcessLogger } from '../../src/telemetry/logger';
import { tracingClientInterceptors, tracingOn } from '../../src/telemetry/tracing';
import { parseKeyring } from '../../src/tokens/task-token';
import { limitedQueues } from '../../src/limits/queues';
import { createApiWorker, createPollbackWorker, runWorkers } from '../../src/worker';

/** Every log line of this test process (the SDK's and Pollback's, as JSON), so tests can scan logs for leaked secrets. */
export const workerLogs: string[] = [];
// The production logger, writing here: worker chatter drowns test output, so everything is kept
// in workerLogs and errors shown.
const testLogger = createLogger({
  level: 'debug',
  serviceName: 'pollback-test',
  destination: {
    write: (line: string) => {
      workerLogs.push(line);
      if (/"level":"(error|fatal)"/.test(line)) process.stderr.write(line);
    },
  },
});
setProcessLogger(testLogger);
Runtime.install({ logger: sdkLogger(testLogger) });

export const TEST_KEYS = 'k1:test-key-one-0123456789abcdefghijklmnop,k2:test-key-two-0123456789abcdefghijklmnop';
export const testKeyring = parseKeyring(TEST_KEYS);

function address(): string {
  const value = process.env.TEMPORAL_ADDRESS;
  if (!value) throw new Error('TEMPORAL_ADDRESS is not set: run tests through `npm test` or `npm run test:run -- <file>`');
  return value;
}

/** A client as the service makes one: traced when the test file started tracing; with `dataConverter` (pollbackDataConverter), it encrypts like the product. */
export async function testClient(dataConverter?: DataConverter): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: address() }), ...(dataConverter ? { dataConverter } : {}), interceptors: { workflow: tracingClientInterceptors() } });
}

export interface TestWorker {
  client: Client;
  taskQueue: string;
  worker: Worker;
  deps: ActivityDeps;
  stop(): Promise<void>;
}

/** A Temporal to run against other than the run's dev server, e.g. the time-skipping test server. */
export interface TemporalTarget {
  connection: NativeConnection;
  client: Client;
}

export interface TestWorkerOptions {
  temporal?: TemporalTarget;
  taskQueue?: string;
  /** Payload encryption (pollbackDataConverter): the worker and the client both use it. */
  dataConverter?: DataConverter;
  /** Activity interceptors of the test's own (after Pollback's), e.g. to deliver a callback at an exact moment. */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

export async function startTestWorker(overrides: Partial<ActivityDeps> & TestWorkerOptions = {}): Promise<TestWorker> {
  const taskQueue = overrides.taskQueue ?? `test-${randomUUID()}`;
  const deps: ActivityDeps = {
    profiles: overrides.profiles ?? (await loadProfiles([BUILTIN_PROFILES_DIR])),
    env: overrides.env ?? {},
    keyring: overrides.keyring ?? testKeyring,
    callbackBaseUrl: overrides.callbackBaseUrl ?? 'http://127.0.0.1:9/unused',
    downloadDir: overrides.downloadDir ?? (await mkdtemp(path.join(os.tmpdir(), 'pollback-downloads-'))),
    slackApiUrl: overrides.slackApiUrl ?? 'http://127.0.0.1:9/api/',
    webUiUrl: overrides.webUiUrl ?? 'http://localhost:8233',
    notifyAllowedHosts: overrides.notifyAllowedHosts ?? ['127.0.0.1', 'localhost'],
    allowInlineProfiles: overrides.allowInlineProfiles ?? true,
    ...(overrides.email ? { email: overrides.email } : {}),
    ...(overrides.s3 ? { s3: overrides.s3 } : {}),
    inputEnv: overrides.inputEnv ?? new Set(['SIMULATOR_URL', 'SIMULATOR_BEARER_TOKEN', 'SIMULATOR_API_KEY', 'SLACK_BOT_TOKEN', 'HOOK_SECRET']),
  };
  // Profiles with limits get their own task queues and workers, as in production.
  const apiQueues = limitedQueues(deps.profiles.values(), taskQueue, 1);
  if (apiQueues.length) deps.apiTaskQueues = new Map(apiQueues.map((queue) => [queue.profile, queue.taskQueue]));
  const connection = overrides.temporal?.connection ?? (await NativeConnection.connect({ address: address() }));
  // The harness's pre-built bundles, as the build makes them: the traced one for a test that traces.
  const bundle = tracingOn() ? process.env.POLLBACK_TEST_TRACED_BUNDLE : process.env.POLLBACK_WORKFLOW_BUNDLE;
  const converter = overrides.dataConverter ? { dataConverter: overrides.dataConverter } : {};
  const worker = await createPollbackWorker({ connection, namespace: 'default', taskQueue, deps, ...converter, ...(bundle ? { workflowBundlePath: bundle } : {}), ...(overrides.activityInterceptors ? { activityInterceptors: overrides.activityInterceptors } : {}) });
  const apiWorkers = await Promise.all(apiQueues.map((queue) => createApiWorker({ connection, namespace: 'default', queue, deps, ...converter })));
  const running = runWorkers([worker, ...apiWorkers]);
  const client = overrides.temporal?.client ?? (await testClient(overrides.dataConverter));
  return {
    client,
    taskQueue,
    worker,
    deps,
    async stop() {
      for (const w of [worker, ...apiWorkers]) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      if (!overrides.temporal) {
        await connection.close();
        await client.connection.close();
      }
    },
  };
}
