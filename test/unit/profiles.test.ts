import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkedUrl } from '../../src/http/hosts';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../../src/profiles/loader';
import { renderJson, renderMap, renderUrl } from '../../src/profiles/template';

test('the shipped profiles load and cover the simulator styles', async () => {
  const profiles = await loadProfiles([BUILTIN_PROFILES_DIR]);
  assert.deepEqual([...profiles.keys()].sort(), ['aso-export', 'lro-export', 'render-farm', 'signed-events', 'task-token', 'transcribe']);
});

test('a broken profile file is refused naming the file and the field', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'profiles-'));
  await writeFile(path.join(dir, 'broken.yaml'), 'name: broken\nallowedHosts: [example.com]\nstart:\n  method: FETCH\n  url: "x"\n');
  await assert.rejects(loadProfiles([dir]), (err: Error) => {
    assert.match(err.message, /broken\.yaml: start\.method: /);
    return true;
  });
  await writeFile(path.join(dir, 'broken.yaml'), 'name: [unclosed');
  await assert.rejects(loadProfiles([dir]), /broken\.yaml: not valid YAML/);
});

test('a later folder overrides a built-in profile of the same name', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'profiles-'));
  await writeFile(path.join(dir, 'mine.json'), JSON.stringify({ name: 'aso-export', allowedHosts: ['api.example.com'], start: { url: 'https://api.example.com/x' } }));
  const profiles = await loadProfiles([BUILTIN_PROFILES_DIR, dir]);
  assert.deepEqual(profiles.get('aso-export')?.allowedHosts, ['api.example.com']);
});

test('templates: params are percent-encoded in URLs, missing values are named, optional entries drop out', () => {
  const ctx = { params: { id: 'a/b?c', n: 3, scenario: { x: 1 } }, vars: { base: 'http://h:1' } };
  assert.equal(renderUrl('{{vars.base}}/r/{{params.id}}', ctx, 'start.url'), 'http://h:1/r/a%2Fb%3Fc');
  // Ids chosen by callers or remote APIs cannot change the URL's shape either.
  assert.equal(renderUrl('{{vars.base}}/jobs/{{job.id}}/status', { ...ctx, job: { id: '../../admin/purge?x=' } }, 'status.url'), 'http://h:1/jobs/..%2F..%2Fadmin%2Fpurge%3Fx%3D/status');
  assert.throws(() => renderUrl('{{vars.base}}/{{params.missing}}', ctx, 'start.url'), /start\.url: no value for \{\{params\.missing\}\} \(add "missing" to the job's params\)/);
  assert.deepEqual(renderMap({ a: '{{params.n}}', b: '{{params.none}}', c: 'x-{{params.n}}' }, ctx, 'q'), { a: '3', c: 'x-3' });
  assert.deepEqual(renderJson({ keep: '{{params.scenario}}', drop: '{{params.none}}', text: 'n={{params.n}}', list: ['{{params.n}}'] }, ctx, 'body'), {
    keep: { x: 1 },
    text: 'n=3',
    list: [3],
  });
});

test('outbound URLs must match the allowed hosts', () => {
  assert.equal(checkedUrl('https://api.example.com/x', ['api.example.com'], 'start URL').host, 'api.example.com');
  assert.ok(checkedUrl('https://eu.files.example.com/x', ['*.example.com'], 'result URL'));
  assert.ok(checkedUrl('http://127.0.0.1:8090/x', ['127.0.0.1:8090'], 'status URL'));
  assert.throws(() => checkedUrl('http://127.0.0.1:8091/x', ['127.0.0.1:8090'], 'status URL'), /status URL: host 127\.0\.0\.1:8091 is not in the profile's allowedHosts/);
  assert.throws(() => checkedUrl('https://evil.com/x', ['*.example.com'], 'result URL'), /HostNotAllowed|not in the profile/);
  assert.throws(() => checkedUrl('https://example.com.evil.com/x', ['example.com'], 'u'), /not in the profile/);
  assert.throws(() => checkedUrl('file:///etc/passwd', ['*'], 'u'), /only http and https/);
  assert.throws(() => checkedUrl('not a url', ['x'], 'u'), /not an absolute URL/);
});
