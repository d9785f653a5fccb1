// Starts `temporal server start-dev` as a child process on free ports, with a SQLite file in
// WAL mode and Pollback's search attributes registered, and stops it for sure: the child runs
// in its own process group, killed on stop() and on this process's exit or signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { searchAttributeRegistrations } from '../contract/names';

export interface DevServerOptions {
  cli: string;
  /** SQLite file; state survives restarts when the same file is reused. */
  dbFile: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  /** The Web UI's codec endpoint (`--ui-codec-endpoint`): the UI decodes payloads through it. */
  uiCodecEndpoint?: string;
  /** Extra arguments, e.g. dynamic config values. */
  extraArgs?: readonly string[];
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string | undefined;
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const live = new Set<ChildProcess>();
/** Signals the child's whole process group (it was spawned detached), if it still runs. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
process.once('exit', () => live.forEach((child) => killGroup(child, 'SIGKILL')));

/**
 * Waits until Temporal at `address` answers and knows `namespace`; `dead` says why waiting is
 * pointless (the server process exited), so a crash is reported at once, not after the timeout.
 */
export async function waitForNamespace(address: string, namespace: string, opts: { timeoutMs: number; dead: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const why = opts.dead();
    if (why) throw new Error(`Temporal at ${address} not ready: ${why}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`Temporal at ${address} not ready after ${opts.timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', opts.dbFile,
    '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal', '--log-level', 'warn'];
  let uiUrl: string | undefined;
  if (opts.headless ?? true) args.push('--headless');
  else {
    const uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://127.0.0.1:${uiPort}`;
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const sa of searchAttributeRegistrations) args.push('--search-attribute', sa);
  args.push(...(opts.extraArgs ?? []));

  const child = spawn(opts.cli, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    output = (output + text).slice(-8_000);
    opts.log?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    live.delete(child);
  };
  try {
    await waitForNamespace(address, namespace, { timeoutMs: 60_000, dead: () => (child.exitCode !== null ? `temporal dev server exited with ${child.exitCode}:\n${output}` : undefined) });
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl, pid: child.pid ?? -1, stop };
}
