// Property-based fuzzing of the whole gateway against its own OpenAPI document: for every
// operation /openapi.json lists, fast-check builds requests from the document (its path, query
// and header parameters, its body) and breaks them in every part — path segments of any
// content or bad percent-encoding, unknown and hostile query values (NUL bytes, huge numbers),
// odd headers and content types, bodies that are any JSON, not JSON, or a valid body with one
// field replaced by anything. Whatever is malformed, no answer is a 5xx, and every answer matches
// the document (the stack's conformance check runs at stop()). Issue 13 found a NUL byte in a
// list filter answering 500; this keeps the whole class closed.
// POLLBACK_FUZZ_RUNS (per operation) and POLLBACK_FUZZ_SEED explore further than the default run.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { parsePayloadKeys } from '../../src/codec/keys';
import { newPayloadKey, startEncryptedStack } from '../helpers/encryption';
import { API_TOKEN, type GatewayStack } from '../helpers/gateway-stack';

const RUNS = Number(process.env.POLLBACK_FUZZ_RUNS ?? 120);
const SEED = Number(process.env.POLLBACK_FUZZ_SEED ?? 13);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
}
interface Operation {
  method: string;
  path: string;
  parameters?: Parameter[];
  requestBody?: unknown;
}

let stack: GatewayStack;
let operations: Operation[] = [];

before(async () => {
  // Payload encryption on, so the codec endpoint's operations are in the document and fuzzed too.
  stack = await startEncryptedStack(parsePayloadKeys(`f1:${newPayloadKey()}`));
  const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };
  operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })));
});
after(async () => {
  await stack.stop();
});

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\u001f', '..', '../../etc/passwd', '%', '%00', '%zz', 'NaN', '-1', '1e309', '99999999999999999999', '__proto__', 'x'.repeat(5000)),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e308, 2 ** 53 + 1)),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A path segment: encoded arbitrary text, or raw text with % signs that may not decode. */
const segment = fc.oneof(
  hostileString.map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return 'lone-surrogate';
    }
  }),
  fc.stringMatching(/^[A-Za-z0-9%._~-]{1,24}$/),
  fc.constantFrom('job-1', 'nightly', 'aso-export', 'github', 'pb1.k1.e30.AAAA'),
);

/** Header values fetch can send (visible ASCII and Latin-1, no surrounding space). */
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/),
  fc.constantFrom('bytes=0-', 'bytes=-5', 'bytes=5-1', 'bytes=0-0,2-3', 'bytes=abc', '"etag"', 'W/"x"', '0', '-1', 'Bearer'),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/x-amz-json-1.0',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/problem+json',
  ';;',
);
const auth = fc.constantFrom<string | undefined>(undefined, `Bearer ${API_TOKEN}`, 'Bearer x', 'Basic Zm9vOmJhcg==', `Bearer ${API_TOKEN}\t`);

/** Valid bodies to break one field of, per operation. */
const validBodies: Record<string, unknown> = {
  'POST /v1/jobs': { profile: 'aso-export', params: { reportId: 'fuzz' }, completion: { mode: 'poll', timeout: '1m', poll: { interval: '1s' } }, download: false },
  'POST /v1/schedules': {
    scheduleId: 'fuzz-schedule',
    cron: '0 2 * * *',
    job: { profile: 'aso-export', params: { reportId: 'fuzz' }, completion: { mode: 'poll', timeout: '1m' }, download: false },
  },
  'POST /v1/tasks/success': { taskToken: 'pb1.k1.e30.AAAA', output: {} },
  'POST /': { taskToken: 'pb1.k1.e30.AAAA', output: '{}' },
};

/** Replaces the value at one path of `value` (chosen by `pick`) with `replacement`. */
function breakOneField(value: unknown, pick: number, replacement: unknown): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const copy: Record<string, unknown> = Array.isArray(value) ? { ...value } : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const key = keys[pick % keys.length];
  if (key === undefined) return replacement;
  copy[key] = pick % 3 === 0 ? replacement : breakOneField(copy[key], Math.floor(pick / 3), replacement);
  return copy;
}

const body = (operation: Operation): fc.Arbitrary<string | undefined> => {
  const valid = validBodies[`${operation.method} ${operation.path}`];
  return fc.oneof(
    fc.constant(undefined),
    json.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '[]', 'null', '""', '{"a":', '\u0000', '{"__proto__":{"polluted":1}}', `{"x":"${'a'.repeat(70_000)}"}`),
    ...(valid !== undefined ? [fc.tuple(fc.nat(), json).map(([pick, replacement]) => JSON.stringify(breakOneField(valid, pick, replacement)))] : []),
  );
};

interface Sample {
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function request(operation: Operation): fc.Arbitrary<Sample> {
  const params = operation.parameters ?? [];
  const pathNames = params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = params.filter((p) => p.in === 'query').map((p) => p.name);
  const headerNames = params.filter((p) => p.in === 'header').map((p) => p.name);
  return fc
    .record({
      path: fc.tuple(...pathNames.map(() => segment)),
      query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(queryNames.length ? queryNames : ['q'])), hostileString), hostileString), { maxLength: 4 }),
      headers: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(headerNames.length ? headerNames : ['x-extra'])), fc.constantFrom('x-sim', 'if-none-match', 'accept', 'idempotency-key', 'x-amz-target')), headerValue), { maxLength: 3 }),
      contentType,
      auth,
      body: operation.method === 'GET' || operation.method === 'DELETE' ? fc.constant(undefined) : body(operation),
    })
    .map(({ path, query, headers, contentType: type, auth: authorization, body: payload }) => {
      let i = 0;
      const urlPath = operation.path.replace(/\{[^}]+\}/g, () => path[i++] ?? 'x');
      const search = new URLSearchParams(query).toString();
      const sent: Record<string, string> = Object.fromEntries(headers);
      if (payload !== undefined) sent['content-type'] = type;
      if (authorization) sent.authorization = authorization;
      return { url: `${urlPath}${search ? `?${search}` : ''}`, headers: sent, body: payload };
    });
}

test('no request built from /openapi.json and broken in any part gets a 5xx, and every answer matches the document', async (t) => {
  assert.ok(operations.length >= 20, `the document lists the gateway's operations (${operations.length})`);
  for (const operation of operations) {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request(operation), async (sample) => {
        const res = await fetch(`${stack.url}${sample.url}`, { method: operation.method, headers: sample.headers, ...(sample.body !== undefined ? { body: sample.body } : {}) });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${operation.method} ${sample.url.slice(0, 300)} → ${res.status} (headers ${JSON.stringify(sample.headers).slice(0, 300)}, body ${String(sample.body).slice(0, 300)})`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    t.diagnostic(`${operation.method} ${operation.path}: ${RUNS} requests, statuses ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  }
});
