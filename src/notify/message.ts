// What a notification says, in a person's words: the job, the outcome, the file, its size,
// how long it took, the error, and a link to the job in the Temporal Web UI. Pure, so the
// same text goes to every channel and is unit-tested.
import type { JobFile } from '../contract/job-status';
import { formatDuration } from '../contract/durations';
import type { NotifyTarget } from '../contract/job-input';

export type JobEvent = 'succeeded' | 'failed' | 'cancelled';

export interface JobSummary {
  workflowId: string;
  title: string;
  profile: string;
  event: JobEvent;
  remoteJobId?: string | undefined;
  file?: JobFile;
  durationMs: number;
  error?: { type?: string; message: string };
  webUiUrl?: string;
}

/** Binary units, named as such: 1,536 bytes are "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const HEADLINE: Record<JobEvent, (s: JobSummary) => string> = {
  succeeded: (s) => `✅ ${s.title} finished in ${formatDuration(s.durationMs)}.`,
  failed: (s) => `❌ ${s.title} failed after ${formatDuration(s.durationMs)}.`,
  cancelled: (s) => `🚫 ${s.title} was cancelled after ${formatDuration(s.durationMs)}.`,
};

/** One line for an email subject or a notification preview. */
export function headline(s: JobSummary): string {
  return HEADLINE[s.event](s);
}

export function messageText(s: JobSummary): string {
  const lines = [headline(s)];
  if (s.file) lines.push(`File: ${s.file.fileName} (${formatBytes(s.file.size)}), saved to ${s.file.path}`);
  if (s.error) lines.push(`Reason: ${s.error.message}${s.error.type ? ` [${s.error.type}]` : ''}`);
  if (s.remoteJobId) lines.push(`Remote job: ${s.remoteJobId}`);
  if (s.webUiUrl) lines.push(`Details: ${s.webUiUrl}`);
  return lines.join('\n');
}

/** The Standard Webhooks payload shape: `{type, timestamp, data}`. */
export function webhookPayload(s: JobSummary, timestamp: Date): { type: string; timestamp: string; data: Record<string, unknown> } {
  return {
    type: `job.${s.event}`,
    timestamp: timestamp.toISOString(),
    data: {
      jobId: s.workflowId,
      title: s.title,
      profile: s.profile,
      outcome: s.event,
      durationMs: s.durationMs,
      ...(s.remoteJobId ? { remoteJobId: s.remoteJobId } : {}),
      ...(s.file ? { file: s.file } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(s.webUiUrl ? { webUiUrl: s.webUiUrl } : {}),
      message: messageText(s),
    },
  };
}

/** How a target is named in results and the Web UI: never its secret, never a query string. */
export function targetLabel(target: NotifyTarget): string {
  if (target.type === 'slack') return `slack:${target.channel}`;
  if (target.type === 'email') return `email:${target.to.join(',')}`;
  return `webhook:${target.url.replace(/^https?:\/\//, '').split(/[?#]/)[0] ?? ''}`;
}
