// Email notifications through nodemailer to a real SMTP server on loopback (smtp-server, read
// back with mailparser): the message a person gets, the login, retries of a deferred message
// under one stable Message-ID, and refusals that are reported without failing the job.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EmailSettings } from '../../src/notify/email';
import { messageIdFor } from '../../src/notify/email';
import { SmtpReceiver } from '../../dev/receivers/smtp';
import type { JobInputJson } from '../../src/contract/job-input';
import { startStack, type Stack } from '../helpers/stack';

const LOGIN = { user: 'pollback', password: 'smtp-password-for-tests-42' };
const FROM = 'Pollback <pollback@example.test>';

let smtp: SmtpReceiver;
let busy: SmtpReceiver;
let stack: Stack;
let busyStack: Stack;
const settings = (receiver: SmtpReceiver, extra: Partial<EmailSettings> = {}): EmailSettings => ({
  smtpUrl: receiver.url,
  from: FROM,
  user: LOGIN.user,
  password: LOGIN.password,
  allowedDomains: ['example.test'],
  ...extra,
});

before(async () => {
  smtp = await SmtpReceiver.start({ auth: { user: LOGIN.user, password: LOGIN.password } });
  busy = await SmtpReceiver.start({ auth: { user: LOGIN.user, password: LOGIN.password }, deferFirst: 2 });
  stack = await startStack(undefined, { email: settings(smtp) });
  busyStack = await startStack(undefined, { email: settings(busy) });
});
after(async () => {
  await Promise.all([stack.stop(), busyStack.stop()]);
  await Promise.all([smtp.stop(), busy.stop()]);
});

const quickJob = (title: string, to: string[]): JobInputJson => ({
    profile: 'aso-export',
    title,
    params: { reportId: '77', scenario: { durationMs: 50, resultSize: 2_048, resultName: 'sales.csv' } },
    completion: { mode: 'poll', timeout: '2m', poll: { interval: '100ms', backoff: 1 } },
  notify: [{ type: 'email', to }],
});

test('success: one email to every recipient, with the outcome, the file and the Web UI link, sent with the login', async () => {
  const handle = await stack.start(quickJob('Nightly sales export', ['ops@example.test', 'finance@example.test']));
  const result = await handle.result();
  assert.deepEqual(result.notifications, [{ target: 'email:ops@example.test,finance@example.test', event: 'succeeded', sent: true }]);
  const mine = smtp.messages.filter((m) => m.headers.get('x-pollback-job') === handle.workflowId);
  assert.equal(mine.length, 1, 'exactly one message');
  const mail = mine[0]!;
  assert.deepEqual(mail.to, ['ops@example.test', 'finance@example.test']);
  assert.equal(mail.from, FROM.replace('Pollback', '"Pollback"'));
  assert.match(mail.subject, /^✅ Nightly sales export finished in /);
  assert.match(mail.text, /File: sales\.csv \(2\.0 KiB\)/);
  assert.match(mail.text, new RegExp(`Details: http://localhost:8233/namespaces/default/workflows/${handle.workflowId}`));
  assert.equal(mail.messageId, messageIdFor(`msg_${handle.workflowId}_${handle.firstExecutionRunId}_succeeded_0`, FROM));
});

test('a failed job is told by email too', async () => {
  const handle = await stack.start({ ...quickJob('Broken export', ['ops@example.test']), params: { reportId: '78', scenario: { durationMs: 50, outcome: 'failed' } } });
  await assert.rejects(handle.result());
  const mail = smtp.messages.find((m) => m.headers.get('x-pollback-job') === handle.workflowId);
  assert.ok(mail, 'the failure email arrived');
  assert.match(mail.subject, /^❌ Broken export failed after /);
  assert.match(mail.text, /Reason: .*\[RemoteJobFailed\]/);
});

test('a deferring server (451) is retried with backoff, every attempt under the same Message-ID, and delivered once', async () => {
  const handle = await busyStack.start(quickJob('Export on a busy day', ['ops@example.test']));
  const result = await handle.result();
  assert.equal(result.notifications[0]?.sent, true);
  const tries = busy.attempts.filter((m) => m.headers.get('x-pollback-job') === handle.workflowId);
  assert.equal(tries.length, 3, 'two deferred attempts, then the accepted one');
  assert.equal(new Set(tries.map((m) => m.messageId)).size, 1, 'one Message-ID across retries');
  assert.equal(busy.messages.filter((m) => m.headers.get('x-pollback-job') === handle.workflowId).length, 1);
});

test('refusals are reported in the result, never failing the job: wrong password, a recipient domain not allowed', async () => {
  const wrong = await startStack(undefined, { email: settings(smtp, { password: 'not-the-password' }) });
  try {
    const started = Date.now();
    const handle = await wrong.start(quickJob('Export with a bad SMTP login', ['ops@example.test']));
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.notifications[0]?.sent, false);
    assert.match(result.notifications[0]?.error ?? '', /refused the credentials/);
    assert.ok(Date.now() - started < 10_000, 'a refused login is not retried five times with backoff');
    assert.doesNotMatch(JSON.stringify(result), /not-the-password/);
  } finally {
    await wrong.stop();
  }
  const handle = await stack.start(quickJob('Export to an outsider', ['someone@elsewhere.test']));
  const result = await handle.result();
  assert.equal(result.notifications[0]?.sent, false);
  assert.match(result.notifications[0]?.error ?? '', /elsewhere\.test is not in POLLBACK_EMAIL_ALLOWED_DOMAINS/);
  assert.equal(smtp.attempts.filter((m) => m.headers.get('x-pollback-job') === handle.workflowId).length, 0);
});

test('bad addresses are refused as input, naming the field', async () => {
  const handle = await stack.start({ ...quickJob('x', ['not-an-address']) });
  await assert.rejects(handle.result(), (err: Error) => /notify\.0\.to\.0/.test(String((err.cause as Error | undefined)?.message ?? err.message)));
});
