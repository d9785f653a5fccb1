// A real S3-compatible server on loopback for the tests and the benchmark: gofakes3 (installed
// by scripts/ensure-s3 from the Go module proxy) with its filesystem backend in a temp folder,
// so a 1 GiB object sits on disk, not in memory. Any credentials are accepted; the AWS SDK
// reaches it through AWS_ENDPOINT_URL_S3 and path-style addressing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../../src/temporal/dev-server';

const ENSURE = path.resolve(__dirname, '../../scripts/ensure-s3');

export interface S3Server {
  /** e.g. http://127.0.0.1:41234 — for AWS_ENDPOINT_URL_S3. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The gofakes3 binary: POLLBACK_S3_SERVER, else built once by scripts/ensure-s3. */
export async function ensureS3Server(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [ENSURE], { maxBuffer: 1 << 20 });
  const binary = stdout.trim().split('\n').pop();
  if (!binary) throw new Error('scripts/ensure-s3 printed no path');
  return binary;
}

export async function startS3Server(opts: { buckets?: string[] } = {}): Promise<S3Server> {
  const binary = await ensureS3Server();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-s3-'));
  const port = await freePort();
  const args = ['-backend', 'fs', '-fs.path', dir, '-fs.create', '-host', `127.0.0.1:${port}`, '-quiet', ...(opts.buckets?.[0] ? ['-initialbucket', opts.buckets[0]] : [])];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !(await accepting(port)); i++) {
    if (child.exitCode !== null) throw new Error(`gofakes3 exited with ${child.exitCode}`);
    await sleep(50);
  }
  const url = `http://127.0.0.1:${port}`;
  for (const bucket of (opts.buckets ?? []).slice(1)) {
    const res = await fetch(`${url}/${bucket}`, { method: 'PUT' });
    if (!res.ok) throw new Error(`creating bucket ${bucket}: HTTP ${res.status}`);
  }
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
