// Hostile requests to the gateway process, each against a real waiting job: bad tokens of every
// kind, malformed JSON, wrong content types, oversized and slow-drip bodies, a replayed callback,
// bad job-API requests. Each must get the right 4xx, and the waiting job must see no signal.
import { connect } from 'node:net';
import { mintToken, parseKeyring } from '../../src/tokens/task-token';
import { EventType, historyEvents } from '../../test/helpers/history';
import type { HostileCase, RunContext } from '../family';
import { tokenOf } from '../faults/duplicate-callbacks';
import { inPhase, until, type Tracked } from '../jobs';

const FAMILY = 'hostile requests';

interface Answer {
  status: number;
  type?: string;
  body: Record<string, unknown>;
}

async function post(url: string, body: string, contentType: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: judged by status alone
  }
  return { status: res.status, body: parsed, ...(typeof parsed.type === 'string' ? { type: parsed.type } : {}) };
}

/** Sends the headers and then one byte a second: the gateway must hang up, not wait forever. */
function slowDrip(base: string, path: string, limitMs: number): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const startedAt = Date.now();
    let answer = '';
    const timer = setInterval(() => socket.write('x'), 1_000);
    const done = (how: string): void => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve(how);
    };
    const giveUp = setTimeout(() => done(`still open after ${limitMs} ms`), limitMs);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => done(`closed after ${Date.now() - startedAt} ms${answer ? `: ${answer.split('\r\n')[0] ?? ''}` : ''}`));
    socket.on('error', () => undefined);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{`);
  });
}

/** Signals by name: a refused but authenticated callback is told to the job (`callbackRefused`); nothing may settle it (`callback`). */
const signalsIn = async (job: Tracked, name: string): Promise<number> =>
  (await historyEvents(job.handle)).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && e.workflowExecutionSignaledEventAttributes?.signalName === name).length;

export async function hostileRequests(ctx: RunContext): Promise<HostileCase[]> {
  const { cluster, book } = ctx;
  const gateway = cluster.gatewayUrl;
  const target = await book.start(FAMILY, 'hostile target', { profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '10m' }, download: false }, { end: ['Cancelled'], notifications: 0 });
  await until(() => inPhase(target, ['waiting-callback']), 20_000);
  const token = await tokenOf(ctx, target);
  const { runId } = await target.handle.describe();
  const claims = { workflowId: target.workflowId, runId, expiresAt: Date.now() + 600_000 };
  const [version, kid, , signature] = token.split('.');
  const forgedClaims = Buffer.from(JSON.stringify({ w: 'someone-elses-job', r: runId, e: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
  const success = JSON.stringify({ status: 'success', output: 'hostile' });

  const cases: { name: string; send: () => Promise<Answer>; status: number; type?: string }[] = [];
  const tokenCase = (name: string, bad: string, status = 401, type = 'InvalidToken'): void => {
    cases.push({ name, send: () => post(`${gateway}/v1/callbacks/${bad}`, success, 'application/json'), status, type });
  };
  tokenCase('forged token (not a token)', 'not-a-token');
  tokenCase('forged token (made-up parts)', 'pb1.ck1.Zm9yZ2Vk.c2lnbmF0dXJl');
  tokenCase('token signed with another key, same key id', mintToken(parseKeyring(`${kid ?? 'ck1'}:an-attackers-own-key-0123456789abcdef`), claims));
  tokenCase('token signed with an unknown key id', mintToken(parseKeyring('k9:an-attackers-own-key-0123456789abcdef'), claims));
  tokenCase('tampered claims (another job)', `${version}.${kid}.${forgedClaims}.${signature}`);
  tokenCase('tampered signature', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
  tokenCase('truncated token (signature cut)', token.slice(0, -10));
  tokenCase('truncated token (no signature)', token.split('.').slice(0, 3).join('.'));
  tokenCase('expired token', mintToken(cluster.keyring, { ...claims, expiresAt: Date.now() - 1_000 }), 410, 'TaskTimedOut');
  const callbackUrl = `${gateway}/v1/callbacks/${token}`;
  cases.push(
    { name: 'malformed JSON', send: () => post(callbackUrl, '{"status":"success",', 'application/json'), status: 400 },
    { name: 'JSON of the wrong shape', send: () => post(callbackUrl, '{"status":"done"}', 'application/json'), status: 400, type: 'InvalidRequest' },
    { name: 'wrong content type (form)', send: () => post(callbackUrl, 'status=success', 'application/x-www-form-urlencoded'), status: 415, type: 'UnsupportedMediaType' },
    { name: 'wrong content type (text/plain, task endpoint)', send: () => post(`${gateway}/v1/tasks/success`, JSON.stringify({ taskToken: token }), 'text/plain'), status: 415, type: 'UnsupportedMediaType' },
    { name: 'oversized body', send: () => post(callbackUrl, JSON.stringify({ status: 'success', output: 'x'.repeat(64 * 1024) }), 'application/json'), status: 413, type: 'PayloadTooLarge' },
    { name: 'body token differs from URL token', send: () => post(callbackUrl, JSON.stringify({ status: 'success', taskToken: `${token}x` }), 'application/json'), status: 400, type: 'InvalidToken' },
    { name: 'job API without a bearer token', send: () => post(`${gateway}/v1/jobs`, '{}', 'application/json'), status: 401 },
    { name: 'job API with a wrong bearer token', send: () => post(`${gateway}/v1/jobs`, '{}', 'application/json', { authorization: 'Bearer not-the-api-token-0123456789' }), status: 401 },
  );

  const results: HostileCase[] = [];
  for (const c of cases) {
    const answer: Answer = await c.send().catch((err: unknown) => ({ status: 0, body: { error: String(err) } }));
    const refused = answer.status === c.status && (c.type === undefined || answer.type === c.type);
    results.push({ family: FAMILY, name: c.name, refused, detail: `${answer.status} ${answer.type ?? ''}`.trim() });
  }

  const drip = await slowDrip(gateway, `/v1/callbacks/${token}`, 15_000);
  results.push({ family: FAMILY, name: 'slow-drip request body', refused: drip.startsWith('closed'), detail: drip });

  // A callback for a job that already finished changes nothing and is acknowledged as such.
  const done = await book.start(FAMILY, 'replay target', { profile: 'task-token', params: { waitTime: 0.1, scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m' }, download: false }, { end: 'succeeded', notifications: 0 });
  await until(() => inPhase(done, ['waiting-callback']), 20_000);
  const doneUrl = `${gateway}/v1/callbacks/${await tokenOf(ctx, done)}`;
  await post(doneUrl, JSON.stringify({ status: 'success', output: 'first' }), 'application/json');
  await done.handle.result();
  const replay = await post(doneUrl, JSON.stringify({ status: 'failure', error: 'replayed' }), 'application/json');
  results.push({ family: FAMILY, name: 'replayed callback after the job finished', refused: replay.status === 200 && replay.body.delivered === false && replay.body.jobStatus === 'COMPLETED', detail: `${replay.status} ${JSON.stringify(replay.body)}` });

  // Only the one authenticated callback of the wrong shape reached the job, as a refusal it can show.
  const signals = await signalsIn(target, 'callback');
  const refusals = await signalsIn(target, 'callbackRefused');
  const running = (await target.handle.describe()).status.name;
  results.push({ family: FAMILY, name: 'the waiting job was settled by none of it', refused: signals === 0 && refusals === 1 && running === 'RUNNING', detail: `${signals} callback signals, ${refusals} refusal noted, ${running}` });
  await target.handle.cancel();
  return results;
}
