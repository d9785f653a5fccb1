// The whole product on loopback for a test file: the simulator, the gateway (callbacks), and a
// real worker on the shared dev server, wired the way production wires them.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ActivityDeps } from '../../src/activities';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { buildGateway } from '../../src/gateway/app';
import type { GatewayLogger } from '../../src/gateway/request-log';
import { DEFAULT_WEBHOOK_SECRET, startSimulator, type Simulator } from '../../dev/simulator';
import type { JobInputJson } from '../../src/contract/job-input';
import type { asyncJob } from '../../src/workflows/async-job';
import { watchConformance } from './openapi-conformance';
import { startTestWorker, testClient, testKeyring, type TemporalTarget, type TestWorker, type TestWorkerOptions } from './temporal';

export const SIM_CREDENTIALS = { bearerToken: 'sim-bearer-token-for-tests-7f3a', apiKey: 'sim-api-key-for-tests-91bc' };

export interface Stack extends TestWorker {
  sim: Simulator;
  gateway: FastifyInstance;
  gatewayUrl: string;
  start(input: JobInputJson, workflowId?: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof asyncJob>>;
}

/** Extra worker settings: more environment (notification secrets), a Slack-compatible API URL, …; and the gateway's logger. */
export type StackExtras = Partial<Omit<ActivityDeps, 'env'>> & Pick<TestWorkerOptions, 'activityInterceptors'> & { env?: Record<string, string>; gatewayLogger?: GatewayLogger };

export async function startStack(temporal?: TemporalTarget, { gatewayLogger, ...extras }: StackExtras = {}): Promise<Stack> {
  const sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  const gatewayClient = temporal?.client ?? (await testClient());
  const gateway = await buildGateway({ client: gatewayClient, keyring: testKeyring, env: { SIMULATOR_WEBHOOK_SECRET: DEFAULT_WEBHOOK_SECRET }, ...(gatewayLogger ? { logger: gatewayLogger } : {}) });
  const { conformance } = watchConformance(gateway);
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const gatewayUrl = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  const worker = await startTestWorker({
    ...extras,
    env: { SIMULATOR_URL: sim.url, SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken, SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey, ...extras.env },
    callbackBaseUrl: gatewayUrl,
    ...(temporal ? { temporal } : {}),
  });
  return {
    ...worker,
    sim,
    gateway,
    gatewayUrl,
    start: (input, workflowId = `job-${randomUUID()}`) =>
      worker.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: worker.taskQueue, workflowId, args: [input] }),
    async stop() {
      await gateway.close();
      if (!temporal) await gatewayClient.connection.close();
      await worker.stop();
      await sim.close();
      conformance().assertConforms();
    },
  };
}
