// Goal 5: a large result from the simulator to disk, Pollback's download activity (inside a
// real job on a worker process of its own: streamed to disk, hashed with sha256 on the way,
// fsynced) against the same work done by curl, sha256sum and sync on the very same pre-signed
// URL, and against curl alone (the machine's limit), in alternating rounds. CPU per GiB on each
// side: Pollback's from /proc (the worker and the Temporal server, from the callback that starts
// the download to the job's end), the baseline's from bash's `times` (bench/shell-download.ts).
// The driver is neither side's: it serves the bytes to both (the simulator runs in it).
// Then a crash at 50 %: the worker is SIGKILLed and a new one started, and the job must resume
// with a Range request rather than start over.
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
import { CpuMeter, memoryOf, sampleRss, threadCpuOf, type ThreadCpu } from './proc';
import { curlAlone, curlHashSync, type SameWorkRound } from './shell-download';
import { round } from './stats';
import { untilPhase } from './wait';

/** Rounds per side; each round runs all three, in an order reversed every other round (an even count: each order as often). */
const ROUNDS = 4;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface DownloadResult {
  bytes: number;
  rounds: number;
  /** Best of the rounds, MiB/s: Pollback's activity span, the same-work baseline's bash process, curl alone. */
  pollbackMiBps: number;
  sameWorkMiBps: number;
  curlMiBps: number;
  /** Pollback ÷ the same-work baseline: the goal. */
  ratio: number;
  /** The same, round by round (the two ran one right after the other): how much a busy machine moves it. */
  roundRatios: number[];
  /** Pollback ÷ curl alone: how far from the machine's limit. */
  curlRatio: number;
  /** CPU seconds per GiB over all rounds, by process (Pollback) or command (baseline). */
  cpuSecondsPerGiB: { pollback: Record<string, number>; sameWork: Record<string, number> };
  /** The worker's share of it by thread: where Pollback's CPU goes. */
  workerThreadSecondsPerGiB: ThreadCpu;
  curlPeakRssMb: number;
  worker: { idleRssMb: number; peakRssMb: number; peakAboveIdleMb: number };
  allRounds: {
    order: string[][];
    curlSeconds: number[];
    sameWorkSeconds: number[];
    pollbackSeconds: number[];
    sameWork: SameWorkRound[];
    pollbackCpuSeconds: Record<string, number>[];
    workerThreadSeconds: ThreadCpu[];
  };
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

type Side = 'curl alone' | 'same work' | 'Pollback';
const SIDES: readonly Side[] = ['curl alone', 'same work', 'Pollback'];

/** Sums per-round CPU seconds by name and divides by the GiB those rounds moved. */
function perGiB<T extends object>(rounds: readonly T[], bytesPerRound: number): T {
  const totals: Record<string, number> = {};
  for (const used of rounds) for (const [name, s] of Object.entries(used) as [string, number][]) totals[name] = (totals[name] ?? 0) + s;
  const gib = (rounds.length * bytesPerRound) / GIB;
  return Object.fromEntries(Object.entries(totals).map(([name, s]) => [name, round(s / gib, 3)])) as T;
}

function roundAll<T extends object>(values: T): T {
  return Object.fromEntries((Object.entries(values) as [string, number][]).map(([name, v]) => [name, round(v, 3)])) as T;
}

export async function runDownload(env: BenchEnvironment, megabytes: number): Promise<DownloadResult> {
  const bytes = megabytes * MIB;
  const url = await resultUrlOf(env, bytes);
  const output = { resultUrl: url };
  const taskQueue = `bench-download-${randomUUID()}`;
  const first = await env.startPollbackWorker({ taskQueue });
  const { downloadDir } = first;
  let { worker } = first;
  /** A job waiting for its callback; `release()` sends the callback, which starts the download. */
  const startJob = async (): Promise<{ workflowId: string; release: () => Promise<void>; result: () => Promise<JobResult> }> => {
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `dl-${randomUUID()}`, args: [callbackJob({ waitTime: 3_600, drop: true })] });
    await untilPhase(env.client, handle.workflowId, 'waiting-callback');
    return { workflowId: handle.workflowId, release: () => handle.signal(callbackSignal, { kind: 'success', output }), result: async () => (await handle.result()) as JobResult };
  };
  try {
    await sleep(1_000);
    const idleRssMb = memoryOf(worker.pid).rssMb;
    const curlSeconds: number[] = [];
    const sameWork: SameWorkRound[] = [];
    const pollbackSeconds: number[] = [];
    const pollbackCpuSeconds: Record<string, number>[] = [];
    const workerThreadSeconds: ThreadCpu[] = [];
    const order: Side[][] = [];
    let curlPeakRssMb = 0;
    let workerPeak = 0;
    // Every side must have hashed the same bytes, or it did not do the same work.
    const sha256s = new Set<string>();
    const run: Record<Side, () => Promise<string>> = {
      'curl alone': async () => {
        const viaCurl = await curlAlone(url, path.join(env.tmp, 'curl.out'));
        curlSeconds.push(viaCurl.seconds);
        curlPeakRssMb = Math.max(curlPeakRssMb, viaCurl.peakRssMb);
        return `curl alone ${(megabytes / viaCurl.seconds).toFixed(0)} MiB/s`;
      },
      'same work': async () => {
        const viaShell = await curlHashSync(url, path.join(env.tmp, 'same-work.out'));
        sameWork.push(viaShell);
        sha256s.add(viaShell.sha256);
        const steps = Object.entries(viaShell.stepSeconds).map(([name, s]) => `${name} ${s.toFixed(2)} s`).join(', ');
        return `same work ${(megabytes / viaShell.seconds).toFixed(0)} MiB/s (${steps})`;
      },
      Pollback: async () => {
        const job = await startJob();
        const rss = sampleRss(worker.pid, 20);
        // From the callback on: the download and the job's end, not its start and wait.
        const cpu = new CpuMeter({ worker: worker.pid, ...env.temporalPids() });
        const threadsBefore = threadCpuOf(worker.pid);
        await job.release();
        const result = await job.result();
        pollbackCpuSeconds.push(cpu.read());
        const threadsAfter = threadCpuOf(worker.pid);
        workerThreadSeconds.push({ main: threadsAfter.main - threadsBefore.main, core: threadsAfter.core - threadsBefore.core, otherThreads: threadsAfter.otherThreads - threadsBefore.otherThreads });
        workerPeak = Math.max(workerPeak, rss.stop());
        if (result.file?.size !== bytes) throw new Error(`download job ${job.workflowId} wrote ${result.file?.size} bytes, expected ${bytes}`);
        sha256s.add(result.file.sha256);
        // The activity's own span: the job's download timing, not the wait for the callback.
        pollbackSeconds.push((result.timings.downloadMs ?? NaN) / 1000);
        await rm(result.file.path, { force: true });
        return `Pollback ${(megabytes / (pollbackSeconds.at(-1) ?? NaN)).toFixed(0)} MiB/s`;
      },
    };
    for (let n = 1; n <= ROUNDS; n++) {
      // Reversed every other round: no side always runs right after another's disk writes.
      const sides = n % 2 === 1 ? [...SIDES] : [...SIDES].reverse();
      order.push(sides);
      const said: string[] = [];
      for (const side of sides) said.push(await run[side]());
      if (sha256s.size !== 1) throw new Error(`the sides hashed different bytes: ${[...sha256s].join(', ')}`);
      console.log(`  round ${n}: ${said.join('; ')}`);
    }

    console.log('  crash at 50 %: SIGKILL the worker mid-download, start another');
    const job = await startJob();
    await job.release();
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
    const sameWorkSeconds = sameWork.map((r) => r.seconds);
    return {
      bytes,
      rounds: ROUNDS,
      pollbackMiBps: round(best(pollbackSeconds)),
      sameWorkMiBps: round(best(sameWorkSeconds)),
      curlMiBps: round(best(curlSeconds)),
      ratio: round(best(pollbackSeconds) / best(sameWorkSeconds)),
      roundRatios: sameWorkSeconds.map((s, i) => round(s / (pollbackSeconds[i] ?? NaN))),
      curlRatio: round(best(pollbackSeconds) / best(curlSeconds)),
      cpuSecondsPerGiB: { pollback: perGiB(pollbackCpuSeconds, bytes), sameWork: perGiB(sameWork.map((r) => r.cpuSeconds), bytes) },
      workerThreadSecondsPerGiB: perGiB(workerThreadSeconds, bytes),
      curlPeakRssMb: round(curlPeakRssMb),
      worker: { idleRssMb: round(idleRssMb), peakRssMb: round(workerPeak), peakAboveIdleMb: round(workerPeak - idleRssMb) },
      allRounds: {
        order,
        curlSeconds: curlSeconds.map((s) => round(s, 3)),
        sameWorkSeconds: sameWorkSeconds.map((s) => round(s, 3)),
        pollbackSeconds: pollbackSeconds.map((s) => round(s, 3)),
        sameWork: sameWork.map((r) => ({ ...r, seconds: round(r.seconds, 3), stepSeconds: roundAll(r.stepSeconds), cpuSeconds: roundAll(r.cpuSeconds) })),
        pollbackCpuSeconds: pollbackCpuSeconds.map(roundAll),
        workerThreadSeconds: workerThreadSeconds.map(roundAll),
      },
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
