// The profile tools: the generated JSON Schema is the committed one, and the check command shows
// what a profile would send in each mode without the network and without reading secrets.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { checkProfile } from '../../src/profiles/check';
import { profileJsonSchema } from '../../src/profiles/json-schema';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../../src/profiles/loader';

test('docs/profile.schema.json is the schema generated from the zod schema (npm run profile -- schema --out docs/profile.schema.json)', async () => {
  const committed = JSON.parse(await readFile(path.resolve(__dirname, '../../docs/profile.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(committed, JSON.parse(JSON.stringify(profileJsonSchema())));
  const properties = (committed.properties ?? {}) as Record<string, { anyOf?: unknown[] }>;
  for (const key of ['start', 'status', 'callback', 'result', 'cancel', 'vars', 'secrets', 'allowedHosts']) assert.ok(key in properties, key);
});

test('check: one profile, three modes — the callback-only notify object is sent only when a callback is expected', async () => {
  const profile = (await loadProfiles([BUILTIN_PROFILES_DIR])).get('render-farm');
  assert.ok(profile);
  const env = { SIMULATOR_BEARER_TOKEN: 'the-real-secret-value' };
  const poll = checkProfile(profile, { params: { scene: 'teapot' }, modes: ['poll'], env });
  assert.match(poll, /── start \(poll mode\) ──\nPOST http:\/\/127\.0\.0\.1:8090\/render\/v1\/jobs\nAuthorization: Bearer <secret from SIMULATOR_BEARER_TOKEN>/);
  assert.doesNotMatch(poll, /notify/);
  const callback = checkProfile(profile, { params: { scene: 'teapot' }, modes: ['callback', 'hybrid'], env, publicUrl: 'https://pb.example' });
  assert.match(callback, /"notify": \{\n\s+"url": "https:\/\/pb\.example\/v1\/profiles\/render-farm\/callback",\n\s+"token": "TASK-TOKEN"/);
  assert.match(callback, /POST https:\/\/pb\.example\/v1\/profiles\/render-farm\/callback with Authorization: Bearer <task token>/);
  for (const text of [poll, callback]) assert.ok(!text.includes('the-real-secret-value'), 'secrets are never read');
});

test('check: a missing param names the placeholder; an unsupported mode is named', async () => {
  const profiles = await loadProfiles([BUILTIN_PROFILES_DIR]);
  const aso = profiles.get('aso-export');
  assert.ok(aso);
  assert.throws(() => checkProfile(aso, { params: {}, env: {} }), /start\.url: no value for \{\{params\.reportId\}\}/);
  assert.throws(() => checkProfile(aso, { params: { reportId: '1' }, modes: ['callback'], env: {} }), /cannot run in callback mode \(it supports: poll\)/);
  const events = profiles.get('signed-events');
  assert.ok(events);
  const text = checkProfile(events, { params: { dataset: 'd' }, modes: ['hybrid'], env: {} });
  assert.match(text, /job found by body field data\.export\.id = the remote job id\nauthenticated by a stripe signature, secret from SIMULATOR_WEBHOOK_SECRET/);
});

test("the README's walkthrough profile is examples/profiles/acme-export.yaml, which loads and serves all three modes", async () => {
  const root = path.resolve(__dirname, '../..');
  const file = await readFile(path.join(root, 'examples/profiles/acme-export.yaml'), 'utf8');
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes(`\`\`\`yaml\n${file}\`\`\``), 'README shows the example file verbatim');
  const profile = (await loadProfiles([path.join(root, 'examples/profiles')])).get('acme-export');
  assert.ok(profile);
  const text = checkProfile(profile, { params: { dataset: 'sales' }, env: {} });
  assert.match(text, /modes: poll, callback, hybrid/);
  assert.match(text, /── start \(poll mode\) ──[^─]*"dataset": "sales"\n\}/);
  assert.match(text, /── start \(callback and hybrid mode\) ──[^─]*"notify"/);
});
