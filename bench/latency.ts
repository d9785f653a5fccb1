// Goal 2: a remote system's call to the gateway until the workflow has resumed, against a
// direct client signal, on the same worker and jobs. "Resumed" is observed from outside: the
// resumed workflow's download request reaching a result server. Samples alternate between the
// two paths, one at a time, so neither sees the other's load.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { request } from 'undici';
import { WORKFLOW_TYPE } from '../src/contract/names';
import type { CallbackSignal } from '../src/contract/signals';
import { mintToken } from '../src/tokens/task-token';
import { callbackSignal } from '../src/contract/messages';
import type { BenchEnvironment } from './environment';
import { callbackJob } from './jobs';
import { startResultServer } from './result-server';
import { forEachLimited, percentile, progress, round } from './stats';
import { untilPhase } from './wait';

export interface PathLatency {
  samples: number;
  /** Call sent → workflow resumed (its download request arrives), ms. */
  resumedMs: { p50: number; p99: number };
  /** Call sent → the caller's answer (HTTP 200 from the gateway, or the signal RPC returning), ms. */
  answeredMs: { p50: number; p99: number };
}

export interface LatencyResult {
  gateway: PathLatency;
  direct: PathLatency;
  overheadP50Ms: number;
  overheadP99Ms: number;
}

const summarise = (resumed: number[], answered: number[]): PathLatency => ({
  samples: resumed.length,
  resumedMs: { p50: round(percentile(resumed, 50)), p99: round(percentile(resumed, 99)) },
  answeredMs: { p50: round(percentile(answered, 50)), p99: round(percentile(answered, 99)) },
});

export async function runLatency(env: BenchEnvironment, samples: number): Promise<LatencyResult> {
  const results = await startResultServer();
  const { worker, taskQueue } = await env.startPollbackWorker();
  const input = callbackJob({ waitTime: 3_600, drop: true });
  try {
    const warmUp = 10;
    const total = 2 * samples + warmUp;
    const handles: WorkflowHandle[] = [];
    const runIds = new Map<string, string>();
    await forEachLimited(total, 20, async () => {
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `lat-${randomUUID()}`, args: [input] });
      runIds.set(handle.workflowId, handle.firstExecutionRunId);
      await untilPhase(env.client, handle.workflowId, 'waiting-callback');
      handles.push(handle);
    }, progress('jobs waiting', total));

    const viaGateway = async (handle: WorkflowHandle, signal: CallbackSignal & { kind: 'success' }): Promise<void> => {
      const token = mintToken(env.keyring, { workflowId: handle.workflowId, runId: runIds.get(handle.workflowId) ?? '', expiresAt: Date.now() + 3_600_000 });
      const res = await request(`${env.gatewayUrl}/v1/callbacks/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'success', output: signal.output }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`gateway answered ${res.statusCode}: ${text}`);
    };
    const direct = async (handle: WorkflowHandle, signal: CallbackSignal): Promise<void> => handle.signal(callbackSignal, signal);

    const measured = { gateway: { resumed: [] as number[], answered: [] as number[] }, direct: { resumed: [] as number[], answered: [] as number[] } };
    const report = progress('latency samples', handles.length);
    for (const [index, handle] of handles.entries()) {
      const path = index % 2 === 0 ? 'gateway' : 'direct';
      const signal = { kind: 'success' as const, output: { resultUrl: `${results.url}/${encodeURIComponent(handle.workflowId)}` } };
      const arrived = results.arrival(handle.workflowId);
      const t0 = performance.now();
      await (path === 'gateway' ? viaGateway(handle, signal) : direct(handle, signal));
      const answered = performance.now() - t0;
      const resumed = (await arrived) - t0;
      await handle.result();
      if (index >= warmUp) {
        measured[path].resumed.push(resumed);
        measured[path].answered.push(answered);
      }
      report(index + 1);
    }
    const gateway = summarise(measured.gateway.resumed, measured.gateway.answered);
    const directPath = summarise(measured.direct.resumed, measured.direct.answered);
    return {
      gateway,
      direct: directPath,
      overheadP50Ms: round(gateway.resumedMs.p50 - directPath.resumedMs.p50),
      overheadP99Ms: round(gateway.resumedMs.p99 - directPath.resumedMs.p99),
    };
  } finally {
    await worker.stop();
    await results.close();
  }
}
