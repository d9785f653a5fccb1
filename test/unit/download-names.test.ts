import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileNameFrom, sanitizeFileName } from '../../src/activities/result-source';
import { formatBytes, messageText, targetLabel } from '../../src/notify/message';

test('file names cannot leave the job folder', () => {
  assert.equal(sanitizeFileName('../../etc/passwd'), 'passwd');
  assert.equal(sanitizeFileName('..\\..\\boot.ini'), 'boot.ini');
  assert.equal(sanitizeFileName('..'), 'result');
  assert.equal(sanitizeFileName('.hidden'), 'hidden');
  assert.equal(sanitizeFileName('a\u0000b\nc?.csv'), 'a_b_c_.csv');
  assert.equal(sanitizeFileName(''), 'result');
  assert.equal(sanitizeFileName(undefined), 'result');
  assert.equal(sanitizeFileName('x'.repeat(400)).length, 150);
});

test('the server-suggested name comes from Content-Disposition, else the URL', () => {
  const url = new URL('https://s3.example.com/bucket/export%20final.csv?X-Amz-Signature=abc');
  assert.equal(fileNameFrom('attachment; filename="report.csv"', url), 'report.csv');
  assert.equal(fileNameFrom("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf; filename=\"resume.pdf\"", url), 'résumé.pdf');
  assert.equal(fileNameFrom(undefined, url), 'export final.csv');
});

test('messages say what happened in a person\'s words', () => {
  const text = messageText({
    workflowId: 'job-1',
    title: 'ASO export report 1234',
    profile: 'aso-export',
    event: 'failed',
    durationMs: 125_000,
    error: { type: 'StatusUrlExpired', message: 'the status URL expired' },
    webUiUrl: 'http://ui/namespaces/default/workflows/job-1',
  });
  assert.equal(text, '❌ ASO export report 1234 failed after 2m 5s.\nReason: the status URL expired [StatusUrlExpired]\nDetails: http://ui/namespaces/default/workflows/job-1');
  assert.equal(formatBytes(1_536), '1.5 KiB');
  assert.equal(formatBytes(1_073_741_824), '1.0 GiB');
  assert.equal(targetLabel({ type: 'webhook', url: 'https://h.example.com/p?token=secret', secretEnv: 'S', on: ['failed'] }), 'webhook:h.example.com/p');
});
