// Starts a bench child process (a worker, bench/worker-process.ts, or a service,
// bench/service-process.ts) and stops it for sure: SIGTERM to drain, SIGKILL to crash on
// purpose, and SIGKILL on the driver's exit so no child outlives a run.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ServiceKind } from './service-process';
import type { WorkerKind } from './worker-process';

export interface WorkerHandle {
  pid: number;
  /** Graceful: in-flight tasks finish. */
  stop(): Promise<void>;
  /** A crash: no clean-up at all. */
  kill(): Promise<void>;
}

/** A service in a process of its own, with the URL it listens at. */
export interface ServiceHandle extends WorkerHandle {
  url: string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

/** Spawns `script` under tsx and waits for its first IPC message ("ready", or its URL). */
async function startChild(label: string, script: string, env: Record<string, string>): Promise<WorkerHandle & { ready: unknown }> {
  // The heap limit of package.json's worker script and the image: it sizes the workflow cache.
  const child = spawn(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', path.join(__dirname, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  const ready = await new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bench ${label} exited with ${code} before it was ready`)));
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { pid: child.pid ?? -1, ready, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

export async function startWorker(kind: WorkerKind, bundle: string, env: Record<string, string>): Promise<WorkerHandle> {
  const { ready: _ready, ...handle } = await startChild(`worker (${kind})`, 'worker-process.ts', { ...env, BENCH_WORKER_KIND: kind, BENCH_WORKFLOW_BUNDLE: bundle });
  return handle;
}

export async function startService(kind: ServiceKind, env: Record<string, string>): Promise<ServiceHandle> {
  const { ready, ...handle } = await startChild(`service (${kind})`, 'service-process.ts', { ...env, BENCH_SERVICE_KIND: kind });
  return { ...handle, url: String(ready) };
}
