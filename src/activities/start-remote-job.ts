import { ErrorType, nonRetryable } from '../errors';
import { ensureOk, retryAfterMs, send } from '../http/client';
import { checkedUrl } from '../http/hosts';
import { describeExtractor, extractNumber, extractString } from '../profiles/extract';
import type { Profile } from '../profiles/schema';
import { renderJson, renderMap, renderUrl } from '../profiles/template';
import { mintToken } from '../tokens/task-token';
import { currentWorkflowId, requestScope, type ActivityDeps } from './context';
import type { StartRemoteJobArgs, StartRemoteJobResult } from './types';

const mentionsCallback = (profile: Profile): boolean => /\{\{\s*callback\./.test(JSON.stringify(profile.start));

/** Starts the remote job. Retried safely: the idempotency key makes a repeat return the same remote job. */
export async function startRemoteJob(deps: ActivityDeps, args: StartRemoteJobArgs): Promise<StartRemoteJobResult> {
  const { profile, context, redact } = requestScope(deps, args.profile, args.params);
  if (args.callback) {
    if (!mentionsCallback(profile)) {
      throw nonRetryable(ErrorType.InvalidProfile, `profile "${profile.name}" has no {{callback.url}} or {{callback.token}} in its start request, so it cannot be used in callback or hybrid mode`);
    }
    if (!deps.keyring || !deps.callbackBaseUrl) {
      throw nonRetryable(ErrorType.InvalidInput, 'this worker has no callback keys or callback base URL configured (POLLBACK_TOKEN_KEYS, POLLBACK_PUBLIC_URL), so it cannot run callback or hybrid jobs');
    }
    const token = mintToken(deps.keyring, { workflowId: currentWorkflowId(), ...args.callback });
    context.callback = { url: `${deps.callbackBaseUrl.replace(/\/$/, '')}/v1/callbacks/${token}`, token };
    redact.push(token);
  }
  if (args.needsStatus && !profile.status) {
    throw nonRetryable(ErrorType.InvalidProfile, `profile "${profile.name}" has no status section, so it cannot be used in poll or hybrid mode`);
  }

  const url = new URL(renderUrl(profile.start.url, context, 'start.url'));
  for (const [key, value] of Object.entries(renderMap(profile.start.query, context, 'start.query'))) url.searchParams.set(key, value);
  const headers = renderMap(profile.start.headers, context, 'start.headers');
  headers[profile.start.idempotencyHeader] = args.idempotencyKey;
  const json = profile.start.body === undefined ? undefined : renderJson(profile.start.body, context, 'start.body');

  const request = { method: profile.start.method, purpose: 'start', redact } as const;
  const res = ensureOk(await send({ ...request, url: url.toString(), headers, json, allowedHosts: profile.allowedHosts }), request);
  const view = { headers: res.headers, body: res.body };

  const remote: StartRemoteJobResult['remote'] = {};
  const id = extractString(profile.start.remoteJobId, view);
  if (id !== undefined) remote.id = id;
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
