// One notification to one target. Retried a bounded number of times by the workflow; a
// target that still fails is reported in the job's result, never failing the job.
import { Context } from '@temporalio/activity';
import { ErrorType, nonRetryable } from '../contract/errors';
import { sendEmail } from '../notify/email';
import { headline, messageText, webhookPayload, type JobSummary } from '../notify/message';
import { postSlackMessage } from '../notify/slack';
import { sendWebhook } from '../notify/webhook';
import type { NotifyTarget } from '../contract/job-input';
import { inputEnvValue, type ActivityDeps } from './context';
import { webUiJobUrl } from '../temporal/web-ui';

export interface NotifyArgs {
  target: NotifyTarget;
  summary: JobSummary;
  /** Stable per job, event and target: receivers deduplicate retries with it. */
  messageId: string;
}

function secret(deps: ActivityDeps, name: string, what: string): string {
  const value = inputEnvValue(deps, name, what);
  if (!value) throw nonRetryable(ErrorType.SecretMissing, `${what} needs environment variable ${name}, which is not set on this worker`);
  return value;
}

export async function notify(deps: ActivityDeps, args: NotifyArgs): Promise<void> {
  const info = Context.current().info;
  const summary: JobSummary = deps.webUiUrl
    ? { ...args.summary, webUiUrl: webUiJobUrl(deps.webUiUrl, info.namespace, args.summary.workflowId) }
    : args.summary;
  const { target } = args;
  if (target.type === 'slack') {
    await postSlackMessage({ token: secret(deps, target.tokenEnv, 'Slack notification'), apiUrl: deps.slackApiUrl, channel: target.channel, text: messageText(summary) });
    return;
  }
  if (target.type === 'email') {
    if (!deps.email) throw nonRetryable(ErrorType.SecretMissing, 'email notification needs POLLBACK_SMTP_URL and POLLBACK_EMAIL_FROM, which are not set on this worker');
    await sendEmail(deps.email, { to: target.to, subject: headline(summary), text: messageText(summary), id: args.messageId, jobId: summary.workflowId });
    return;
  }
  await sendWebhook({
    url: target.url,
    secret: secret(deps, target.secretEnv, 'webhook notification'),
    id: args.messageId,
    payload: webhookPayload(summary, new Date()),
    allowedHosts: deps.notifyAllowedHosts,
  });
}
