// The README's `cli-setup` block, run as a reader runs it: each service line in its own process
// (its own terminal), with nothing in the environment but PATH, HOME and what moves ports and
// folders out of the way of other tests. An `export` line is for the reader's recipe shell: it is
// evaluated in bash and the resulting PATH is where the recipe's `temporal` comes from.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/temporal/dev-server';

const root = path.resolve(__dirname, '../..');
const MARKER = '<!-- cli-setup';

/** The lines of the fenced bash block right after `marker`, without blank lines. */
export function readmeBlock(markdown: string, marker: string): string[] {
  const at = markdown.indexOf(marker);
  assert.ok(at >= 0, `README.md has no "${marker} -->" marker`);
  assert.equal(markdown.indexOf(marker, at + 1), -1, `README.md has more than one "${marker}" marker`);
  const match = /^[^\n]*-->[ \t]*\n```(?:bash|sh)\n([\s\S]*?)\n```/.exec(markdown.slice(at));
  assert.ok(match?.[1], `the ${marker} marker must be followed directly by a \`\`\`bash block`);
  return match[1].split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
}

export interface ReadmeSetup {
  /** The embedded Temporal server `npm start` runs. */
  address: string;
  gatewayUrl: string;
  /** `temporal` as found on the PATH the block's export line gives the reader. */
  cli: string;
  /** The environment of the reader's recipe shell (the exported PATH, the moved address). */
  shellEnv: Record<string, string>;
  client: Client;
  downloadDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

interface Service {
  line: string;
  child: ChildProcess;
  exited: Promise<void>;
}

async function waitFor(what: string, probe: () => Promise<boolean>, services: Service[], output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await probe())) {
    const dead = services.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
    if (dead) throw new Error(`\`${dead.line}\` exited before ${what} was ready:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after 2 min:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startReadmeSetup(): Promise<ReadmeSetup> {
  const lines = readmeBlock(await readFile(path.join(root, 'README.md'), 'utf8'), MARKER);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-readme-'));
  const ports = { sim: await freePort(), gateway: await freePort(), temporal: await freePort(), ui: await freePort() };
  // Only where things live moves; every other variable is the README's own.
  const moved = {
    SIMULATOR_PORT: String(ports.sim),
    SIMULATOR_URL: `http://127.0.0.1:${ports.sim}`,
    PORT: String(ports.gateway),
    POLLBACK_DEV_SERVER_PORT: String(ports.temporal),
    POLLBACK_DEV_UI_PORT: String(ports.ui),
    POLLBACK_DATA_DIR: path.join(dir, 'data'),
    POLLBACK_DOWNLOAD_DIR: path.join(dir, 'downloads'),
  };
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir, ...moved };
  let log = '';
  const output = (): string => log.slice(-20_000);
  const services: Service[] = [];
  let shellPath: string | undefined;
  for (const line of lines) {
    if (line.startsWith('export ')) {
      const { stdout } = await promisify(execFile)('bash', ['-c', `${line}\nprintf '%s' "$PATH"`], { cwd: root, env: baseEnv });
      shellPath = stdout;
      continue;
    }
    // Its own process group, like a terminal's job: stopped as a whole, nothing left behind.
    const child = spawn('bash', ['-c', line], { cwd: root, env: baseEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      log += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    services.push({ line, child, exited: new Promise((resolve) => child.once('exit', () => resolve())) });
  }
  const stop = async (): Promise<void> => {
    for (const { child } of services) signalGroup(child, 'SIGTERM');
    const killer = setTimeout(() => services.forEach(({ child }) => signalGroup(child, 'SIGKILL')), 30_000);
    await Promise.all(services.map((s) => s.exited));
    clearTimeout(killer);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    assert.ok(shellPath, 'the cli-setup block puts the Temporal CLI on PATH with an export line');
    const { stdout: cli } = await promisify(execFile)('bash', ['-c', 'command -v temporal'], { env: { ...baseEnv, PATH: shellPath } });
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    await waitFor('the simulator', () => fetch(`${moved.SIMULATOR_URL}/__sim/counters`).then(() => true, () => false), services, output);
    await waitFor('the gateway', () => fetch(`${gatewayUrl}/readyz`).then((r) => r.ok, () => false), services, output);
    const address = `127.0.0.1:${ports.temporal}`;
    const client = new Client({ connection: await Connection.connect({ address }) });
    return {
      address,
      gatewayUrl,
      cli: cli.trim(),
      shellEnv: { ...baseEnv, PATH: shellPath, TEMPORAL_ADDRESS: address },
      client,
      downloadDir: moved.POLLBACK_DOWNLOAD_DIR,
      output,
      stop: async () => {
        await client.connection.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
