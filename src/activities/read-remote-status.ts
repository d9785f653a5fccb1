import type { RemoteState } from '../contract/job-status';
import { ErrorType, nonRetryable } from '../contract/errors';
import { ensureOk, retryAfterMs, send } from '../http/client';
import { checkedUrl } from '../http/hosts';
import { describeExtractor, extractNumber, extractProgress, extractString } from '../profiles/extract';
import { renderMap, renderUrl } from '../profiles/template';
import { requestScope, type ActivityDeps } from './context';
import type { ReadRemoteStatusArgs, RemoteStatus } from './types';

const STATES: readonly RemoteState[] = ['running', 'succeeded', 'failed', 'cancelled'];

/** One status read, normalised to running / succeeded / failed / cancelled; `signal` aborts the request. */
export async function readRemoteStatus(deps: ActivityDeps, args: ReadRemoteStatusArgs, signal?: AbortSignal): Promise<RemoteStatus> {
  const { profile, context, redact } = requestScope(deps, args.profile, args.params);
  const status = profile.status;
  if (!status) throw nonRetryable(ErrorType.InvalidProfile, `profile "${profile.name}" has no status section`);
  context.remote = args.remote;
  const rawUrl = status.url ? renderUrl(status.url, context, 'status.url') : args.remote.statusUrl;
  if (!rawUrl) throw nonRetryable(ErrorType.InvalidProfile, `profile "${profile.name}" has no status.url and the start response gave no status URL`);
  const expiresAt = args.remote.statusUrlExpiresAt;
  if (expiresAt !== undefined && Date.now() >= expiresAt) {
    throw nonRetryable(ErrorType.StatusUrlExpired, `the status URL expired at ${new Date(expiresAt).toISOString()} before the job finished`);
  }

  const request = { method: status.method, purpose: 'status', redact } as const;
  const res = await send({ ...request, url: rawUrl, headers: renderMap(status.headers, context, 'status.headers'), allowedHosts: profile.allowedHosts, ...(signal ? { signal } : {}) });
  if (status.expiredStatusCodes.includes(res.status)) {
    throw nonRetryable(ErrorType.StatusUrlExpired, `the status URL answered HTTP ${res.status}: it has expired or was revoked`);
  }
  ensureOk(res, request);
  const view = { headers: res.headers, body: res.body };

  const rawStatus = extractString(status.state, view);
  if (rawStatus === undefined) {
    throw nonRetryable(ErrorType.RemoteProtocolError, `status response has no state at ${describeExtractor(status.state)}`);
  }
  const state = STATES.find((s) => status.states[s].includes(rawStatus));
  if (!state) {
    throw nonRetryable(ErrorType.RemoteProtocolError, `status "${rawStatus.slice(0, 50)}" is not one of the profile's states (${STATES.flatMap((s) => status.states[s]).join(', ')})`);
  }
  const result: RemoteStatus = { state, rawStatus };
  const message = extractString(status.error, view);
  if (message !== undefined) result.message = message.slice(0, 1000);
  const code = extractString(status.errorCode, view);
  if (code !== undefined) result.code = code.slice(0, 256);
  const progress = extractProgress(status.progress, status.progressMax, view);
  if (progress !== undefined) result.progress = progress;
  const resultUrl = extractString(status.resultUrl, view);
  if (resultUrl !== undefined) {
    result.resultUrl = checkedUrl(new URL(resultUrl, rawUrl).toString(), profile.allowedHosts, 'result URL from the status response').toString();
    const expiresIn = extractNumber(status.resultUrlExpiresInSeconds, view);
    if (expiresIn !== undefined) result.resultUrlExpiresAt = Date.now() + expiresIn * 1000;
  }
  const retryAfter = retryAfterMs(res.headers);
  if (retryAfter !== undefined) result.retryAfterMs = retryAfter;
  return result;
}
