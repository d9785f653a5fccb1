// The OpenAPI document is generated from the route schemas: it must be a valid OpenAPI 3.1
// document and list every route the gateway serves. Needs no Temporal (the client is lazy and
// never called).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildGateway } from '../../src/gateway/app';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { parsePayloadKeys } from '../../src/codec/keys';
import { testKeyring } from '../helpers/temporal';

let app: FastifyInstance;
let client: Client;
before(async () => {
  client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) });
  app = await buildGateway({ client, keyring: testKeyring, apiAuth: { tokens: ['openapi-test-token-0123'] } });
  await app.ready();
});
after(async () => {
  await app.close();
});

const EXPECTED: [string, string][] = [
  ['post', '/v1/callbacks/{token}'],
  ['post', '/v1/tasks/success'],
  ['post', '/v1/tasks/failure'],
  ['post', '/v1/tasks/heartbeat'],
  ['post', '/'],
  ['post', '/v1/webhooks/{source}'],
  ['post', '/v1/profiles/{profile}/callback'],
  ['post', '/v1/profiles/{profile}/callback/{token}'],
  ['post', '/v1/jobs'],
  ['get', '/v1/jobs'],
  ['get', '/v1/jobs/{id}'],
  ['delete', '/v1/jobs/{id}'],
  ['get', '/v1/jobs/{id}/result'],
  ['post', '/v1/schedules'],
  ['get', '/v1/schedules'],
  ['get', '/v1/schedules/{id}'],
  ['delete', '/v1/schedules/{id}'],
  ['post', '/v1/schedules/{id}/pause'],
  ['post', '/v1/schedules/{id}/resume'],
  ['post', '/v1/schedules/{id}/trigger'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/metrics'],
];

interface Operation {
  summary?: string;
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  security?: unknown[];
}

test('/openapi.json validates as OpenAPI 3.1 and lists every route with a summary and responses', async () => {
  const answer = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(answer.statusCode, 200);
  const doc = answer.json<{ openapi: string; paths: Record<string, Record<string, Operation>> }>();
  assert.match(doc.openapi, /^3\.1/);
  // ESM-only package, from CommonJS: a dynamic import.
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const result = await new Validator().validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
  assert.deepEqual(documented, EXPECTED.map(([m, p]) => `${m} ${p}`).sort());
  for (const [method, route] of EXPECTED) {
    const op = doc.paths[route]?.[method];
    assert.ok(op?.summary, `${method} ${route} has a summary`);
    assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${route} documents its responses`);
  }
  assert.ok(doc.paths['/v1/jobs']?.post?.requestBody, 'the job input schema is documented');
  assert.deepEqual(doc.paths['/v1/jobs']?.post?.security, [{ bearerAuth: [] }]);
  assert.equal(doc.paths['/v1/tasks/success']?.post?.security, undefined, 'callbacks need no bearer token');
});

test('with payload encryption on, the codec endpoint is documented too (and valid); off, it is absent', async () => {
  const codec = new EncryptionCodec(parsePayloadKeys(`k1:${Buffer.alloc(32, 7).toString('base64')}`));
  const withCodec = await buildGateway({ client, keyring: testKeyring, apiAuth: { tokens: ['openapi-test-token-0123'] }, codec: { codec, corsOrigins: ['http://localhost:8233'] } });
  try {
    const doc = (await withCodec.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    const codecOps = Object.entries(doc.paths).filter(([p]) => p.startsWith('/codec')).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    assert.deepEqual(codecOps, ['options /codec/decode', 'options /codec/encode', 'options /codec/{token}/decode', 'options /codec/{token}/encode', 'post /codec/decode', 'post /codec/encode', 'post /codec/{token}/decode', 'post /codec/{token}/encode']);
    assert.deepEqual(doc.paths['/codec/decode']?.post?.security, [{ bearerAuth: [] }]);
    assert.ok(doc.paths['/codec/decode']?.post?.responses?.['422'], 'an undecryptable payload is documented');
  } finally {
    await withCodec.close();
  }
  const off = (await app.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [] } })).statusCode;
  assert.equal(off, 404, 'encryption off: no codec endpoint');
});

test('/docs serves the interactive documentation page', async () => {
  const page = await app.inject({ method: 'GET', url: '/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.match(page.body, /swagger/i);
});
