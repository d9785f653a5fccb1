// Goal 5: a large result from the simulator to disk, Pollback's download activity (inside a
// real job on a worker process of its own) against curl on the very same pre-signed URL, in
// alternating rounds. Then a crash at 50 %: the worker is SIGKILLed and a new one started, and
// the job must resume with a Range request rather than start over.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { partialPath } from '../src/activities/download-result';
import { WORKFLOW_TYPE } from '../src/contract/names';
import type { JobResult } from '../src/contract/job-status';
import { callbackSignal } from '../src/contract/messages';
import { SIM_CREDENTIALS, type BenchEnvironment } from './environment';
import { callbackJob } from './jobs';
import { memoryOf, sampleRss } from './proc';
import { round } from './stats';
import { untilPhase } from './wait';

const ROUNDS = 2;
const MIB = 1024 * 1024;

export interface DownloadResult {
  bytes: number;
  rounds: number;
  /** Best of the rounds, MiB/s. */
  curlMiBps: number;
  pollbackMiBps: number;
  ratio: number;
  curlPeakRssMb: number;
  worker: { idleRssMb: number; peakRssMb: number; peakAboveIdleMb: number };
  allRounds: { curlSeconds: number[]; pollbackSeconds: number[] };
  resume: { killedAtBytes: number; secondsKillToResumed: number; secondsKillToDone: number; rangedRequests: number };
}

async function json(url: string): Promise<Record<string, unknown>> {
  const res = await request(url, { headers: { authorization: `Bearer ${SIM_CREDENTIALS.bearerToken}`, 'x-api-key': SIM_CREDENTIALS.apiKey } });
  return (await res.body.json()) as Record<string, unknown>;
}

/** A completed simulator job of `bytes` and its pre-signed result URL, checksum already computed. */
async function resultUrlOf(env: BenchEnvironment, bytes: number): Promise<string> {
  const scenario = JSON.stringify({ durationMs: 0, resultSize: bytes, resultUrlTtlSeconds: 3_600 });
  const started = await json(`${env.sim.url}/aso/v1/reports/bench/async?scenario=${encodeURIComponent(scenario)}`);
  const status = await json(String(started.statusUrl));
  const url = String(status.resultUrl);
  // The simulator hashes a result on its first request: do that before anything is timed.
  const warm = await request(url, { headers: { range: 'bytes=0-0' } });
  await warm.body.dump();
  return url;
}

async function curl(url: string, file: string): Promise<{ seconds: number; peakRssMb: number }> {
  const t0 = performance.now();
  const child = spawn('curl', ['-sS', '--fail', '-o', file, url], { stdio: ['ignore', 'ignore', 'inherit'] });
  const rss = sampleRss(child.pid ?? -1, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = rss.stop();
  if (code !== 0) throw new Error(`curl exited with ${code}`);
  await rm(file, { force: true });
  return { seconds, peakRssMb };
}

export async function runDownload(env: BenchEnvironment, megabytes: number): Promise<DownloadResult> {
  const bytes = megabytes * MIB;
  const url = await resultUrlOf(env, bytes);
  const output = { resultUrl: url };
  const taskQueue = `bench-download-${randomUUID()}`;
  const first = await env.startPollbackWorker({ taskQueue });
  const { downloadDir } = first;
  let { worker } = first;
  const startJob = async (): Promise<{ workflowId: string; result: () => Promise<JobResult> }> => {
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `dl-${randomUUID()}`, args: [callbackJob({ waitTime: 3_600, drop: true })] });
    await untilPhase(env.client, handle.workflowId, 'waiting-callback');
    await handle.signal(callbackSignal, { kind: 'success', output });
    return { workflowId: handle.workflowId, result: async () => (await handle.result()) as JobResult };
  };
  try {
    await sleep(1_000);
    const idleRssMb = memoryOf(worker.pid).rssMb;
    const curlSeconds: number[] = [];
    const pollbackSeconds: number[] = [];
    let curlPeakRssMb = 0;
    let workerPeak = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const viaCurl = await curl(url, path.join(env.tmp, 'curl.out'));
      curlSeconds.push(viaCurl.seconds);
      curlPeakRssMb = Math.max(curlPeakRssMb, viaCurl.peakRssMb);
      const rss = sampleRss(worker.pid, 20);
      const job = await startJob();
      const result = await job.result();
      workerPeak = Math.max(workerPeak, rss.stop());
      if (result.file?.size !== bytes) throw new Error(`download job ${job.workflowId} wrote ${result.file?.size} bytes, expected ${bytes}`);
      // The activity's own span: the job's download timing, not the wait for the callback.
      pollbackSeconds.push((result.timings.downloadMs ?? NaN) / 1000);
      await rm(result.file.path, { force: true });
      console.log(`  round ${round}: curl ${(megabytes / viaCurl.seconds).toFixed(0)} MiB/s, Pollback ${(megabytes / (pollbackSeconds.at(-1) ?? NaN)).toFixed(0)} MiB/s`);
    }

    console.log('  crash at 50 %: SIGKILL the worker mid-download, start another');
    const job = await startJob();
    const partial = partialPath({ downloadDir }, job.workflowId);
    const sizeOnDisk = (): Promise<number> => stat(partial).then((s) => s.size, () => 0);
    while ((await sizeOnDisk()) < bytes / 2) await sleep(10);
    await worker.kill();
    const killedAt = performance.now();
    const killedAtBytes = await sizeOnDisk();
    const rangedBefore = env.sim.counters().rangedDownloads;
    ({ worker } = await env.startPollbackWorker({ taskQueue, downloadDir }));
    let resumedAt = NaN;
    const watch = (async () => {
      while (Number.isNaN(resumedAt) && env.sim.counters().rangedDownloads === rangedBefore) await sleep(50);
      resumedAt = performance.now();
    })();
    const result = await job.result();
    const doneAt = performance.now();
    await watch;
    if (result.file?.size !== bytes) throw new Error(`resumed download wrote ${result.file?.size} bytes, expected ${bytes}`);
    await rm(result.file.path, { force: true });
    const best = (seconds: number[]): number => megabytes / Math.min(...seconds);
    return {
      bytes,
      rounds: ROUNDS,
      curlMiBps: round(best(curlSeconds)),
      pollbackMiBps: round(best(pollbackSeconds)),
      ratio: round(best(pollbackSeconds) / best(curlSeconds)),
      curlPeakRssMb: round(curlPeakRssMb),
      worker: { idleRssMb: round(idleRssMb), peakRssMb: round(workerPeak), peakAboveIdleMb: round(workerPeak - idleRssMb) },
      allRounds: { curlSeconds: curlSeconds.map((s) => round(s, 3)), pollbackSeconds: pollbackSeconds.map((s) => round(s, 3)) },
      resume: {
        killedAtBytes,
        secondsKillToResumed: round((resumedAt - killedAt) / 1000),
        secondsKillToDone: round((doneAt - killedAt) / 1000),
        rangedRequests: env.sim.counters().rangedDownloads - rangedBefore,
      },
    };
  } finally {
    await worker.stop();
  }
}
