// The callback mechanism's pure parts: how a profile reads a callback in the API's own words,
// and the signature schemes that authenticate callbacks without a token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { interpret, bodyWithoutToken } from '../../src/gateway/callbacks/interpret';
import { clipReason } from '../../src/gateway/deliver-callback';
import { callbackRefusedSignalSchema } from '../../src/contract/signals';
import { checkSignature, signBody, signStripe } from '../../src/gateway/callbacks/signature';
import { callbackSchema } from '../../src/contract/profile/callback';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../../src/profiles/loader';

const SHA = 'a'.repeat(64);

test('a profile reads its API\'s own words: running with progress, done with result and sha256, error with code', async () => {
  const spec = (await loadProfiles([BUILTIN_PROFILES_DIR])).get('render-farm')?.callback;
  const view = (body: unknown) => ({ headers: {}, body });
  assert.deepEqual(interpret(spec, view({ operation: { id: 'r1', state: 'RENDERING', progress: { percent: 40 } } })), {
    kind: 'signal', state: 'RENDERING', signal: { kind: 'heartbeat', progress: 40 },
  });
  const done = { operation: { id: 'r1', state: 'DONE' }, output: { location: 'http://127.0.0.1:1/files/r1', checksum: { sha256: SHA } } };
  assert.deepEqual(interpret(spec, view(done)), {
    kind: 'signal', state: 'DONE', signal: { kind: 'success', output: done, resultUrl: 'http://127.0.0.1:1/files/r1', sha256: SHA },
  });
  const failed = interpret(spec, view({ operation: { id: 'r1', state: 'ERROR' }, error: { code: 'GpuQuota', message: 'no GPUs left' } }));
  assert.equal(failed.kind === 'signal' && failed.signal.kind, 'failure');
  assert.deepEqual(failed.kind === 'signal' && failed.signal.kind === 'failure' ? [failed.signal.code, failed.signal.error] : [], ['GpuQuota', 'no GPUs left']);
  assert.deepEqual(interpret(spec, view({ operation: { state: 'COMPLETE' } })), {
    kind: 'refused',
    reason: 'state "COMPLETE" at body field operation.state is not one of the profile\'s callback states (QUEUED, RENDERING, DONE, ERROR, CANCELLED)',
  });
  assert.deepEqual(interpret(spec, view({ op: {} })), { kind: 'refused', reason: 'no state at body field operation.state' });
  const badSha = interpret(spec, view({ operation: { state: 'DONE' }, output: { location: 'http://127.0.0.1:1/x', checksum: { sha256: 'nope' } } }));
  assert.equal(badSha.kind, 'refused');
});

test('Pollback\'s own body is the default; anything else is refused with the field named', () => {
  assert.deepEqual(interpret(undefined, { headers: {}, body: { status: 'heartbeat', progress: 12 } }), { kind: 'signal', state: 'heartbeat', signal: { kind: 'heartbeat', progress: 12 } });
  const refused = interpret(undefined, { headers: {}, body: { operation: { state: 'DONE' } } });
  assert.equal(refused.kind, 'refused');
  assert.match(refused.kind === 'refused' ? refused.reason : '', /^the body is not a Pollback callback: status: /);
});

test('a token carried in the body never reaches the job\'s output or failure cause', () => {
  const spec = callbackSchema.parse({ auth: { token: 'body', field: 'meta.token' }, state: { body: 'state' }, states: { succeeded: ['ok'], failed: ['bad'] } });
  const body = { meta: { token: 'pb1.secret-token', other: 1 }, state: 'ok' };
  const ok = interpret(spec, { headers: {}, body }, 'meta.token');
  assert.deepEqual(ok.kind === 'signal' && ok.signal.kind === 'success' ? ok.signal.output : undefined, { meta: { other: 1 }, state: 'ok' });
  const bad = interpret(spec, { headers: {}, body: { ...body, state: 'bad' } }, 'meta.token');
  assert.ok(!JSON.stringify(bad).includes('secret-token'));
  assert.deepEqual(bodyWithoutToken('text', 'a.b'), 'text');
});

test('otherStates: ignore leaves unknown words be (APIs that send many event types to one URL)', () => {
  const spec = callbackSchema.parse({ auth: { token: 'path' }, state: { body: 'type' }, states: { succeeded: ['export.completed'] }, otherStates: 'ignore' });
  assert.deepEqual(interpret(spec, { headers: {}, body: { type: 'invoice.paid' } }), { kind: 'ignored', state: 'invoice.paid' });
});

