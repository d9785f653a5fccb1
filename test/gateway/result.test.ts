// `GET /v1/jobs/:id/result` streams the file a real job downloaded from the simulator:
// Content-Length, Range (206 / 416), If-Range, and the refusals around it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JobResult } from '../../src/contract/job-status';
import type { asyncJob } from '../../src/workflows/async-job';
import { API_TOKEN, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

let stack: GatewayStack;
let jobId: string;
let result: JobResult;
let whole: Buffer;
const SIZE = 200_000;

before(async () => {
  stack = await startGatewayStack();
  const started = await stack.api('POST', '/v1/jobs', {
    body: { profile: 'task-token', title: 'a file to stream', params: { waitTime: 0.1, scenario: { resultSize: SIZE } }, completion: { mode: 'callback', timeout: '1m' } },
  });
  assert.equal(started.status, 202);
  jobId = String(started.body.jobId);
  result = await stack.client.workflow.getHandle<typeof asyncJob>(jobId).result();
  assert.ok(result.file, 'the job downloaded its result');
  whole = await readFile(result.file.path);
});
after(async () => {
  await stack.stop();
});

async function get(range?: Record<string, string>, base = stack.url): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${base}/v1/jobs/${jobId}/result`, { headers: { authorization: `Bearer ${API_TOKEN}`, ...range } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

test('the whole file: 200 with Content-Length, checksum, ETag, file name and type', async () => {
  assert.ok(result.file);
  const answer = await get();
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('content-length'), String(SIZE));
  assert.equal(answer.headers.get('accept-ranges'), 'bytes');
  assert.equal(answer.headers.get('etag'), `"${result.file.sha256}"`);
  assert.match(answer.headers.get('content-disposition') ?? '', new RegExp(`filename="${result.file.fileName.replace(/\./g, '\\.')}"`));
  assert.equal(answer.body.length, SIZE);
  assert.equal(createHash('sha256').update(answer.body).digest('hex'), result.file.sha256);
  assert.ok(answer.body.equals(whole));
});

test('Range: a middle slice, an open end and a suffix are 206 with Content-Range; the bytes match', async () => {
  const cases: [string, number, number][] = [
    ['bytes=100-1099', 100, 1099],
    [`bytes=${SIZE - 10}-`, SIZE - 10, SIZE - 1],
    ['bytes=-500', SIZE - 500, SIZE - 1],
    [`bytes=0-${SIZE * 2}`, 0, SIZE - 1],
  ];
  for (const [range, start, end] of cases) {
    const answer = await get({ range });
    assert.equal(answer.status, 206, range);
    assert.equal(answer.headers.get('content-range'), `bytes ${start}-${end}/${SIZE}`);
    assert.equal(answer.headers.get('content-length'), String(end - start + 1));
    assert.ok(answer.body.equals(whole.subarray(start, end + 1)), `bytes of ${range}`);
  }
});

test('Range past the end is 416 problem+json with Content-Range bytes */size; If-Range with a stale ETag gets the whole file', async () => {
  const beyond = await get({ range: `bytes=${SIZE}-` });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${SIZE}`);
  assert.equal((JSON.parse(beyond.body.toString()) as { type: string }).type, 'RangeNotSatisfiable');
  const stale = await get({ range: 'bytes=0-9', 'if-range': '"an-older-version"' });
  assert.equal(stale.status, 200);
  assert.equal(stale.body.length, SIZE);
  const fresh = await get({ range: 'bytes=0-9', 'if-range': `"${result.file?.sha256 ?? ''}"` });
  assert.equal(fresh.status, 206);
  assert.equal(fresh.body.length, 10);
});

test('refusals: no token, a running job, a job without a file, a file outside the download folder', async () => {
  const anonymous = await fetch(`${stack.url}/v1/jobs/${jobId}/result`);
  assert.equal(anonymous.status, 401);

  const running = await stack.api('POST', '/v1/jobs', { body: { profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' } } });
  const notYet = await stack.api('GET', `/v1/jobs/${running.body.jobId as string}/result`);
  assert.equal(notYet.status, 409);
  assert.equal(notYet.body.type, 'ResultNotReady');
  assert.equal((await stack.api('DELETE', `/v1/jobs/${running.body.jobId as string}`)).status, 202);

  const remoteOnly = await stack.api('POST', '/v1/jobs', { body: { profile: 'task-token', params: { waitTime: 0.1 }, completion: { mode: 'callback', timeout: '1m' }, download: false } });
  await stack.client.workflow.getHandle(remoteOnly.body.jobId as string).result();
  const noFile = await stack.api('GET', `/v1/jobs/${remoteOnly.body.jobId as string}/result`);
  assert.equal(noFile.status, 404);
  assert.equal(noFile.body.type, 'ResultNotAvailable');

  // A gateway whose download folder is elsewhere must not serve a path it does not own.
  const elsewhere = await stack.extraGateway({ resultRoot: await mkdtemp(path.join(os.tmpdir(), 'pollback-other-root-')) });
  try {
    const outside = await get(undefined, elsewhere.url);
    assert.equal(outside.status, 404);
    assert.match((JSON.parse(outside.body.toString()) as { detail: string }).detail, /outside the download folder/);
  } finally {
    await elsewhere.close();
  }
});
