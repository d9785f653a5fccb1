// `npm run test:run [files…]`: one real Temporal dev server for the whole run (free ports, a
// temp SQLite file in WAL mode, Pollback's search attributes registered), workflow code
// bundled once, then node's test runner over the test files. The server is torn down however
// the run ends: pass, failure, Ctrl-C or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { startDevServer } from '../src/temporal/dev-server';
import { bundlePollbackWorkflows } from '../src/worker';
import { ensureChromium } from '../test/helpers/browser';
import { ensureClusterPackages, ensureServerTools } from '../dev/cluster/tools';
import { ensureS3Server } from '../dev/receivers/s3-server';

const root = path.resolve(__dirname, '..');

async function findTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? findTests(path.join(dir, e.name)) : Promise.resolve(e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []))),
  );
  return nested.flat().sort();
}

/**
 * What some test files need beyond Node and the Temporal CLI, found or installed once before the
 * files run in parallel (installs take minutes on a fresh machine: never inside a test's timeout).
 * A file needs a prerequisite when its source names the module that uses it.
 */
const PREREQUISITES: { what: string; usedBy: RegExp; ensure: () => Promise<Record<string, string>> }[] = [
  { what: 'Chromium', usedBy: /helpers\/browser/, ensure: async () => ({ CHROMIUM_PATH: await ensureChromium() }) },
  {
    what: 'the Temporal server build, PostgreSQL and HAProxy',
    usedBy: /src\/cluster\//,
    ensure: async () => {
      const progress = (line: string): void => console.log(`test harness: ${line}`);
      await ensureServerTools(progress);
      await ensureClusterPackages(progress);
      return {};
    },
  },
  { what: 'the S3-compatible server', usedBy: /receivers\/s3-server/, ensure: async () => ({ POLLBACK_S3_SERVER: await ensureS3Server() }) },
];

async function ensurePrerequisites(files: string[]): Promise<Record<string, string>> {
  const sources = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  const env: Record<string, string> = {};
  for (const prerequisite of PREREQUISITES) {
    if (!sources.some((source) => prerequisite.usedBy.test(source))) continue;
    const started = Date.now();
    Object.assign(env, await prerequisite.ensure());
    console.log(`test harness: ${prerequisite.what} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return env;
}

/** Signals the runner and everything it started (it leads its own process group). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const files = process.argv.slice(2).length ? process.argv.slice(2) : await findTests(path.join(root, 'test'));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-test-'));
  const cli = await ensureTemporalCli();
  const prerequisitesEnv = await ensurePrerequisites(files);
  // The dev server batches timer firing up to 1 s late by default; tests of many short polls
  // need millisecond timers to stay fast (production intervals are seconds to minutes).
  const server = await startDevServer({
    cli,
    dbFile: path.join(tmp, 'temporal.sqlite'),
    extraArgs: ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="10ms"'],
  });
  console.log(`test harness: Temporal dev server at ${server.address} (pid ${server.pid})`);
  let child: ReturnType<typeof spawn> | undefined;
  const shutdown = (signal: NodeJS.Signals): void => {
    console.error(`test harness: ${signal}, stopping`);
    if (child) killGroup(child, signal);
    void server.stop().then(() => process.exit(130));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    // Both bundles the build makes: the tests that trace take the one with the interceptors.
    const bundle = path.join(tmp, 'workflow-bundle.js');
    const tracedBundle = path.join(tmp, 'workflow-bundle-traced.js');
    await writeFile(bundle, await bundlePollbackWorkflows({ tracing: false }));
    await writeFile(tracedBundle, await bundlePollbackWorkflows({ tracing: true }));
    const output = path.join(root, 'test-output');
    await mkdir(output, { recursive: true });
    const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()));
    // --test-force-exit: a file whose cleanup failed must not keep the run alive on a leaked
    // handle. Its own process group: whatever a test spawned and left behind dies with the run.
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${concurrency}`, `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? '180000'}`, ...files],
      {
        stdio: 'inherit',
        detached: true,
        env: { ...process.env, ...prerequisitesEnv, TEMPORAL_ADDRESS: server.address, TEMPORAL_CLI: cli, POLLBACK_WORKFLOW_BUNDLE: bundle, POLLBACK_TEST_TRACED_BUNDLE: tracedBundle, POLLBACK_TEST_OUTPUT: output },
      },
    );
    const runner = child;
    // The whole run is bounded too: a hang anywhere becomes a failure with its cause in the log,
    // never a CI job that runs out its clock.
    const limitMs = Number(process.env.TEST_RUN_TIMEOUT_MS ?? 30 * 60_000);
    const watchdog = setTimeout(() => {
      console.error(`test harness: the run exceeded ${limitMs / 60_000} min (TEST_RUN_TIMEOUT_MS); killing it`);
      killGroup(runner, 'SIGKILL');
    }, limitMs);
    const exitCode = await new Promise<number>((resolve) => runner.once('exit', (code) => resolve(code ?? 1)));
    clearTimeout(watchdog);
    killGroup(runner, 'SIGKILL');
    console.log(`test harness: ${files.length} files, wall time ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return exitCode;
  } finally {
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
