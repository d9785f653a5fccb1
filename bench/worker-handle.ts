// Starts bench/worker-process.ts as a child and stops it for sure: SIGTERM to drain, SIGKILL to
// crash on purpose, and SIGKILL on the driver's exit so no worker outlives a run.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WorkerKind } from './worker-process';

export interface WorkerHandle {
  pid: number;
  /** Graceful: in-flight tasks finish. */
  stop(): Promise<void>;
  /** A crash: no clean-up at all. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

export async function startWorker(kind: WorkerKind, bundle: string, env: Record<string, string>): Promise<WorkerHandle> {
  // The heap limit of package.json's worker script and the image: it sizes the workflow cache.
  const child = spawn(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', path.join(__dirname, 'worker-process.ts')], {
    env: { ...process.env, ...env, BENCH_WORKER_KIND: kind, BENCH_WORKFLOW_BUNDLE: bundle },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bench worker (${kind}) exited with ${code} before it was ready`)));
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { pid: child.pid ?? -1, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
