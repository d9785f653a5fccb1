// `npm run chaos [-- --short]`: the fault and abuse suite. Real processes on loopback (Temporal
// dev server, simulator, gateway, workers), real faults (kill -9, restarts, outages, floods) and
// hostile input; prints a table of figures, writes chaos/results/latest.json, and exits non-zero
// unless every loss column is zero and every hostile request was refused the right way.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from './cluster';
import type { FaultReport, HostileCase, RunContext } from './family';
import { duplicateCallbacks } from './faults/duplicate-callbacks';
import { restartTemporal } from './faults/dev-server-restart';
import { takeGatewayDown } from './faults/gateway-down';
import { simulatorOutages } from './faults/simulator-outages';
import { killWorkers } from './faults/worker-kill';
import { hostileRequests } from './hostile/gateway-requests';
import { hostileInputs } from './hostile/inputs';
import { scanForSecrets } from './hostile/secrets';
import { HostileServer } from './hostile/server';
import { JobBook, remoteStarts } from './jobs';
import { isClean, render, rows, total } from './table';

/** Longest any job may take after its faults before it counts as lost. */
const JOB_BOUND_MS = 120_000;

async function main(): Promise<number> {
  const short = process.argv.includes('--short');
  const startedAt = Date.now();
  const log = (line: string): void => console.log(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-chaos-'));
  log(`${short ? 'short' : 'full'} run in ${dir}`);
  const cluster = await startCluster(dir, log);
  const hostile = await HostileServer.start();
  const ctx: RunContext = { cluster, book: new JobBook(cluster), short, log };
  const faults: FaultReport[] = [];
  const cases: HostileCase[] = [];
  try {
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
    log(`waiting for all ${ctx.book.jobs.length} jobs`);
    const verdicts = await Promise.all(ctx.book.jobs.map(async (job) => ctx.book.verdict(job, await remoteStarts(cluster), JOB_BOUND_MS)));
    const starts = await remoteStarts(cluster);
    for (const verdict of verdicts) verdict.remoteStarts = starts.get(verdict.tracked.workflowId) ?? 0;
    log('scanning histories and logs for secrets');
    cases.push(...(await scanForSecrets(ctx)));

    const table = rows(faults, verdicts, cases);
    const all = [...table, total(table)];
    const wallSeconds = Math.round((Date.now() - startedAt) / 1000);
    for (const verdict of verdicts.filter((v) => !v.completed || v.fileCorrupt || v.duplicateNotifications || v.missingNotifications || v.remoteStarts > 1)) {
      log(`  ✗ ${verdict.tracked.family} / ${verdict.tracked.label}: ${verdict.ended}; remote starts ${verdict.remoteStarts}, notifications +${verdict.duplicateNotifications} -${verdict.missingNotifications}${verdict.failureMessage ? ` — ${verdict.failureMessage.slice(0, 200)}` : ''}`);
    }
    for (const c of cases.filter((h) => !h.refused)) log(`  ✗ ${c.family} / ${c.name}: ${c.detail}`);
    for (const note of faults.flatMap((f) => f.notes.map((n) => `${f.family}: ${n}`))) log(`  note: ${note}`);
    const clean = isClean(all[all.length - 1] ?? total([]));
    console.log(`\n${render(all)}\n\n${short ? 'short' : 'full'} run, wall time ${wallSeconds}s: ${clean ? 'zero in every loss column' : 'LOSSES — see the ✗ lines above'}`);

    const resultsDir = path.join(__dirname, 'results');
    await mkdir(resultsDir, { recursive: true });
    const report = {
      mode: short ? 'short' : 'full',
      finishedAt: new Date().toISOString(),
      wallSeconds,
      clean,
      rows: all,
      faults,
      hostile: cases,
      jobs: verdicts.map((v) => ({ family: v.tracked.family, label: v.tracked.label, workflowId: v.tracked.workflowId, completed: v.completed, ended: v.ended, remoteStarts: v.remoteStarts, fileCorrupt: v.fileCorrupt, duplicateNotifications: v.duplicateNotifications, missingNotifications: v.missingNotifications })),
    };
    await writeFile(path.join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    return clean ? 0 : 1;
  } finally {
    await hostile.close();
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
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
