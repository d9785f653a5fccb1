// Outbound URLs are checked against the profile's allowed hosts before any request, so a
// status response or an input parameter cannot point Pollback at an arbitrary host.
import { nonRetryable, ErrorType } from '../errors';

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

/** Parses and checks a URL; throws a non-retryable HostNotAllowed naming `what`. */
export function checkedUrl(raw: string, allowedHosts: readonly string[], what: string, allowList = "the profile's allowedHosts"): URL {
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
  return url;
}
