// The payload codec's pure logic: keys parsed and validated without ever echoing key material,
// AES-256-GCM round trips, rotation (new payloads under the active key, every key decrypts), and
// clear errors naming the key id for payloads it cannot read.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig, loadGatewayConfig, ConfigError } from '../../src/config';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError, isEncrypted, keyIdOf } from '../../src/codec/encryption-codec';
import { parsePayloadKeys } from '../../src/codec/keys';
import { fromPayloadJson, toPayloadJson } from '../../src/gateway/codec/payload-json';
import { redactUrl } from '../../src/gateway/request-log';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const SECRET_PARAM = 'report-7731-confidential';
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (p: Payload): string => Buffer.from(p.data ?? []).toString('utf8') + Object.values(p.metadata ?? {}).map((v) => Buffer.from(v).toString('utf8')).join('');

test('a payload round-trips through encryption; the stored form holds neither the value nor its encoding', async () => {
  const codec = new EncryptionCodec(parsePayloadKeys(`k1:${K1}`));
  const clear = payload({ params: { reportId: SECRET_PARAM } });
  const [sealed] = await codec.encode([clear]);
  assert.ok(sealed);
  assert.equal(isEncrypted(sealed), true);
  assert.equal(keyIdOf(sealed), 'k1');
  assert.equal(Buffer.from(sealed.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
  assert.doesNotMatch(text(sealed), new RegExp(SECRET_PARAM));
  assert.doesNotMatch(text(sealed), /json\/plain/);
  const [opened] = await codec.decode([sealed]);
  assert.ok(opened);
  assert.deepEqual(defaultPayloadConverter.fromPayload(opened), { params: { reportId: SECRET_PARAM } });
  // A random nonce each time: equal values do not give equal ciphertexts.
  const [again] = await codec.encode([clear]);
  assert.notDeepEqual(Buffer.from(again?.data ?? []), Buffer.from(sealed.data ?? []));
});

test('clear payloads (from before encryption was on) pass through decode untouched', async () => {
  const codec = new EncryptionCodec(parsePayloadKeys(`k1:${K1}`));
  const clear = payload('hello');
  assert.deepEqual(await codec.decode([clear]), [clear]);
});

test('rotation: new payloads use the active key, payloads of every listed key decrypt', async () => {
  const before = new EncryptionCodec(parsePayloadKeys(`k1:${K1}`));
  const after = new EncryptionCodec(parsePayloadKeys(`k1:${K1},k2:${K2}`, 'k2'));
  const [old] = await before.encode([payload('old job')]);
  const [fresh] = await after.encode([payload('new job')]);
  assert.ok(old && fresh);
  assert.equal(keyIdOf(old), 'k1');
  assert.equal(keyIdOf(fresh), 'k2');
  const decoded = await after.decode([old, fresh]);
  assert.deepEqual(decoded.map((p) => defaultPayloadConverter.fromPayload(p)), ['old job', 'new job']);
});

test('an unknown key id, a relabelled, tampered or truncated payload is refused naming the key id, never the key', async () => {
  const k1 = new EncryptionCodec(parsePayloadKeys(`k1:${K1}`));
  const k2only = new EncryptionCodec(parsePayloadKeys(`k2:${K2}`));
  const [sealed] = await k1.encode([payload(SECRET_PARAM)]);
  assert.ok(sealed);
  const refused = async (codec: EncryptionCodec, p: Payload, pattern: RegExp): Promise<void> => {
    await assert.rejects(codec.decode([p]), (err: unknown) => {
      assert.ok(err instanceof PayloadDecryptionError);
      assert.match(err.message, pattern);
      for (const key of [K1, K2]) assert.ok(!err.message.includes(key), 'no key material in the error');
      return true;
    });
  };
  await refused(k2only, sealed, /key "k1", which is not in POLLBACK_PAYLOAD_KEYS \(known: k2\)/);
  // The key id is authenticated: relabelling the payload as another key's does not decrypt.
  const both = new EncryptionCodec(parsePayloadKeys(`k1:${K1},k2:${K2}`));
  await refused(both, { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } }, /key "k2" does not authenticate/);
  const data = Buffer.from(sealed.data ?? []);
  data[20] = (data[20] ?? 0) ^ 1;
  await refused(k1, { ...sealed, data }, /key "k1" does not authenticate/);
  await refused(k1, { ...sealed, data: data.subarray(0, 10) }, /key "k1" is truncated/);
  await refused(k1, { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) }, data }, /carries no "encryption-key-id"/);
  // Same id, other material (a key replaced instead of rotated): refused, not garbage.
  await refused(new EncryptionCodec(parsePayloadKeys(`k1:${K2}`)), sealed, /key "k1" does not authenticate/);
});

