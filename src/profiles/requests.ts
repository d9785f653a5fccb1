// The requests a profile makes, rendered from its templates: shared by the activities (which
// send them) and `npm run profile -- check` (which only shows them), so what the check shows is
// what would be sent. Pure apart from the template context the caller builds.
import { isTokenAuth, profileCallbackPath, usesProfileEndpoint } from '../contract/profile/callback';
import type { Profile, ProfileRequest } from '../contract/profile/schema';
import { renderJson, renderMap, renderUrl, type TemplateContext } from './template';

export interface RenderedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  json?: unknown;
}

/**
 * The callback URL (and token) handed to the remote API, shaped by the profile's `callback.auth`:
 * Pollback's own URL with the token in its path, or the profile's endpoint with the token in its
 * path or query, beside it (Bearer, a header, a body field), or no token at all (correlation).
 */
export function callbackFor(profile: Profile, base: string, token: () => string): { url: string; token?: string } {
  const root = base.replace(/\/$/, '');
  if (!usesProfileEndpoint(profile.callback)) {
    const minted = token();
    return { url: `${root}/v1/callbacks/${minted}`, token: minted };
  }
  const endpoint = `${root}${profileCallbackPath(profile.name)}`;
  const auth = profile.callback?.auth ?? { token: 'path' as const };
  if (!isTokenAuth(auth)) return { url: endpoint };
  const minted = token();
  switch (auth.token) {
    case 'path':
      return { url: `${endpoint}/${minted}`, token: minted };
    case 'query':
      return { url: `${endpoint}?${new URLSearchParams({ [auth.name]: minted }).toString()}`, token: minted };
    default:
      return { url: endpoint, token: minted };
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The start request, with its callback-only parts when a callback is expected (callback and hybrid mode). */
export function startSpec(profile: Profile, callbackExpected: boolean): Profile['start'] {
  const { callbackOnly, ...start } = profile.start;
  if (!callbackOnly || !callbackExpected) return start;
  const body = callbackOnly.body === undefined ? start.body : { ...(isPlainObject(start.body) ? start.body : {}), ...callbackOnly.body };
  return {
    ...start,
    ...(callbackOnly.query || start.query ? { query: { ...start.query, ...callbackOnly.query } } : {}),
    ...(callbackOnly.headers || start.headers ? { headers: { ...start.headers, ...callbackOnly.headers } } : {}),
    body,
  };
}

export function renderRequest(spec: Pick<ProfileRequest, 'method' | 'url' | 'query' | 'headers' | 'body'>, context: TemplateContext, where: string): RenderedRequest {
  const url = new URL(renderUrl(spec.url, context, `${where}.url`));
  for (const [key, value] of Object.entries(renderMap(spec.query, context, `${where}.query`))) url.searchParams.set(key, value);
  const json = spec.body === undefined ? undefined : renderJson(spec.body, context, `${where}.body`);
  return { method: spec.method, url: url.toString(), headers: renderMap(spec.headers, context, `${where}.headers`), json };
}

export function renderStart(profile: Profile, context: TemplateContext, callbackExpected: boolean, idempotencyKey: string): RenderedRequest {
  const start = startSpec(profile, callbackExpected);
  const rendered = renderRequest(start, context, 'start');
  return { ...rendered, headers: { ...rendered.headers, [start.idempotencyHeader]: idempotencyKey } };
}

/** Whether the start request hands over the callback URL or token at all. */
export const mentionsCallback = (profile: Profile): boolean => /\{\{\s*callback\./.test(JSON.stringify(profile.start));
