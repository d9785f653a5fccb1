// `npm run chaos [-- --short] [--cluster]`: the fault and abuse suite. Real processes on loopback
// (Temporal dev server, simulator, gateway, workers), real faults (kill -9, restarts, outages,
// floods) and hostile input; prints a table of figures, writes chaos/results/latest.json (with
// --cluster: cluster-latest.json), and exits non-zero unless every loss column is zero and every
// hostile request was refused the right way. `--cluster` runs the cluster family instead: a real
// Temporal cluster on PostgreSQL and Pollback scaled out behind HAProxy (chaos/faults/cluster/).
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from './cluster';
import type { FaultReport, HostileCase, RunContext } from './family';
import { duplicateCallbacks } from './faults/duplicate-callbacks';
import { restartTemporal } from './faults/dev-server-restart';
import { takeGatewayDown } from './faults/gateway-down';
import { simulatorOutages } from './faults/simulator-outages';
import { killWorkers } from './faults/worker-kill';
import { killBalancedGateway } from './faults/cluster/balanced-gateway-kill';
import { killFleetWorker } from './faults/cluster/fleet-worker-kill';
import { restartPostgres } from './faults/cluster/postgres-restart';
import { steadyLoad } from './faults/cluster/steady-load';
import { killTemporalServices } from './faults/cluster/temporal-services';
import { hostileRequests } from './hostile/gateway-requests';
import { hostileInputs } from './hostile/inputs';
import { scanForSecrets } from './hostile/secrets';
import { HostileServer } from './hostile/server';
import { JobBook, remoteStarts, type Verdict } from './jobs';
import { isClean, render, rows, total } from './table';

/** Longest any job may take after its faults before it counts as lost. */
const JOB_BOUND_MS = 120_000;

/** The cluster family: every fault in turn under a steady load through the balancer (full: two rounds, four minutes of load at least). */
async function clusterFaults(ctx: RunContext): Promise<FaultReport[]> {
  const load = steadyLoad(ctx, ctx.short ? 2_000 : 1_000);
  const faults: FaultReport[] = [];
  const rounds = ctx.short ? 1 : 2;
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) ctx.log(`round ${round} of ${rounds}`);
    ctx.log('each Temporal service killed (kill -9) and restarted in turn, jobs at every stage');
    faults.push(...(await killTemporalServices(ctx)));
    ctx.log('PostgreSQL stopped and restarted mid-flight');
    faults.push(await restartPostgres(ctx));
    ctx.log('one of two gateways killed behind HAProxy while callbacks are due');
    faults.push(await killBalancedGateway(ctx));
    ctx.log('one of two Pollback workers killed mid-flight');
    faults.push(await killFleetWorker(ctx));
  }
  ctx.log('steady load: finishing');
  faults.push(await load.finish(ctx.short ? 0 : 240_000));
  // One row per family however many rounds: the faults of each add up.
  const merged = new Map<string, FaultReport>();
  for (const f of faults) {
    const seen = merged.get(f.family);
    merged.set(f.family, seen ? { family: f.family, injected: seen.injected + f.injected, notes: [...seen.notes, ...f.notes] } : f);
  }
  return [...merged.values()];
}

