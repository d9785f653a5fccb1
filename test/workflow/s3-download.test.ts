// Results into S3 (download.to: s3://…) against a real S3-compatible server on loopback
// (gofakes3, built by scripts/ensure-s3 from the Go module proxy): a multipart upload through
// the AWS SDK with the credentials of its standard chain, the object's metadata naming the job,
// sha256 checked, the job API redirecting to a pre-signed GET; and a worker killed with SIGKILL
// mid-upload, whose job a second worker process finishes by resuming the same multipart upload.
// POLLBACK_S3_TEST_MB sets the size of the crash test (default 192 MiB; 1024 for the 1 GiB run).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobResult } from '../../src/contract/job-status';
import type { asyncJob } from '../../src/workflows/async-job';
import type { JobInputJson } from '../../src/contract/job-input';
import { startS3Server, type S3Server } from '../../dev/receivers/s3-server';
import { startSimulator, type Simulator } from '../../dev/simulator';
import { jobFailure } from '../helpers/failures';
import { startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { testClient } from '../helpers/temporal';

const root = path.resolve(__dirname, '../..');
const BUCKET = 'results';
const s3Settings = { allowedBuckets: [BUCKET], forcePathStyle: true };
let s3server: S3Server;
let stack: GatewayStack;
let s3: S3Client;
const children: ChildProcess[] = [];
let sim: Simulator | undefined;

before(async () => {
  s3server = await startS3Server({ buckets: [BUCKET, 'elsewhere'] });
  // The AWS SDK's standard chain: endpoint, region and credentials from the environment, as a
  // worker gets them in production (or from an instance role); nothing in job input.
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3server.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'pollback-test', AWS_SECRET_ACCESS_KEY: 'pollback-test-secret' });
  s3 = new S3Client({ forcePathStyle: true });
  stack = await startGatewayStack({ s3: s3Settings }, undefined, { s3: s3Settings });
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  try {
    await stack?.stop(); // throws if a response broke the OpenAPI document: clean up regardless
  } finally {
    await sim?.close();
    s3?.destroy();
    await s3server?.stop();
  }
});

const start = (input: JobInputJson) =>
  stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: `job-${randomUUID()}`, args: [input] });

async function objectSha256(bucket: string, key: string): Promise<{ sha256: string; size: number }> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of got.Body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

