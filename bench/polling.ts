// What polling costs, before and after polling moved into one heartbeating activity, side by
// side in one run. "After" is today's code; "before" is the workflow code of the commit before
// that change (extracted with git, bundled the same way), run by the same worker build: every
// poll a timer, an activity and two workflow tasks. One job per poll count polls the simulator
// until its `completeAfterReads`-th status read, at a 1 ms interval (the dev server fires short
// timers on time); then the rate one worker sustains with many jobs polling at once.
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_TYPE } from '../src/contract/names';
import type { JobResult } from '../src/contract/job-status';
import { quietBundlerLogger } from '../src/worker';
import type { JobInputJson } from '../src/contract/job-input';
import type { BenchEnvironment } from './environment';
import { historyLength, runIds } from './jobs';
import { CpuMeter } from './proc';
import { forEachLimited, progress, round } from './stats';

export interface PollHistory {
  polls: number;
  runs: number;
  seconds: number;
  pollsPerSecond: number;
  /** Largest single run's history: the bound that matters (Temporal limits one run, not a chain). */
  maxEventsPerRun: number;
  totalEvents: number;
  eventsPerPoll: number;
}

export interface Sustained {
  jobs: number;
  pollsPerJob: number;
  seconds: number;
  pollsPerSecond: number;
  cpuMsPerPoll: Record<string, number>;
}

export interface PollingSide {
  histories: PollHistory[];
  sustained: Sustained;
}

export interface PollingResult {
  after: PollingSide;
  /** Absent when the code before the change cannot be had (no git history). */
  before?: PollingSide & { commit: string };
}

export interface PollingSizes {
  /** Poll counts measured one job each, today's code. */
  polls: number[];
  /** Poll counts for the code before (each poll ~0.3 s of a single job there). */
  pollsBefore: number[];
  pollers: { jobs: number; pollsPerJob: number };
  pollersBefore: { jobs: number; pollsPerJob: number };
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
  const total = lengths.reduce((a, b) => a + b, 0);
  return {
    polls: result.polls,
    runs: result.runs,
    seconds: round(seconds),
    pollsPerSecond: round(result.polls / seconds),
    maxEventsPerRun: Math.max(...lengths),
    totalEvents: total,
    eventsPerPoll: round(total / result.polls, 3),
  };
}

async function measure(env: BenchEnvironment, label: string, workflowBundle: string | undefined, pollCounts: readonly number[], pollers: { jobs: number; pollsPerJob: number }): Promise<PollingSide> {
  const { worker, taskQueue } = await env.startPollbackWorker(workflowBundle ? { workflowBundle } : {});
  try {
    const histories: PollHistory[] = [];
    // One at a time: each job's duration is then its own polling rate, undisturbed.
    for (const polls of pollCounts) {
      console.log(`  ${label}: one job, ${polls} polls…`);
      const { workflowId, result, seconds } = await pollToCompletion(env, taskQueue, polls);
      histories.push(await history(env, workflowId, result, seconds));
    }
    console.log(`  ${label}: ${pollers.jobs} jobs × ${pollers.pollsPerJob} polls at once…`);
    const cpu = new CpuMeter({ ...env.temporalPids(), worker: worker.pid, driver: process.pid });
    const started = Date.now();
    await forEachLimited(pollers.jobs, pollers.jobs, async () => void (await pollToCompletion(env, taskQueue, pollers.pollsPerJob)), progress('polling jobs done', pollers.jobs));
    const seconds = (Date.now() - started) / 1000;
    const polls = pollers.jobs * pollers.pollsPerJob;
    const used = cpu.read();
    return {
      histories,
      sustained: {
        ...pollers,
        seconds: round(seconds),
        pollsPerSecond: round(polls / seconds),
        cpuMsPerPoll: Object.fromEntries(Object.entries(used).map(([name, s]) => [name, round((s * 1000) / polls, 3)])),
      },
    };
  } finally {
    await worker.stop();
  }
}

/**
 * The workflow code from just before polling moved into an activity: the parent of the commit
 * that introduced the `poll-in-activity` patch, extracted under bench/ (so it resolves this
 * checkout's node_modules) and bundled as the worker bundles workflows.
 */
async function bundleBefore(tmp: string): Promise<{ file: string; commit: string } | undefined> {
  const root = path.resolve(__dirname, '..');
  let commit: string;
  try {
    const introducing = execSync(`git log --format=%H --reverse -S"'poll-in-activity'" -- src/workflows/completion.ts`, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]?.trim();
    if (!introducing) return undefined;
    commit = execSync(`git rev-parse ${introducing}^`, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const dir = path.join(root, 'bench', '.before', commit.slice(0, 12));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  execSync(`git archive ${commit} src | tar -x -C ${JSON.stringify(dir)}`, { cwd: root });
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(dir, 'src/workflows/index.ts'), logger: quietBundlerLogger });
  const file = path.join(tmp, 'pollback-before-bundle.js');
  await writeFile(file, code);
  return { file, commit };
}

export async function runPolling(env: BenchEnvironment, sizes: PollingSizes): Promise<PollingResult> {
  const after = await measure(env, 'after (one activity)', undefined, sizes.polls, sizes.pollers);
  const old = await bundleBefore(env.tmp);
  if (!old) {
    console.log('  before: no git history here, so no side-by-side figures');
    return { after };
  }
  const before = await measure(env, `before (timers, ${old.commit.slice(0, 8)})`, old.file, sizes.pollsBefore, sizes.pollersBefore);
  return { after, before: { ...before, commit: old.commit } };
}