async function main(): Promise<number> {
  const short = process.argv.includes('--short');
  const scaled = process.argv.includes('--cluster');
  const startedAt = Date.now();
  const log = (line: string): void => console.log(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-chaos-'));
  // PostgreSQL of the cluster run may run as its own user (never root): it must enter this folder.
  if (scaled) await chmod(dir, 0o711);
  const mode = `${short ? 'short' : 'full'}${scaled ? ' cluster' : ''}`;
  log(`${mode} run in ${dir}`);
  const cluster = await startCluster(dir, log, { scaled });
  const hostile = await HostileServer.start();
  const ctx: RunContext = { cluster, book: new JobBook(cluster), short, log };
  const faults: FaultReport[] = [];
  const cases: HostileCase[] = [];
  try {
    if (scaled) faults.push(...(await clusterFaults(ctx)));
    else await devServerFaults(ctx, hostile, faults, cases);
    log(`waiting for all ${ctx.book.jobs.length} jobs`);
    const verdicts = await Promise.all(ctx.book.jobs.map(async (job) => ctx.book.verdict(job, await remoteStarts(cluster), JOB_BOUND_MS)));
    const starts = await remoteStarts(cluster);
    for (const verdict of verdicts) verdict.remoteStarts = starts.get(verdict.tracked.workflowId) ?? 0;
    log('scanning histories and logs for secrets');
    cases.push(...(await scanForSecrets(ctx)));
    return await report({ short, scaled, mode, startedAt, log, faults, verdicts, cases });
  } finally {
    await hostile.close();
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function devServerFaults(ctx: RunContext, hostile: HostileServer, faults: FaultReport[], cases: HostileCase[]): Promise<void> {
  const log = (line: string): void => ctx.log(line);
  log('faults and hostile input side by side: worker kills, simulator outages, duplicate callbacks, hostile requests and input');
  const [kills, outages, duplicates, requests, inputs] = await Promise.all([
    killWorkers(ctx),
    simulatorOutages(ctx, hostile),
    duplicateCallbacks(ctx),
    hostileRequests(ctx),
    hostileInputs(ctx, hostile),
  ]);
  faults.push(kills, outages, duplicates);
  cases.push(...requests, ...inputs);
  log('the gateway killed while callbacks are due');
  faults.push(await takeGatewayDown(ctx));
  log('the Temporal dev server stopped and restarted mid-flight');
  faults.push(await restartTemporal(ctx));
}

interface Outcome {
  short: boolean;
  scaled: boolean;
  mode: string;
  startedAt: number;
  log: (line: string) => void;
  faults: FaultReport[];
  verdicts: Verdict[];
  cases: HostileCase[];
}

async function report({ short, scaled, mode, startedAt, log, faults, verdicts, cases }: Outcome): Promise<number> {
  const table = rows(faults, verdicts, cases);
  const all = [...table, total(table)];
  const wallSeconds = Math.round((Date.now() - startedAt) / 1000);
  for (const verdict of verdicts.filter((v) => !v.completed || v.fileCorrupt || v.duplicateNotifications || v.missingNotifications || v.remoteStarts > 1)) {
    log(`  ✗ ${verdict.tracked.family} / ${verdict.tracked.label}: ${verdict.ended}; remote starts ${verdict.remoteStarts}, notifications +${verdict.duplicateNotifications} -${verdict.missingNotifications}${verdict.failureMessage ? ` — ${verdict.failureMessage.slice(0, 200)}` : ''}`);
  }
  for (const c of cases.filter((h) => !h.refused)) log(`  ✗ ${c.family} / ${c.name}: ${c.detail}`);
  for (const note of faults.flatMap((f) => f.notes.map((n) => `${f.family}: ${n}`))) log(`  note: ${note}`);
  const clean = isClean(all[all.length - 1] ?? total([]));
  console.log(`\n${render(all)}\n\n${mode} run, wall time ${wallSeconds}s: ${clean ? 'zero in every loss column' : 'LOSSES — see the ✗ lines above'}`);

  const resultsDir = path.join(__dirname, 'results');
  await mkdir(resultsDir, { recursive: true });
  const json = {
    mode: short ? 'short' : 'full',
    temporal: scaled ? 'cluster' : 'dev-server',
    finishedAt: new Date().toISOString(),
    wallSeconds,
    clean,
    rows: all,
    faults,
    hostile: cases,
    jobs: verdicts.map((v) => ({ family: v.tracked.family, label: v.tracked.label, workflowId: v.tracked.workflowId, completed: v.completed, ended: v.ended, remoteStarts: v.remoteStarts, fileCorrupt: v.fileCorrupt, duplicateNotifications: v.duplicateNotifications, missingNotifications: v.missingNotifications })),
  };
  await writeFile(path.join(resultsDir, scaled ? 'cluster-latest.json' : 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  return clean ? 0 : 1;
}

// Ctrl-C or a CI timeout: exit, and the exit handlers kill every process group the suite started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