test('the result streams into S3 by multipart upload; metadata names the job; the job API redirects to a pre-signed GET', async () => {
  const size = 20 * 1024 * 1024 + 12_345; // three parts, the last one short
  const handle = await start({
    profile: 'aso-export',
    title: 'S3 export',
    params: { reportId: 's3', scenario: { durationMs: 50, resultSize: size, resultName: 'sales 2026.csv' } },
    completion: { mode: 'poll', timeout: '2m', poll: { interval: '100ms', backoff: 1 } },
    download: { to: `s3://${BUCKET}/exports/{jobId}/{name}` },
  });
  const result = (await handle.result());
  const key = `exports/${handle.workflowId}/sales 2026.csv`;
  assert.deepEqual({ ...result.file, sha256: undefined }, { path: `s3://${BUCKET}/${key}`, fileName: 'sales 2026.csv', size, sha256: undefined, contentType: 'application/octet-stream' });
  const stored = await objectSha256(BUCKET, key);
  assert.deepEqual(stored, { sha256: result.file?.sha256, size });
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.equal(head.Metadata?.['pollback-job'], handle.workflowId);
  assert.equal(head.Metadata?.['pollback-profile'], 'aso-export');
  assert.deepEqual(await readdir(stack.downloadDir), [], 'nothing written to the local download folder');

  const redirect = await fetch(`${stack.url}/v1/jobs/${handle.workflowId}/result`, { headers: { authorization: 'Bearer test-api-token-0123456789abcdef' }, redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('x-checksum-sha256'), result.file?.sha256);
  const location = redirect.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${s3server.url}/${BUCKET}/exports/`) && location.includes('X-Amz-Signature='), location);
  const bytes = Buffer.from(await (await fetch(location)).arrayBuffer());
  assert.equal(createHash('sha256').update(bytes).digest('hex'), result.file?.sha256);
  const tail = await fetch(location, { headers: { range: 'bytes=-100' } });
  assert.equal(tail.status, 206, 'ranged reads through the pre-signed URL');
  assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-100)));
});

test('a bucket not in POLLBACK_S3_ALLOWED_BUCKETS fails the job, naming it; a bad s3 URL is refused as input', async () => {
  const handle = await start({
    profile: 'aso-export',
    params: { reportId: 's3-refused', scenario: { durationMs: 50 } },
    completion: { mode: 'poll', timeout: '1m', poll: { interval: '100ms', backoff: 1 } },
    download: { to: 's3://elsewhere/x/{name}' },
  });
  const failure = await jobFailure(handle);
  assert.equal(failure.type, 'HostNotAllowed');
  assert.match(failure.message, /bucket elsewhere is not in POLLBACK_S3_ALLOWED_BUCKETS/);
  const bad = await stack.api('POST', '/v1/jobs', { body: { profile: 'aso-export', completion: { mode: 'poll' }, download: { to: 's3://Bad_Bucket' } } });
  assert.equal(bad.status, 400);
  assert.match(String(bad.body.detail), /download\.to/);
});

/** The real worker entry point as a process of its own, so it can really die; its output is kept. */
async function spawnWorker(env: Record<string, string>): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', path.join(root, 'src/worker.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('pollback worker:')) resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return { proc, output: () => output };
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

test('a worker killed mid-upload: another worker resumes the same multipart upload, in constant memory', async () => {
  const mib = Number(process.env.POLLBACK_S3_TEST_MB ?? 192);
  const size = mib * 1024 * 1024;
  sim = await startSimulator({ credentials: SIM_CREDENTIALS });
  const taskQueue = `s3-crash-${randomUUID()}`;
  const env = {
    SIMULATOR_URL: sim.url, SIMULATOR_BEARER_TOKEN: SIM_CREDENTIALS.bearerToken, SIMULATOR_API_KEY: SIM_CREDENTIALS.apiKey,
    POLLBACK_TASK_QUEUE: taskQueue, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '',
    POLLBACK_S3_ALLOWED_BUCKETS: BUCKET, POLLBACK_S3_FORCE_PATH_STYLE: 'true',
  };
  const first = await spawnWorker(env);
  const client = await testClient();
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `s3-crash-${randomUUID()}`,
    args: [{ profile: 'aso-export', params: { reportId: 's3-crash', scenario: { durationMs: 50, resultSize: size, resultBytesPerSecond: 32 * 1024 * 1024 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } }, download: { to: `s3://${BUCKET}/crash/{jobId}.bin` } }],
  });
  // Kill once the server has recorded at least two parts in the heartbeat, and before the end (the
  // simulator serves the result at 32 MiB/s, so the upload lasts long enough to be caught mid-way).
  let partsAtKill = 0;
  for (let i = 0; i < 2_400 && !partsAtKill; i++) {
    const pending = (await handle.describe()).raw.pendingActivities?.[0];
    const raw = pending?.heartbeatDetails?.payloads?.[0]?.data;
    const beat = raw ? (JSON.parse(Buffer.from(raw).toString()) as { s3?: { parts: unknown[]; bytes: number } }) : undefined;
    if (beat?.s3 && beat.s3.parts.length >= 2 && beat.s3.bytes < size) {
      first.proc.kill('SIGKILL');
      partsAtKill = beat.s3.parts.length;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(partsAtKill >= 2, 'the worker was killed while uploading');
  const rescuer = await spawnWorker(env);
  const result = (await handle.result()) as JobResult;
  assert.equal(result.file?.size, size);
  const key = `crash/${handle.workflowId}.bin`;
  assert.equal(result.file?.path, `s3://${BUCKET}/${key}`);
  assert.deepEqual(await objectSha256(BUCKET, key), { sha256: result.file?.sha256, size });
  const resumedAt = Number(/resuming the S3 upload at part (\d+)/.exec(rescuer.output())?.[1] ?? 0);
  assert.ok(resumedAt > partsAtKill, `the rescuer resumed the upload after the ${partsAtKill} parts recorded (log: part ${resumedAt})`);
  const peak = await peakRssMiB(rescuer.proc.pid ?? 0);
  console.log(`s3 crash test: ${mib} MiB, killed after ${partsAtKill} parts, resumed at part ${resumedAt}, rescuer peak RSS ${peak.toFixed(0)} MiB`);
  assert.ok(peak < Math.max(400, mib / 2), `the rescuer's memory stays bounded (peak ${peak.toFixed(0)} MiB for a ${mib} MiB object)`);
  rescuer.proc.kill('SIGTERM');
  await client.connection.close();
});