test('keys are validated by the config module, errors naming the variable and the key id, never the material', () => {
  const config = (env: Record<string, string>) => () => loadConfig(env);
  const short = randomBytes(16).toString('base64');
  const cases: [Record<string, string>, RegExp][] = [
    [{ POLLBACK_PAYLOAD_KEYS: `k1:${short}` }, /^POLLBACK_PAYLOAD_KEYS: key "k1": 16 bytes, AES-256 needs exactly 32/],
    [{ POLLBACK_PAYLOAD_KEYS: 'k1:not base64 at all!' }, /^POLLBACK_PAYLOAD_KEYS: key "k1": not base64/],
    [{ POLLBACK_PAYLOAD_KEYS: K1 }, /^POLLBACK_PAYLOAD_KEYS: entry 1: expected id:base64key/],
    [{ POLLBACK_PAYLOAD_KEYS: `k1:${K1},k1:${K2}` }, /^POLLBACK_PAYLOAD_KEYS: key "k1" is given twice/],
    [{ POLLBACK_PAYLOAD_KEYS: `k1:${K1}`, POLLBACK_PAYLOAD_KEY_ACTIVE: 'k9' }, /^POLLBACK_PAYLOAD_KEY_ACTIVE: the active key "k9" is not one of the keys \(k1\)/],
    [{ POLLBACK_PAYLOAD_KEY_ACTIVE: 'k1' }, /^POLLBACK_PAYLOAD_KEY_ACTIVE: set without POLLBACK_PAYLOAD_KEYS/],
  ];
  for (const [env, message] of cases) {
    assert.throws(config(env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, message);
      for (const material of [K1, K2, short]) assert.ok(!err.message.includes(material), `no key material in "${err.message}"`);
      return true;
    });
  }
  assert.equal(loadConfig({}).payloadKeys, undefined, 'off unless configured');
  const keys = loadConfig({ POLLBACK_PAYLOAD_KEYS: `k1:${K1}, k2:${Buffer.from(K2, 'base64').toString('base64url')}`, POLLBACK_PAYLOAD_KEY_ACTIVE: 'k2' }).payloadKeys;
  assert.equal(keys?.activeKeyId, 'k2');
  assert.deepEqual([...(keys?.keys.keys() ?? [])], ['k1', 'k2']);
  assert.equal(loadConfig({ POLLBACK_PAYLOAD_KEYS: `a:${K1},b:${K2}` }).payloadKeys?.activeKeyId, 'a', 'the first key is active by default');
});

test('codec CORS origins are validated; the default is the dev server UI', () => {
  const base = { POLLBACK_API_AUTH: 'off' };
  assert.deepEqual(loadGatewayConfig(base).codecCorsOrigins, ['http://localhost:8233', 'http://127.0.0.1:8233']);
  assert.deepEqual(loadGatewayConfig({ ...base, POLLBACK_CODEC_CORS_ORIGINS: 'https://temporal-ui.example.com, http://10.0.0.5:8080' }).codecCorsOrigins, ['https://temporal-ui.example.com', 'http://10.0.0.5:8080']);
  for (const bad of ['https://ui.example.com/', 'ui.example.com', 'https://ui.example.com/path', '*']) {
    assert.throws(() => loadGatewayConfig({ ...base, POLLBACK_CODEC_CORS_ORIGINS: bad }), /^ConfigError: POLLBACK_CODEC_CORS_ORIGINS: /);
  }
});

test('proto JSON payloads convert both ways; a token in the codec path is redacted from logs', () => {
  const p = payload({ a: 1 });
  const json = toPayloadJson(p);
  assert.equal(json.metadata?.encoding, Buffer.from('json/plain').toString('base64'));
  assert.deepEqual(defaultPayloadConverter.fromPayload(fromPayloadJson(json)), { a: 1 });
  assert.equal(redactUrl('/codec/secret-token-0123456789/decode'), '/codec/[redacted]/decode');
  assert.equal(redactUrl('/codec/decode'), '/codec/decode');
  assert.equal(redactUrl('/codec/encode?x=1'), '/codec/encode?x=1');
});
