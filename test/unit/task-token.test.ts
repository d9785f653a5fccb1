import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintToken, parseKeyring, verifyToken } from '../../src/tokens/task-token';

const keys = parseKeyring('old:an-old-key-that-is-at-least-32-bytes-long,new:a-new-key-that-is-at-least-32-bytes-long', 'new');
const claims = { workflowId: 'job-1', runId: 'run-1', expiresAt: Date.now() + 60_000 };

test('a minted token verifies and carries its claims', () => {
  const result = verifyToken(keys, mintToken(keys, claims));
  assert.equal(result.ok, true);
  assert.ok(result.ok);
  assert.equal(result.keyId, 'new');
  assert.equal(result.claims.workflowId, 'job-1');
  assert.equal(result.claims.runId, 'run-1');
});

test('tokens signed by a rotated-out but still listed key verify', () => {
  const old = parseKeyring('old:an-old-key-that-is-at-least-32-bytes-long');
  assert.equal(verifyToken(keys, mintToken(old, claims)).ok, true);
});

test('tampered, other-key, expired and malformed tokens are refused with a reason', () => {
  const token = mintToken(keys, claims);
  const [v, kid, payload, sig] = token.split('.') as [string, string, string, string];
  const otherPayload = Buffer.from(JSON.stringify({ w: 'job-2', r: 'run-1', e: 9_999_999_999 })).toString('base64url');
  assert.deepEqual(verifyToken(keys, [v, kid, otherPayload, sig].join('.')), { ok: false, reason: 'bad-signature' });
  const foreign = parseKeyring('new:somebody-elses-key-also-32-bytes-long!!');
  assert.deepEqual(verifyToken(keys, mintToken(foreign, claims)), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyToken(keys, [v, 'nope', payload, sig].join('.')), { ok: false, reason: 'unknown-key' });
  assert.equal(verifyToken(keys, mintToken(keys, { ...claims, expiresAt: Date.now() - 1_000 })).ok, false);
  assert.equal((verifyToken(keys, mintToken(keys, { ...claims, expiresAt: Date.now() - 1_000 })) as { reason: string }).reason, 'expired');
  for (const bad of ['', 'pb1', 'pb1.new.x', `${token}.extra`, token.slice(0, -3), 'xx1.new.a.b']) {
    assert.equal(verifyToken(keys, bad).ok, false, bad);
  }
});

test('keyring parsing names the problem', () => {
  assert.throws(() => parseKeyring('k1:short'), /shorter than 32 bytes/);
  assert.throws(() => parseKeyring('nokey'), /kid:secret/);
  assert.throws(() => parseKeyring('k1:0123456789abcdef0123456789abcdef', 'k9'), /active key "k9"/);
});
