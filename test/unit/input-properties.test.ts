// Property-based tests of the two parsers that read what people write: the job input (the
// workflow's first step, and the gateway's body schema) and profile files. Whatever the shape,
// each returns its result or its own typed refusal naming the field; nothing else escapes.
// Before issue 13 an empty duration string threw out of the input schema and hung the job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { ProfileLoadError, parseProfile } from '../../src/profiles/loader';
import { fieldPath } from '../../src/contract/validation';
import { jobInputSchema, parseJobInput } from '../../src/contract/job-input';

/** Runs per property: enough to walk every field with many shapes, a few seconds in all. */
const RUNS = 400;

/** Any JSON a caller can send, with the numbers and strings that break naive parsers. */
const nastyNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, -1, 0.4, 2 ** 53),
  fc.integer(),
);
const nastyString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', '1e3', '-5s', 'NaN', 'Infinity', '__proto__', 'constructor', '{{params.x}}', '5'.repeat(120), 'x'.repeat(300)),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('__proto__', 'mode', 'type')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const validInput = {
  profile: 'aso-export',
  params: { reportId: '1234' },
  title: 'ASO export',
  completion: { mode: 'poll', timeout: '2h', poll: { interval: '30s', backoff: 1.5, maxInterval: '5m' } },
  download: { fileName: 'r.csv', maxBytes: 1024 },
  notify: [
    { type: 'slack', channel: '#reports', tokenEnv: 'SLACK_BOT_TOKEN', on: ['failed'] },
    { type: 'webhook', url: 'https://hooks.example.com/x', secretEnv: 'HOOK_SECRET' },
  ],
  pollsPerRun: 100,
};
const inlineProfile = {
  name: 'inline-api',
  allowedHosts: ['api.example.com'],
  secrets: { token: { env: 'API_TOKEN' } },
  start: { method: 'POST', url: 'https://api.example.com/jobs', headers: { Authorization: 'Bearer {{secrets.token}}' }, statusUrl: { header: 'Location' } },
  status: { state: { body: 'state' }, states: { running: ['r'], succeeded: ['s'], failed: ['f'], cancelled: ['c'] }, resultUrl: { body: 'url' } },
  callback: { resultUrl: { body: 'url' } },
  result: { checksumHeader: 'x-sha256' },
  cancel: { method: 'DELETE', url: '{{remote.statusUrl}}' },
};

type Path = readonly (string | number)[];

/** Every path to a field of a value (objects and arrays), the value itself included. */
function fieldPaths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => fieldPaths(child, [...prefix, key]))];
}

function withField(base: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: unknown = structuredClone(base);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = replacement;
  return copy;
}

/** The workflow's parser: the input, or InvalidInput naming field paths; never anything else. */
function assertParsesOrRefuses(raw: unknown, field: Path = []): void {
  let thrown: unknown;
  try {
    parseJobInput(raw);
    return;
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof ApplicationFailure, `parseJobInput threw a ${String(thrown)} for ${JSON.stringify(raw)}`);
  assert.equal(thrown.type, 'InvalidInput');
  assert.equal(thrown.nonRetryable, true);
  if (field.length) assert.ok(thrown.message.startsWith(`invalid job input: ${fieldPath(field.slice(0, 1))}`), `names the field ${fieldPath(field)}: ${thrown.message}`);
  else assert.match(thrown.message, /^invalid job input: [^:]+: /, 'names a field');
  assert.doesNotMatch(thrown.message, /cannot be read/, `the schema itself threw for ${JSON.stringify(raw)}: ${thrown.message}`);
}

const inputPaths = [...fieldPaths(validInput), ...fieldPaths(inlineProfile, ['profile']), ...['heartbeatTimeout', 'timeout'].map((k) => ['completion', k])];

test(`job input: any JSON in any of its ${inputPaths.length} fields parses or is InvalidInput naming the field (${RUNS} runs per field)`, () => {
  const inline = { ...validInput, profile: inlineProfile };
  for (const path of inputPaths) {
    const base = path[0] === 'profile' && path.length > 1 ? inline : validInput;
    fc.assert(
      fc.property(json, (value) => assertParsesOrRefuses(withField(base, path, value), path)),
      { numRuns: RUNS, seed: 13, endOnFailure: true, includeErrorInReport: true, examples: [[''], [1e300]] },
    );
  }
});

test(`job input: any JSON at all, and duration strings of any content (${RUNS * 5} runs)`, () => {
  fc.assert(fc.property(json, (value) => assertParsesOrRefuses(value)), { numRuns: RUNS * 2 });
  for (const mode of ['poll', 'hybrid', 'callback'] as const) {
    fc.assert(
      fc.property(nastyString, (text) => {
        const completion = mode === 'callback' ? { mode, heartbeatTimeout: text } : { mode, poll: { interval: text } };
        assertParsesOrRefuses({ profile: 'aso-export', completion });
      }),
      { numRuns: RUNS },
    );
  }
});

test('the regression of issue 13: an empty duration is refused naming the field, not thrown', () => {
  const parsed = jobInputSchema.safeParse({ profile: 'aso-export', completion: { mode: 'poll', timeout: '' } });
  assert.equal(parsed.success, false);
  assert.throws(() => parseJobInput({ profile: 'aso-export', completion: { mode: 'poll', timeout: '' } }), /completion\.timeout: expected a positive duration/);
});

/** The profile loader: a Profile, or ProfileLoadError naming the file (and the field); nothing else. */
function assertLoadsOrRefuses(text: string, file: string, field?: Path): void {
  try {
    parseProfile(text, file);
  } catch (err) {
    assert.ok(err instanceof ProfileLoadError, `parseProfile threw ${String(err)} for ${JSON.stringify(text).slice(0, 300)}`);
    assert.ok(err.message.startsWith(`${file}: `), `the message names the file: ${err.message}`);
    if (field?.length) assert.ok(err.message.startsWith(`${file}: ${fieldPath(field.slice(0, 1))}`), `names the field ${fieldPath(field)}: ${err.message}`);
    else assert.match(err.message, /^\S+: (not valid (YAML|JSON): |[^:]+: )/, `names the field or the syntax error: ${err.message}`);
  }
}

const profilePaths = fieldPaths(inlineProfile);

test(`profile files: any value in any of their ${profilePaths.length} fields loads or is refused naming file and field (${RUNS} runs per field, YAML and JSON)`, () => {
  for (const path of profilePaths) {
    fc.assert(
      fc.property(json, fc.boolean(), (value, asJson) => {
        const profile = withField(inlineProfile, path, value);
        if (asJson) assertLoadsOrRefuses(JSON.stringify(profile) ?? 'null', 'api.json', path);
        else assertLoadsOrRefuses(toYaml(profile), 'api.yaml', path);
      }),
      { numRuns: RUNS, seed: 13, endOnFailure: true, includeErrorInReport: true },
    );
  }
});

test(`profile files: any text at all (${RUNS * 2} runs)`, () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', '{', '&', '*', '!', '"', '#', '|') })), fc.boolean(), (text, asJson) => assertLoadsOrRefuses(text, asJson ? 'api.json' : 'api.yaml')),
    { numRuns: RUNS * 2 },
  );
});
