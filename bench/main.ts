// `npm run bench`: every benchmark on this machine against a real Temporal dev server and the
// simulator, each beside its baseline measured in the same run. Prints a table and writes it as
// JSON to bench/results/<timestamp>.json and bench/results/latest.json. `--cluster`: the
// cluster benchmarks instead (bench/cluster.ts), a real Temporal cluster beside the dev server.
import path from 'node:path';
import { startEnvironment } from './environment';
import { parseOptions, type BenchmarkName, type BenchOptions } from './options';
import { describeMachine, table, writeResults, type Row } from './report';
import { runClusterBench } from './cluster';
import { runLimitsBench } from './limits';
import { runDownload } from './download';
import { runLatency } from './latency';
import { runPolling } from './polling';
import { downloadRows, latencyRows, pollingRows, throughputRows, waitingRows } from './rows';
import { runThroughput } from './throughput';
import { runWaiting } from './waiting';

type Runner = (env: Awaited<ReturnType<typeof startEnvironment>>, opts: BenchOptions) => Promise<{ rows: Row[]; details: unknown }>;

const runners: Record<BenchmarkName, Runner> = {
  throughput: async (env, opts) => {
    const result = await runThroughput(env, opts.jobs);
    return { rows: throughputRows(result), details: result };
  },
  latency: async (env, opts) => {
    const result = await runLatency(env, opts.samples);
    return { rows: latencyRows(result), details: result };
  },
  waiting: async (env, opts) => {
    const result = await runWaiting(env, opts.waiting);
    return { rows: waitingRows(result), details: result };
  },
  polling: async (env, opts) => {
    const result = await runPolling(env, opts.polling);
    return { rows: pollingRows(result), details: result };
  },
  download: async (env, opts) => {
    const result = await runDownload(env, opts.downloadMb);
    return { rows: downloadRows(result), details: result };
  },
};

async function main(): Promise<void> {
  if (process.argv.includes('--cluster')) return runClusterBench(process.argv.slice(2));
  if (process.argv.includes('--limits')) return runLimitsBench(process.argv.slice(2));
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  console.log(`pollback bench: ${opts.only.join(', ')}${opts.quick ? ' (quick sizes)' : ''} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
  const env = await startEnvironment();
  console.log(`Temporal dev server at ${env.server.address} (pid ${env.server.pid}), simulator ${env.sim.url}, gateway ${env.gatewayUrl}`);
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const stop = (signal: NodeJS.Signals): void => {
    console.error(`bench: ${signal}, stopping`);
    void env.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for (const name of opts.only) {
      const t0 = Date.now();
      console.log(`\n▶ ${name}`);
      const result = await runners[name](env, opts);
      rows.push(...result.rows);
      details[name] = result.details;
      console.log(`  ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await env.close();
  }
  const wallSeconds = Number(((Date.now() - Date.parse(startedAt)) / 1000).toFixed(1));
  console.log(`\n${table(rows)}\n`);
  const file = await writeResults(path.join(__dirname, 'results'), { options: opts, machine, startedAt, wallSeconds, rows, details });
  console.log(`wall time ${wallSeconds} s; results in ${path.relative(process.cwd(), file)} and bench/results/latest.json`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
