// Goal 4: what polling costs in history. One job per poll count, each polling the simulator
// until its `completeAfterReads`-th status read, with a 1 ms interval (the dev server fires
// short timers on time). History must stay bounded by continue-as-new however many polls.
// Then the rate one worker sustains: many jobs polling at once.
import { randomUUID } from 'node:crypto';
import { WORKFLOW_TYPE, type JobResult } from '../src/contract';
import type { JobInputJson } from '../src/workflows/input';
import type { BenchEnvironment } from './environment';
import { historyLength, runIds } from './jobs';
import { CpuMeter } from './proc';
import { forEachLimited, progress, round } from './stats';

export interface PollHistory {
  polls: number;
  runs: number;
  seconds: number;
  /** Largest single run's history: the bound that matters (Temporal limits one run, not a chain). */
  maxEventsPerRun: number;
  lastRunEvents: number;
  totalEvents: number;
  eventsPerPoll: number;
}

export interface PollingResult {
  histories: PollHistory[];
  sustained: { jobs: number; pollsPerJob: number; seconds: number; pollsPerSecond: number; cpuMsPerPoll: Record<string, number> };
}

function pollJob(polls: number): JobInputJson {
  return {
    profile: 'aso-export',
    params: { reportId: 'bench', scenario: { completeAfterReads: polls } },
    completion: { mode: 'poll', timeout: '1h', poll: { interval: 1, backoff: 1, maxInterval: 1 } },
    download: false,
  };
}

async function pollToCompletion(env: BenchEnvironment, taskQueue: string, polls: number): Promise<{ workflowId: string; result: JobResult; seconds: number }> {
  const started = Date.now();
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `poll-${polls}-${randomUUID()}`, args: [pollJob(polls)] });
  const result = (await handle.result()) as JobResult;
  if (result.polls !== polls) throw new Error(`job ${handle.workflowId} polled ${result.polls} times, expected ${polls}`);
  return { workflowId: handle.workflowId, result, seconds: (Date.now() - started) / 1000 };
}

async function history(env: BenchEnvironment, workflowId: string, result: JobResult, seconds: number): Promise<PollHistory> {
  const runs = await runIds(env.client, workflowId);
  const lengths: number[] = [];
  await forEachLimited(runs.length, 10, async (index) => void lengths.push(await historyLength(env.client, workflowId, runs[index])));
  const last = await historyLength(env.client, workflowId);
  const total = lengths.reduce((a, b) => a + b, 0);
  return { polls: result.polls, runs: result.runs, seconds: round(seconds), maxEventsPerRun: Math.max(...lengths), lastRunEvents: last, totalEvents: total, eventsPerPoll: round(total / result.polls) };
}

export async function runPolling(env: BenchEnvironment, pollCounts: readonly number[], sustained: { jobs: number; pollsPerJob: number }): Promise<PollingResult> {
  const { worker, taskQueue } = await env.startPollbackWorker();
  try {
    const histories: PollHistory[] = [];
    // One at a time: each job's duration is then its own polling rate, undisturbed.
    for (const polls of pollCounts) {
      console.log(`  one job, ${polls} polls…`);
      const { workflowId, result, seconds } = await pollToCompletion(env, taskQueue, polls);
      histories.push(await history(env, workflowId, result, seconds));
    }
    console.log(`  ${sustained.jobs} jobs × ${sustained.pollsPerJob} polls at once…`);
    const cpu = new CpuMeter({ devServer: env.server.pid, worker: worker.pid, driver: process.pid });
    const started = Date.now();
    await forEachLimited(sustained.jobs, sustained.jobs, async () => void (await pollToCompletion(env, taskQueue, sustained.pollsPerJob)), progress('polling jobs done', sustained.jobs));
    const seconds = (Date.now() - started) / 1000;
    const polls = sustained.jobs * sustained.pollsPerJob;
    const used = cpu.read();
    return {
      histories,
      sustained: {
        ...sustained,
        seconds: round(seconds),
        pollsPerSecond: round(polls / seconds),
        cpuMsPerPoll: Object.fromEntries(Object.entries(used).map(([name, s]) => [name, round((s * 1000) / polls)])),
      },
    };
  } finally {
    await worker.stop();
  }
}
