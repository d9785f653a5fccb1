import { ErrorType, nonRetryable } from '../errors';
import { ensureOk, retryAfterMs, send } from '../http/client';
import { checkedUrl } from '../http/hosts';
import { describeExtractor, extractNumber, extractString } from '../profiles/extract';
import { correlates, isTokenAuth, profileCallbackPath, usesProfileEndpoint } from '../profiles/callback-schema';
import type { Profile } from '../profiles/schema';
import { renderJson, renderMap, renderUrl } from '../profiles/template';
import { mintToken } from '../tokens/task-token';
import { currentWorkflowId, requestScope, type ActivityDeps } from './context';
import type { StartRemoteJobArgs, StartRemoteJobResult } from './types';

const mentionsCallback = (profile: Profile): boolean => /\{\{\s*callback\./.test(JSON.stringify(profile.start));

/**
 * The callback URL (and token) handed to the remote API, shaped by the profile's `callback.auth`:
 * Pollback's own URL with the token in its path, or the profile's endpoint with the token in its
 * path or query, beside it (Bearer, a header, a body field), or no token at all (correlation).
 */
function callbackFor(profile: Profile, base: string, token: () => string): { url: string; token?: string } {
  const root = base.replace(/\/$/, '');
  if (!usesProfileEndpoint(profile.callback)) {
    const minted = token();
    return { url: `${root}/v1/callbacks/${minted}`, token: minted };
  }
  const endpoint = profileCallbackPath(profile.name);
  const auth = profile.callback?.auth ?? { token: 'path' as const };
  if (!isTokenAuth(auth)) return { url: `${root}${endpoint}` };
  const minted = token();
  switch (auth.token) {
    case 'path':
      return { url: `${root}${endpoint}/${minted}`, token: minted };
    case 'query':
      return { url: `${root}${endpoint}?${new URLSearchParams({ [auth.name]: minted }).toString()}`, token: minted };
    default:
      return { url: `${root}${endpoint}`, token: minted };
  }
}

/** Adds the callback-only parts of the start request (callback and hybrid mode). */
function withCallbackOnly(profile: Profile): Profile['start'] {
  const { callbackOnly, ...start } = profile.start;
  if (!callbackOnly) return profile.start;
  const body = callbackOnly.body === undefined ? start.body : { ...(isPlainObject(start.body) ? start.body : {}), ...callbackOnly.body };
  return {
    ...start,
    ...(callbackOnly.query || start.query ? { query: { ...start.query, ...callbackOnly.query } } : {}),
    ...(callbackOnly.headers || start.headers ? { headers: { ...start.headers, ...callbackOnly.headers } } : {}),
    ...(body !== undefined ? { body } : {}),
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Starts the remote job. Retried safely: the idempotency key makes a repeat return the same remote job. */
export async function startRemoteJob(deps: ActivityDeps, args: StartRemoteJobArgs): Promise<StartRemoteJobResult> {
  const { profile, context, redact } = requestScope(deps, args.profile, args.params);
  // The callback-only parts exist only when a callback is expected: one profile, three modes.
  const start = args.callback ? withCallbackOnly(profile) : profile.start;
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

  const url = new URL(renderUrl(start.url, context, 'start.url'));
  for (const [key, value] of Object.entries(renderMap(start.query, context, 'start.query'))) url.searchParams.set(key, value);
  const headers = renderMap(start.headers, context, 'start.headers');
  headers[start.idempotencyHeader] = args.idempotencyKey;
  const json = start.body === undefined ? undefined : renderJson(start.body, context, 'start.body');

  const request = { method: start.method, purpose: 'start', redact } as const;
  const res = ensureOk(await send({ ...request, url: url.toString(), headers, json, allowedHosts: profile.allowedHosts }), request);
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
