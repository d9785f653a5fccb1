import { ErrorType, nonRetryable } from '../contract/errors';
import { ensureOk, retryAfterMs, send } from '../http/client';
import { checkedUrl } from '../http/hosts';
import { describeExtractor, extractNumber, extractString } from '../profiles/extract';
import { correlates, usesProfileEndpoint } from '../contract/profile/callback';
import { callbackFor, mentionsCallback, renderStart } from '../profiles/requests';
import { mintToken } from '../tokens/task-token';
import { currentWorkflowId, requestScope, type ActivityDeps } from './context';
import type { StartRemoteJobArgs, StartRemoteJobResult } from './types';

/** Starts the remote job. Retried safely: the idempotency key makes a repeat return the same remote job. */
export async function startRemoteJob(deps: ActivityDeps, args: StartRemoteJobArgs): Promise<StartRemoteJobResult> {
  const { profile, context, redact } = requestScope(deps, args.profile, args.params);
  if (args.callback) {
    if (typeof args.profile !== 'string' && usesProfileEndpoint(profile.callback)) {
      throw nonRetryable(ErrorType.InvalidProfile, `inline profile "${profile.name}" describes its own callback style, which the gateway can only serve for profiles it loaded (POLLBACK_PROFILES_DIR)`);
    }
    // An API that finds the job by its own id may have its webhook endpoint configured out of band.
    if (!mentionsCallback(profile) && !correlates(profile.callback)) {
      throw nonRetryable(ErrorType.InvalidProfile, `profile "${profile.name}" has no {{callback.url}} or {{callback.token}} in its start request, so it cannot be used in callback or hybrid mode`);
    }
    if (!deps.keyring || !deps.callbackBaseUrl) {
      throw nonRetryable(ErrorType.InvalidInput, 'this worker has no callback keys or callback base URL configured (POLLBACK_TOKEN_KEYS, POLLBACK_PUBLIC_URL), so it cannot run callback or hybrid jobs');
    }
    const { keyring } = deps;
    const claims = { workflowId: currentWorkflowId(), ...args.callback };
    const callback = callbackFor(profile, deps.callbackBaseUrl, () => mintToken(keyring, claims));
    context.callback = callback;
    if (callback.token !== undefined) redact.push(callback.token);
  }
  if (args.needsStatus && !profile.status) {
    throw nonRetryable(ErrorType.InvalidProfile, `profile "${profile.name}" has no status section, so it cannot be used in poll or hybrid mode`);
  }

  // The callback-only parts exist only when a callback is expected: one profile, three modes.
  const { method, url, headers, json } = renderStart(profile, context, args.callback !== undefined, args.idempotencyKey);
  const request = { method, purpose: 'start', redact } as const;
  const res = ensureOk(await send({ ...request, url, headers, json, allowedHosts: profile.allowedHosts }), request);
  const view = { headers: res.headers, body: res.body };

  const remote: StartRemoteJobResult['remote'] = {};
  const id = extractString(profile.start.remoteJobId, view);
  if (id !== undefined) remote.id = id;
  else if (args.callback && correlates(profile.callback)) {
    const where = profile.start.remoteJobId ? describeExtractor(profile.start.remoteJobId) : 'start.remoteJobId (not set in the profile)';
    throw nonRetryable(ErrorType.RemoteProtocolError, `start response of profile "${profile.name}" has no remote job id at ${where}, and its callbacks are matched by it`);
  }
  const statusUrl = extractString(profile.start.statusUrl, view);
  if (statusUrl !== undefined) {
    // Location headers may be relative to the request URL.
    remote.statusUrl = checkedUrl(new URL(statusUrl, url).toString(), profile.allowedHosts, 'status URL from the start response').toString();
    const expiresIn = extractNumber(profile.start.statusUrlExpiresInSeconds, view);
    if (expiresIn !== undefined) remote.statusUrlExpiresAt = Date.now() + expiresIn * 1000;
  } else if (args.needsStatus && !profile.status?.url) {
    const where = profile.start.statusUrl ? describeExtractor(profile.start.statusUrl) : 'start.statusUrl (not set in the profile)';
    throw nonRetryable(ErrorType.RemoteProtocolError, `start response of profile "${profile.name}" has no status URL at ${where}`);
  }
  const retryAfter = retryAfterMs(res.headers);
  return retryAfter === undefined ? { remote } : { remote, retryAfterMs: retryAfter };
}
