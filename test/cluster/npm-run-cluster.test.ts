// `npm run cluster` as a newcomer runs it: a Temporal cluster on PostgreSQL with its four
// services and the Web UI comes up, has Pollback's search attributes, runs `npm run demo`
// unchanged against it, and Ctrl-C stops every process it started. Started again on the same
// folder, it keeps its data (no second initdb, the jobs of the first run still there).
// Needs the server build (.tools/, scripts/ensure-temporal-server; CI builds it before the tests).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { searchAttributes } from '../../src/contract/names';
import { lowFreePort } from '../../dev/cluster/ports';
import { tcpOpen } from '../../dev/cluster/supervised';
import { freePort } from '../../src/temporal/dev-server';
import { eventually } from '../helpers/eventually';

const root = path.resolve(__dirname, '../..');

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function run(script: string, args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script), ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function startCluster(dataDir: string, port: number, uiPort: number): Promise<Run & { pgPort: number }> {
  const cluster = run('scripts/cluster.ts', ['--port', String(port), '--ui-port', String(uiPort), '--data-dir', dataDir], {});
  await eventually('the cluster to be ready', () => Promise.resolve(/ready in [\d.]+ s/.test(cluster.output()) || cluster.child.exitCode !== null ? true : undefined), 600_000);
  assert.match(cluster.output(), /ready in/, cluster.output());
  const pgPort = Number(/PostgreSQL {2}127\.0\.0\.1:(\d+)/.exec(cluster.output())?.[1]);
  assert.ok(pgPort > 0, 'the PostgreSQL port is printed');
  assert.notEqual(pgPort, 5432, 'never the machine\'s default PostgreSQL port');
  return { ...cluster, pgPort };
}

async function ctrlC(cluster: Run & { pgPort: number }, ports: number[]): Promise<void> {
  cluster.child.kill('SIGINT');
  assert.equal(await cluster.exit, 0, cluster.output());
  assert.match(cluster.output(), /cluster: stopped/);
  for (const port of [...ports, cluster.pgPort]) assert.equal(await tcpOpen(port), false, `port ${port} is closed after Ctrl-C`);
}

test('npm run cluster: four services on PostgreSQL, the Web UI, the demo against it, Ctrl-C stops everything, data kept', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-cluster-'));
  // PostgreSQL runs as its own user when this is root: it must be able to enter the folder.
  await chmod(dataDir, 0o711);
  const [port, uiPort, gatewayPort] = [await lowFreePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  try {
    const first = await startCluster(dataDir, port, uiPort);
    assert.match(first.output(), new RegExp(`address +${address.replace(/\./g, '\\.')}`));
    assert.match(first.output(), /history, matching, frontend, worker as separate processes/);
    const pgVersion = await stat(path.join(dataDir, 'postgres/PG_VERSION'));

    const connection = await Connection.connect({ address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const { name } of Object.values(searchAttributes)) assert.ok(name in customAttributes, `search attribute ${name} registered`);
      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /<html/i, 'the Web UI serves its page');

      // The demo, unchanged, against the cluster.
      const demo = run('scripts/demo.ts', [], { TEMPORAL_ADDRESS: address, POLLBACK_WEB_UI_URL: `http://127.0.0.1:${uiPort}`, PORT: String(gatewayPort), POLLBACK_DATA_DIR: path.join(dataDir, 'demo'), POLLBACK_DOWNLOAD_DIR: path.join(dataDir, 'downloads') });
      assert.equal(await demo.exit, 0, demo.output());
      assert.match(demo.output(), /All 5 jobs behaved as expected/);
      assert.match(demo.output(), new RegExp(`http://127\\.0\\.0\\.1:${uiPort}/namespaces/default/workflows/job-`), 'Web UI links point at the cluster\'s UI');
    } finally {
      await connection.close();
    }
    await ctrlC(first, [port, uiPort]);

    const second = await startCluster(dataDir, port, uiPort);
    assert.equal((await stat(path.join(dataDir, 'postgres/PG_VERSION'))).mtimeMs, pgVersion.mtimeMs, 'the data folder is reused, not initialised again');
    const client = new Client({ connection: await Connection.connect({ address }) });
    try {
      const count = await client.workflow.count(`${searchAttributes.profile.name} = "task-token"`);
      assert.ok(count.count >= 2, `the first run's jobs are still there (${count.count})`);
    } finally {
      await client.connection.close();
    }
    await ctrlC(second, [port, uiPort]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
