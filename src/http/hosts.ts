// Outbound URLs are checked against the profile's allowed hosts before any request, so a
// status response or an input parameter cannot point Pollback at an arbitrary host. Only a host
// named exactly may be internal (loopback, private, link-local): one allowed by a wildcard must
// be public, checked here for IP literals and at connect time for names (./addresses).
import type { Dispatcher } from 'undici';
import { nonRetryable, ErrorType } from '../contract/errors';
import { INTERNAL_ADDRESS_CODE, isInternalAddress, publicOnlyDispatcher } from './addresses';

function matches(pattern: string, url: URL): boolean {
  if (pattern === '*') return true;
  const [patternHost = '', patternPort] = splitHostPort(pattern.toLowerCase());
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (patternPort !== undefined && patternPort !== port) return false;
  if (patternHost.startsWith('*.')) return host.endsWith(patternHost.slice(1));
  return host === patternHost;
}

function splitHostPort(pattern: string): [string, string | undefined] {
  if (pattern.startsWith('[')) {
    const end = pattern.indexOf(']');
    const rest = pattern.slice(end + 1);
    return [pattern.slice(0, end + 1), rest.startsWith(':') ? rest.slice(1) : undefined];
  }
  const colon = pattern.lastIndexOf(':');
  return colon === -1 ? [pattern, undefined] : [pattern.slice(0, colon), pattern.slice(colon + 1)];
}

const isWildcard = (pattern: string): boolean => pattern === '*' || pattern.startsWith('*.');
const namedExactly = (url: URL, allowedHosts: readonly string[]): boolean => allowedHosts.some((p) => !isWildcard(p) && matches(p, url));
/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 literal. */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** The dispatcher a checked URL must be fetched with: the default one, or public-only under a wildcard. */
export function dispatcherFor(url: URL, allowedHosts: readonly string[]): Dispatcher | undefined {
  return namedExactly(url, allowedHosts) ? undefined : publicOnlyDispatcher;
}

export const PROFILE_ALLOW_LIST = "the profile's allowedHosts";

/** The non-retryable HostNotAllowed for a connection refused by the public-only dispatcher, if `err` is one. */
export function internalAddressRefusal(err: unknown, what: string, allowList = PROFILE_ALLOW_LIST): Error | undefined {
  if ((err as { code?: string } | undefined)?.code !== INTERNAL_ADDRESS_CODE) return undefined;
  return nonRetryable(ErrorType.HostNotAllowed, `${what}: ${(err as Error).message}, allowed only when ${allowList} names the host exactly`);
}

/** Parses and checks a URL; throws a non-retryable HostNotAllowed naming `what`. */
export function checkedUrl(raw: string, allowedHosts: readonly string[], what: string, allowList = PROFILE_ALLOW_LIST): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw nonRetryable(ErrorType.RemoteProtocolError, `${what}: not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw nonRetryable(ErrorType.HostNotAllowed, `${what}: only http and https are allowed, got ${url.protocol}`);
  }
  if (!allowedHosts.some((pattern) => matches(pattern, url))) {
    throw nonRetryable(ErrorType.HostNotAllowed, `${what}: host ${url.host} is not in ${allowList}`);
  }
  if (isInternalAddress(bareHost(url)) && !namedExactly(url, allowedHosts)) {
    throw nonRetryable(ErrorType.HostNotAllowed, `${what}: ${url.host} is an internal address, allowed only when ${allowList} names it exactly`);
  }
  return url;
}