test('the callback section refuses what could never work, naming the field', () => {
  const issues = (raw: unknown): string[] => {
    const parsed = callbackSchema.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ auth: { correlate: { body: 'id' } } }).join(), /exactly one of signature or sharedSecret/);
  assert.match(issues({ state: { body: 's' } }).join(), /states: state and states go together/);
  assert.match(issues({ state: { body: 's' }, states: { running: ['r'] } }).join(), /at least one of succeeded or failed/);
  assert.match(issues({ auth: { token: 'header' } }).join(), /auth/);
  assert.deepEqual(issues({ auth: { token: 'query' } }), []);
  assert.equal(callbackSchema.parse({ auth: { token: 'query' } }).auth && 'name' in (callbackSchema.parse({ auth: { token: 'query' } }).auth ?? {}) ? 'ok' : 'no', 'ok');
});

test('signatures: GitHub HMAC (hex and base64), Stripe with its replay window, Standard Webhooks', () => {
  const secret = 'a-shared-secret-0123456789';
  const body = Buffer.from('{"id":"x"}');
  const hmac = callbackSchema.parse({ auth: { correlate: { body: 'id' }, signature: { scheme: 'hmac-sha256', secretEnv: 'S' } } }).auth;
  const spec = hmac && 'correlate' in hmac ? hmac.signature : undefined;
  assert.ok(spec);
  assert.deepEqual(checkSignature(spec, secret, body, { 'x-hub-signature-256': signBody(Buffer.from(secret), body) }), { ok: true });
  assert.equal(checkSignature(spec, secret, body, { 'x-hub-signature-256': signBody(Buffer.from('another-secret-000000000'), body) }).ok, false);
  const b64 = { scheme: 'hmac-sha256' as const, secretEnv: 'S', header: 'X-Sig', prefix: '', encoding: 'base64' as const };
  assert.deepEqual(checkSignature(b64, secret, body, { 'x-sig': signBody(Buffer.from(secret), body, '', 'base64') }), { ok: true });

  const stripe = { scheme: 'stripe' as const, secretEnv: 'S', header: 'Stripe-Signature', tolerance: 300_000 };
  const now = Date.now();
  assert.deepEqual(checkSignature(stripe, secret, body, { 'stripe-signature': signStripe(Buffer.from(secret), body, new Date(now)) }, now), { ok: true });
  const old = signStripe(Buffer.from(secret), body, new Date(now - 600_000));
  assert.match(JSON.stringify(checkSignature(stripe, secret, body, { 'stripe-signature': old }, now)), /replay window/);
  assert.match(JSON.stringify(checkSignature(stripe, secret, Buffer.from('{"id":"y"}'), { 'stripe-signature': signStripe(Buffer.from(secret), body) })), /does not match/);
  assert.match(JSON.stringify(checkSignature(stripe, secret, body, { 'stripe-signature': 'v1=abc' })), /malformed/);
  assert.match(JSON.stringify(checkSignature(stripe, secret, body, {})), /no signature header/);

  const whsec = `whsec_${Buffer.from('standard-webhooks-secret-0123456789').toString('base64')}`;
  const standard = { scheme: 'standard-webhooks' as const, secretEnv: 'S' };
  const at = new Date();
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(whsec).sign('msg_1', at, body.toString()) };
  assert.deepEqual(checkSignature(standard, whsec, body, headers), { ok: true });
  assert.equal(checkSignature(standard, whsec, Buffer.from('{}'), headers).ok, false);
  const stale = new Date(Date.now() - 3_600_000);
  assert.match(JSON.stringify(checkSignature(standard, whsec, body, { ...headers, 'webhook-timestamp': String(Math.floor(stale.getTime() / 1000)), 'webhook-signature': new Webhook(whsec).sign('msg_1', stale, body.toString()) })), /too old/);
});

test("a refusal reason naming a long list of the API's words still fits the job's refusal signal", () => {
  const words = Array.from({ length: 80 }, (_, i) => `state-word-${i}`);
  const spec = callbackSchema.parse({ auth: { token: 'path' }, state: { body: 's' }, states: { succeeded: words } });
  const verdict = interpret(spec, { headers: {}, body: { s: 'nope' } });
  assert.equal(verdict.kind, 'refused');
  const reason = verdict.kind === 'refused' ? verdict.reason : '';
  assert.ok(reason.length > 500, 'the reason itself is long');
  assert.equal(callbackRefusedSignalSchema.safeParse({ reason }).success, false, 'unclipped, the job would drop it');
  assert.ok(callbackRefusedSignalSchema.safeParse({ reason: clipReason(reason) }).success);
});
