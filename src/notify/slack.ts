// Slack through the official SDK. Retries belong to Temporal (bounded, with backoff), so the
// SDK's own retry loop is off and its errors are mapped onto the taxonomy.
import { ErrorCode, WebClient, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { ErrorType, nonRetryable, retryable } from '../contract/errors';

export interface SlackMessage {
  token: string;
  /** Base URL of the Slack Web API; a Slack-compatible receiver in tests. */
  apiUrl: string;
  channel: string;
  text: string;
}

// Answers that no retry can fix (bad token, unknown channel, bot not invited, …).
const PERMANENT = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long', 'no_text', 'invalid_arguments', 'missing_scope']);

export async function postSlackMessage(msg: SlackMessage): Promise<{ ts?: string }> {
  const client = new WebClient(msg.token, {
    slackApiUrl: msg.apiUrl.endsWith('/') ? msg.apiUrl : `${msg.apiUrl}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
  });
  try {
    const res = await client.chat.postMessage({ channel: msg.channel, text: msg.text, unfurl_links: false });
    return res.ts ? { ts: res.ts } : {};
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === ErrorCode.RateLimitedError) {
      throw retryable(ErrorType.RemoteUnavailable, 'Slack rate limited the message', (err as WebAPIRateLimitedError).retryAfter * 1000);
    }
    if (code === ErrorCode.PlatformError) {
      const slackError = (err as WebAPIPlatformError).data.error;
      if (PERMANENT.has(slackError)) throw nonRetryable(ErrorType.RemoteRejected, `Slack refused the message: ${slackError}`);
      throw retryable(ErrorType.RemoteUnavailable, `Slack answered ${slackError}`);
    }
    throw retryable(ErrorType.RemoteUnavailable, `Slack unreachable: ${(err as Error).message}`);
  }
}
