// What came out of each demo job, checked against its scenario's expectation: the outcome and
// the path that finished it, the file on disk (size and sha256), and the notifications the
// receivers actually got. A job passes only when every check holds.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { SlackReceiver } from '../receivers/slack';
import type { WebhookReceiver } from '../receivers/webhook';
import { formatBytes } from '../../src/notify/message';
import type { TrackedJob } from './tracked-job';

export interface Verdict {
  job: TrackedJob;
  outcome: string;
  file: string;
  size: string;
  notifications: string;
  problems: string[];
}

async function sha256Of(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

export interface Receivers {
  slack: SlackReceiver;
  webhooks: WebhookReceiver;
}

export async function judge(job: TrackedJob, receivers: Receivers): Promise<Verdict> {
  const expect = job.scenario.expect;
  const view = job.view;
  const problems: string[] = [];
  const state = view?.state ?? 'not finished';
  if (state !== expect.state) problems.push(`ended ${state}, expected ${expect.state}`);

  let outcome = state;
  if (view?.error) {
    outcome = `${state}: ${view.error.type}`;
    if (expect.errorType && view.error.type !== expect.errorType) problems.push(`error ${view.error.type}, expected ${expect.errorType}`);
  }
  const result = view?.result;
  if (result) {
    outcome = `${state} via ${result.via}${result.polls ? ` (${result.polls} polls)` : ''}`;
    if (expect.via && result.via !== expect.via) problems.push(`finished via ${result.via}, expected ${expect.via}`);
    const unsent = (result.notifications ?? []).filter((n) => !n.sent);
    if (unsent.length) problems.push(`notifications not sent: ${unsent.map((n) => `${n.target} (${n.error ?? '?'})`).join(', ')}`);
  }

  let file = '—';
  let size = '—';
  if (expect.fileBytes !== undefined) {
    const got = result?.file;
    if (!got) problems.push('no file downloaded');
    else {
      file = got.path;
      size = formatBytes(got.size);
      if (got.size !== expect.fileBytes) problems.push(`file is ${got.size} bytes, expected ${expect.fileBytes}`);
      const onDisk = await sha256Of(got.path);
      if (onDisk !== got.sha256) problems.push(onDisk === undefined ? `file missing: ${got.path}` : 'file on disk does not match its sha256');
    }
  }

  const slack = receivers.slack.messages.filter((m) => m.text.includes(job.jobId));
  const webhooks = receivers.webhooks.deliveriesFor(job.jobId);
  if (slack.length !== expect.slackMessages) problems.push(`${slack.length} Slack messages, expected ${expect.slackMessages}`);
  if (webhooks.length !== expect.webhooks) problems.push(`${webhooks.length} webhooks, expected ${expect.webhooks}`);
  const notifications = [
    ...slack.map((m) => `slack ${m.channel}`),
    ...webhooks.map((w) => `webhook ${w.payload.type}`),
  ].join(', ') || '—';

  return { job, outcome, file, size, notifications, problems };
}

/** A plain-text table; columns sized to their content. */
export function summaryTable(verdicts: readonly Verdict[], relativeTo: string): string {
  const rows = [
    ['job', 'seed', 'outcome', 'file', 'size', 'notifications', 'check'],
    ...verdicts.map((v) => [
      v.job.scenario.name,
      v.job.scenario.seed,
      v.outcome,
      v.file.startsWith(relativeTo) ? v.file.slice(relativeTo.length).replace(/^\//, '') : v.file,
      v.size,
      v.notifications,
      v.problems.length ? 'FAIL' : 'ok',
    ]),
  ];
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
