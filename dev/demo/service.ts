// Runs `npm start` (src/main.ts: worker + gateway, embedded dev server when TEMPORAL_ADDRESS is
// unset) as a child process, the way a user would, with its log in a file so the terminal
// keeps the demo's own progress. Stopping it is SIGTERM: the service drains and stops its
// embedded server, so nothing is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

const MAIN = path.resolve(__dirname, '../../src/main.ts');

export interface ServiceProcess {
  pid: number;
  /** Where its stdout and stderr go. */
  logFile: string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals>;
  stop(): Promise<number | NodeJS.Signals>;
}

function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 1)));
}

export async function startService(env: Record<string, string | undefined>, logFile: string): Promise<ServiceProcess> {
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise((resolve) => log.once('open', resolve));
  // As package.json's start script runs it.
  const child = spawn(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', MAIN], { env, stdio: ['ignore', log, log] });
  if (child.pid === undefined) throw new Error('could not start the Pollback service');
  const exited = exitOf(child);
  return {
    pid: child.pid,
    logFile,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // The service exits by itself within 30 s of SIGTERM; this is the backstop.
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const code = await exited;
      clearTimeout(timer);
      log.end();
      return code;
    },
  };
}

/** Waits until the gateway answers /readyz (Temporal reachable), or the service dies. */
export async function waitUntilReady(gatewayUrl: string, service: ServiceProcess, timeoutMs = 120_000): Promise<void> {
  let exitCode: number | NodeJS.Signals | undefined;
  void service.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the Pollback service exited (${exitCode}) before it was ready:\n${await tail(service.logFile)}`);
    const ready = await request(`${gatewayUrl}/readyz`).then(
      async (res) => {
        await res.body.dump();
        return res.statusCode === 200;
      },
      () => false,
    );
    if (ready) return;
    await sleep(250);
  }
  throw new Error(`the Pollback service was not ready after ${timeoutMs / 1000} s:\n${await tail(service.logFile)}`);
}

export async function tail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
