// `npm run demo -- --keep` as a newcomer runs it, on a machine with nothing configured: its own
// embedded dev server (data under a temp dir), the simulator, the service; every seed scenario
// must end as expected with files on disk and notifications received; the stack stays up for
// the Web UI; Ctrl-C then leaves no process behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../../src/temporal/dev-server';
import { eventually } from '../helpers/eventually';

const root = path.resolve(__dirname, '../..');

/** Processes started with this data directory in their environment: the service and its dev server. */
async function processesUsing(dataDir: string): Promise<number[]> {
  const marker = `POLLBACK_DATA_DIR=${dataDir}\0`;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found = await Promise.all(pids.map(async (pid) => ((await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')).includes(marker) ? Number(pid) : undefined)));
  return found.filter((pid): pid is number => pid !== undefined && pid !== process.pid);
}

test('npm run demo -- --keep: all seed scenarios pass, the stack stays up, Ctrl-C leaves nothing behind', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pollback-demo-'));
  const downloads = path.join(dataDir, 'downloads');
  const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  // Nothing configured but ports and directories: no TEMPORAL_ADDRESS, so the embedded default.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TEMPORAL_CLI: process.env.TEMPORAL_CLI ?? '',
    POLLBACK_DATA_DIR: dataDir,
    POLLBACK_DOWNLOAD_DIR: downloads,
    PORT: String(port),
    POLLBACK_DEV_SERVER_PORT: String(temporalPort),
    POLLBACK_DEV_UI_PORT: String(uiPort),
  };
  const demo = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/demo.ts'), '--keep'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout.on('data', (c: Buffer) => (output += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  try {
    await eventually('the demo summary', () => Promise.resolve(output.includes('everything stays up') || demo.exitCode !== null ? true : undefined), 150_000);
    assert.match(output, /All 5 jobs behaved as expected/, output);
    for (const name of ['report-callback', 'aso-export', 'task-token-ok', 'task-token-fail', 'hybrid-rescue']) {
      assert.match(output, new RegExp(`^\\| ${name} .*\\| ok +\\|$`, 'm'), `summary row for ${name}`);
      assert.match(output, new RegExp(`${name} .*\\n +http://127\\.0\\.0\\.1:${uiPort}/namespaces/default/workflows/job-`), `Web UI link for ${name}`);
    }
    assert.match(output, /\| task-token-fail \| 002 +\| failed: RemoteJobFailed/);
    assert.match(output, /\| hybrid-rescue +\| 000 +\| succeeded via poll/);
    assert.equal((await readdir(downloads)).length, 4, 'four jobs downloaded a file');

    // --keep: the Web UI and the gateway still answer.
    assert.equal((await fetch(`http://127.0.0.1:${uiPort}/`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.ok((await processesUsing(dataDir)).length >= 2, 'the service and its dev server are running');

    demo.kill('SIGINT');
    assert.equal(await exit, 0, output);
    assert.deepEqual(await processesUsing(dataDir), [], 'no process left behind');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the gateway is down');
  } finally {
    demo.kill('SIGKILL');
    for (const pid of await processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
  }
});
