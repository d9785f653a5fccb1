// One long-running process of a local cluster (PostgreSQL, a Temporal service, the UI server,
// HAProxy, a Pollback worker or gateway): its own process group, its own log file, a readiness
// probe, and the three ways it ends — SIGKILL (a crash), SIGTERM with a deadline (a stop), and
// this Node process exiting for any reason (nothing is left behind). It can be started again
// with the same command, ports and log, as an operator's supervisor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { killGroup } from '../../src/temporal/dev-server';

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => killGroup(child, 'SIGKILL')));

export interface ProcessSpec {
  /** A short name for messages: `history`, `postgres`, `gateway 2`. */
  name: string;
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd?: string;
  /** Everything the process prints is appended here. */
  logFile: string;
  /** Resolves true once the process serves; given what it printed since this start. Polled every 100 ms. */
  ready(output: string): Promise<boolean>;
  readyTimeoutMs?: number;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number | undefined;
  gid?: number | undefined;
  /** SIGTERM, then SIGKILL after this long. */
  stopTimeoutMs?: number;
  /** The signal that asks for a clean stop (PostgreSQL: SIGINT, a "fast" shutdown). */
  stopSignal?: NodeJS.Signals;
}

export class Supervised {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private log: WriteStream | undefined;
  /** How many times it was started; a restart counts. */
  starts = 0;

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and waits for its readiness probe; a process that dies first is an error with its log's tail. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    this.starts++;
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(`\n--- ${new Date().toISOString()} start #${this.starts}: ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    const child = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: { ...this.spec.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: this.spec.uid,
      gid: this.spec.gid,
    });
    this.child = child;
    live.add(child);
    let recent = '';
    const onData = (chunk: Buffer): void => {
      this.log?.write(chunk);
      recent = (recent + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        recent += `\n${err.message}`;
        live.delete(child);
        resolve();
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.log?.write(`--- ${new Date().toISOString()} exited (${signal ?? `code ${code}`})\n`);
        resolve();
      });
    });
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready (log: ${this.spec.logFile}); its last output:\n${recent.slice(-2_000)}`);
      if (await this.spec.ready(recent).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill9();
    throw new Error(`${this.name} not ready after ${this.spec.readyTimeoutMs ?? 60_000} ms (log: ${this.spec.logFile}); its last output:\n${recent.slice(-2_000)}`);
  }

  /** SIGKILL to its process group: no drain, no goodbye. */
  async kill9(): Promise<void> {
    if (this.child) killGroup(this.child, 'SIGKILL');
    await this.exited;
  }

  /** A clean stop, SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return this.exited;
    killGroup(child, this.spec.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), this.spec.stopTimeoutMs ?? 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops it and closes its log. */
  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
