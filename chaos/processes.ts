// The suite's real processes (worker, gateway, simulator), each in a process group of its own so
// `kill -9` hits exactly that process, and every one of them is killed when the suite exits,
// however it exits: an orphaned worker would keep taking tasks from the next run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { killGroup } from '../src/temporal/dev-server';

const root = path.resolve(__dirname, '..');
const live = new Set<ChildProcess>();

process.once('exit', () => live.forEach((child) => killGroup(child, 'SIGKILL')));

export interface Proc {
  name: string;
  pid: number;
  /** SIGKILL to the process group: no drain, no goodbye. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** Output that says the process is serving. */
  ready: RegExp;
  /** Everything the process prints goes here (scanned for secrets at the end). */
  logFile: string;
  timeoutMs?: number;
}

/** Runs `script` (a path from the repository root) with tsx, resolving once `ready` shows in its output. */
export async function spawnTsx(name: string, script: string, opts: SpawnOptions): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      log.end();
      resolve();
    }),
  );
  let recent = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${opts.timeoutMs ?? 60_000} ms:\n${recent}`)), opts.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      recent = (recent + chunk.toString()).slice(-4_000);
      if (opts.ready.test(recent)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready:\n${recent}`));
    });
  }).catch(async (err: unknown) => {
    killGroup(child, 'SIGKILL');
    await exited;
    throw err;
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { name, pid: child.pid ?? -1, kill9: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
