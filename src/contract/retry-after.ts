// Retry-After (RFC 9110 §10.2.3), read the same way by the worker's outbound calls and by the
// typed client: delta-seconds or an HTTP date. Pure, in src/contract so the client package can take it.

/** The wait Retry-After asks for, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | readonly string[] | undefined, now = Date.now()): number | undefined {
  const value = (typeof header === 'string' ? header : header?.[0])?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date names its day and month; anything else (e.g. "-5", which Date.parse reads as a year) is unreadable.
  const date = /[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
