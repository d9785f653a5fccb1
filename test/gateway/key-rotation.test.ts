// Key rotation: job A starts while k1 is the only key; the worker and the gateway restart with
// k1 and k2, k2 active; job B starts. Both stay readable through the gateway (describe, live
// status query, result), A finishes under the new configuration, new payloads carry k2's id
// while A's input keeps k1's. A gateway that dropped k1 too early says which key it lacks.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { pollbackDataConverter } from '../../src/codec/data-converter';
import { ENCRYPTED_ENCODING } from '../../src/codec/encryption-codec';
import { parsePayloadKeys } from '../../src/codec/keys';
import { buildGateway } from '../../src/gateway/app';
import { API_TOKEN, eventually, type GatewayStack } from '../helpers/gateway-stack';
import { newPayloadKey, payloadsIn, rawHistory, startEncryptedStack } from '../helpers/encryption';
import { testClient, testKeyring } from '../helpers/temporal';

const K1 = newPayloadKey();
const K2 = newPayloadKey();
const before1 = parsePayloadKeys(`k1:${K1}`);
const rotated = parsePayloadKeys(`k1:${K1},k2:${K2}`, 'k2');
const k1Dropped = parsePayloadKeys(`k2:${K2}`);

interface JobView {
  state: string;
  summary?: string;
  status?: { phase?: string };
  result?: { output?: unknown; file?: { fileName?: string } };
}

let plain: Client;
before(async () => {
  plain = await testClient();
});
after(async () => {
  await plain?.connection.close();
});

const view = async (stack: GatewayStack, jobId: string): Promise<JobView> => (await stack.api('GET', `/v1/jobs/${jobId}`)).body as JobView;
const finished = (stack: GatewayStack, jobId: string): Promise<JobView> =>
  eventually(`job ${jobId} to finish`, async () => {
    const v = await view(stack, jobId);
    return v.state === 'running' ? undefined : v;
  }, 60_000);

/** The key ids of the encrypted payloads in a job's stored history. */
async function keyIds(jobId: string): Promise<string[]> {
  const payloads = payloadsIn((await rawHistory(plain, jobId)).history).filter((p) => p.encoding === ENCRYPTED_ENCODING);
  return [...new Set(payloads.map((p) => p.keyId ?? '?'))].sort();
}

test('a key rotation keeps old jobs readable; new payloads use the new key', async () => {
  const taskQueue = `rotation-${randomUUID()}`;
  // Before the rotation: job A waits for its callback.
  const first = await startEncryptedStack(before1, {}, undefined, { taskQueue });
  let jobA: string;
  try {
    const started = await first.api('POST', '/v1/jobs', {
      body: { profile: 'task-token', title: 'Job A', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '5m' }, download: false },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    jobA = started.body.jobId as string;
    await eventually('job A to wait for its callback', async () => ((await view(first, jobA)).status?.phase === 'waiting-callback' ? true : undefined));
  } finally {
    await first.stop();
  }
  assert.deepEqual(await keyIds(jobA), ['k1']);

  // The rotation: worker and gateway restart with k1 and k2, k2 active.
  const second = await startEncryptedStack(rotated, {}, undefined, { taskQueue });
  try {
    // A, from before, on a new worker that must replay its k1 history to answer the status query.
    const a = await view(second, jobA);
    assert.equal(a.state, 'running');
    assert.equal(a.summary, 'Job A (callback)');
    assert.equal(a.status?.phase, 'waiting-callback');
    const delivered = await second.api('POST', `/v1/callbacks/${await second.tokenFor(jobA)}`, { body: { status: 'success', output: { job: 'A' } }, token: null });
    assert.equal(delivered.status, 200, JSON.stringify(delivered.body));
    const doneA = await finished(second, jobA);
    assert.equal(doneA.state, 'succeeded', JSON.stringify(doneA));
    assert.deepEqual(doneA.result?.output, { job: 'A' });

    const startedB = await second.api('POST', '/v1/jobs', {
      body: { profile: 'aso-export', title: 'Job B', params: { reportId: 'b', scenario: { durationMs: 200 } }, completion: { mode: 'poll', poll: { interval: '100ms' } } },
    });
    assert.equal(startedB.status, 202, JSON.stringify(startedB.body));
    const jobB = startedB.body.jobId as string;
    const doneB = await finished(second, jobB);
    assert.equal(doneB.state, 'succeeded', JSON.stringify(doneB));
    assert.equal(doneB.result?.file?.fileName, 'report.csv');

    // Both read back after the rotation: describe, the status query on a closed job (a replay of
    // its whole history, k1 and k2 payloads alike), the result.
    for (const [jobId, title] of [[jobA, 'Job A (callback)'], [jobB, 'Job B (poll)']] as const) {
      const v = await view(second, jobId);
      assert.equal(v.state, 'succeeded');
      assert.equal(v.summary, title);
      const status = await second.client.workflow.getHandle(jobId).query<JobStatus>(STATUS_QUERY);
      assert.equal(status.phase, 'succeeded');
    }
    // What the server holds: A's input under k1, what came after the rotation under k2; B all k2.
    assert.deepEqual(await keyIds(jobA), ['k1', 'k2']);
    const historyA = (await rawHistory(plain, jobA)).history;
    assert.equal(payloadsIn(historyA.events?.[0]?.workflowExecutionStartedEventAttributes?.input)[0]?.keyId, 'k1');
    assert.equal(payloadsIn(historyA.events?.at(-1)?.workflowExecutionCompletedEventAttributes?.result)[0]?.keyId, 'k2');
    assert.deepEqual(await keyIds(jobB), ['k2']);

    // k1 removed while A still needs it: the gateway names the missing key, and leaks no key.
    const k1GoneClient = await testClient(pollbackDataConverter(k1Dropped));
    const k1Gone = await buildGateway({ client: k1GoneClient, keyring: testKeyring, taskQueue, namespace: 'default', apiAuth: { tokens: [API_TOKEN] } });
    try {
      const answer = await k1Gone.inject({ method: 'GET', url: `/v1/jobs/${jobA}`, headers: { authorization: `Bearer ${API_TOKEN}` } });
      const body = answer.json<{ type: string; detail?: string }>();
      assert.equal(answer.statusCode, 500, answer.body);
      assert.equal(body.type, 'PayloadUndecryptable');
      assert.match(body.detail ?? '', /key "k1", which is not in POLLBACK_PAYLOAD_KEYS \(known: k2\)/);
      for (const key of [K1, K2]) assert.ok(!answer.body.includes(key));
      // B, all under k2, reads fine there.
      assert.equal((await k1Gone.inject({ method: 'GET', url: `/v1/jobs/${jobB}`, headers: { authorization: `Bearer ${API_TOKEN}` } })).statusCode, 200);
    } finally {
      await k1Gone.close();
      await k1GoneClient.connection.close();
    }
  } finally {
    await second.stop();
  }
});
