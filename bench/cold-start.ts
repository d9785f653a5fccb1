// `npm run bench:start`: cold start and memory of the service as it runs from the sources
// (`npm start`: node + tsx, the worker bundling its workflows at start) and from the production
// build (`npm run start:prod`: compiled JavaScript, the workflow bundle built ahead), side by side.
// Builds first. Each variant starts RUNS times against one dev server; the figures are the
// median time until the gateway answers /readyz and the worker has started polling, and the
// process's resident memory once both are up (and its peak).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { freePort, startDevServer } from '../src/temporal/dev-server';
import { memoryOf } from './proc';

const root = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_START_RUNS ?? 3);

interface Variant {
  name: string;
  args: string[];
}
const VARIANTS: Variant[] = [
  { name: 'npm start (sources, tsx)', args: ['--max-old-space-size=512', '--import', 'tsx', 'src/main.ts'] },
  { name: 'npm run start:prod (dist)', args: ['--max-old-space-size=512', '--enable-source-maps', 'dist/main.js'] },
];

interface Sample {
  readyMs: number;
  rssMb: number;
  hwmMb: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function startOnce(variant: Variant, address: string): Promise<Sample> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, variant.args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: address,
      PORT: String(port),
      HOST: '127.0.0.1',
      POLLBACK_TASK_QUEUE: `cold-start-${port}`,
      POLLBACK_TOKEN_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64url')}`,
      POLLBACK_API_TOKENS: 'cold-start-token-0123456789',
      POLLBACK_PUBLIC_URL: `http://127.0.0.1:${port}`,
      POLLBACK_DOWNLOAD_DIR: path.join(os.tmpdir(), 'pollback-cold-start-downloads'),
    },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${variant.name} exited:\n${output}`);
      if (Date.now() - started > 120_000) throw new Error(`${variant.name} not ready in 2 min:\n${output}`);
      const gatewayUp = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (gatewayUp && output.includes('pollback worker: task queue')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const readyMs = Date.now() - started;
    // Settled: what it holds once up, not a transient of the start.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const memory = memoryOf(child.pid ?? 0);
    return { readyMs, rssMb: memory.rssMb, hwmMb: memory.hwmMb };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  console.log('bench:start: npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-cold-start-'));
  const server = await startDevServer({ cli: await ensureTemporalCli(), dbFile: path.join(tmp, 'temporal.sqlite') });
  try {
    const rows: { name: string; readyMs: number; rssMb: number; hwmMb: number }[] = [];
    for (const variant of VARIANTS) {
      const samples: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        samples.push(await startOnce(variant, server.address));
        console.log(`  ${variant.name}, run ${i + 1}/${RUNS}: ready in ${samples.at(-1)?.readyMs} ms`);
      }
      rows.push({ name: variant.name, readyMs: median(samples.map((s) => s.readyMs)), rssMb: median(samples.map((s) => s.rssMb)), hwmMb: median(samples.map((s) => s.hwmMb)) });
    }
    const [source, built] = rows;
    console.log(`\n| how it runs | ready (median of ${RUNS}) | RSS when up | peak RSS |\n|---|---:|---:|---:|`);
    for (const r of rows) console.log(`| ${r.name} | ${(r.readyMs / 1000).toFixed(2)} s | ${r.rssMb.toFixed(0)} MiB | ${r.hwmMb.toFixed(0)} MiB |`);
    if (source && built) {
      console.log(`\ncompiled / sources: ready ${(built.readyMs / source.readyMs).toFixed(2)}×, RSS ${(built.rssMb / source.rssMb).toFixed(2)}×, peak ${(built.hwmMb / source.hwmMb).toFixed(2)}×`);
    }
  } finally {
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
