// Email through nodemailer over SMTP. Retries belong to Temporal (bounded, with backoff), so one
// attempt sends once and its failure is mapped onto the taxonomy: a 4xx reply or a lost
// connection is retried, a 5xx reply or refused credentials are not. The Message-ID is stable
// per job, event and target, so a retry that reaches a mailbox twice is recognisably the same
// message (mail systems and clients fold duplicates by it).
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { ErrorType, nonRetryable, retryable } from '../contract/errors';

/** The worker's SMTP settings (POLLBACK_SMTP_*, POLLBACK_EMAIL_*); job input only names recipients. */
export interface EmailSettings {
  /** `smtp://host:587` (STARTTLS when offered) or `smtps://host:465`; nodemailer options as query parameters. */
  smtpUrl: string;
  user?: string;
  password?: string;
  /** The sender, e.g. `Pollback <pollback@example.com>`. */
  from: string;
  /** Recipient domains allowed (`*` for any). */
  allowedDomains: readonly string[];
}

export interface EmailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  /** Stable per job, event and target. */
  id: string;
  /** The job, for filters and for finding it in the Web UI. */
  jobId: string;
}

/** `<hash@sender-domain>`: the same id for every retry of one notification, valid whatever the workflow id holds. */
export function messageIdFor(id: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'pollback.invalid';
  return `<${createHash('sha256').update(id).digest('hex').slice(0, 40)}@${domain}>`;
}

function checkRecipients(to: readonly string[], allowed: readonly string[]): void {
  if (allowed.includes('*')) return;
  for (const address of to) {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    if (!allowed.some((d) => d.toLowerCase() === domain)) {
      throw nonRetryable(ErrorType.HostNotAllowed, `email recipient domain ${domain} is not in POLLBACK_EMAIL_ALLOWED_DOMAINS on this worker`);
    }
  }
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

export async function sendEmail(settings: EmailSettings, msg: EmailMessage): Promise<{ messageId: string }> {
  checkRecipients(msg.to, settings.allowedDomains);
  // Credentials come from the worker's environment (not the URL, which may be logged), never from input.
  const transport = nodemailer.createTransport({
    url: settings.smtpUrl,
    ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  const messageId = messageIdFor(msg.id, settings.from);
  try {
    await transport.sendMail({
      from: settings.from,
      to: [...msg.to],
      subject: msg.subject,
      text: msg.text,
      messageId,
      headers: { 'X-Pollback-Job': msg.jobId, 'Auto-Submitted': 'auto-generated' },
    });
    return { messageId };
  } catch (err) {
    const e = err as SmtpError;
    const reply = e.response ? `: ${e.response.slice(0, 200)}` : '';
    if (e.code === 'EAUTH') throw nonRetryable(ErrorType.RemoteRejected, `the SMTP server refused the credentials${reply}`);
    if (e.responseCode !== undefined && e.responseCode >= 500) throw nonRetryable(ErrorType.RemoteRejected, `the SMTP server refused the message (${e.responseCode})${reply}`);
    if (e.responseCode !== undefined) throw retryable(ErrorType.RemoteUnavailable, `the SMTP server deferred the message (${e.responseCode})${reply}`);
    throw retryable(ErrorType.RemoteUnavailable, `SMTP server unreachable: ${e.code ?? e.message}`);
  } finally {
    transport.close();
  }
}
