// When to poll next: the profile-independent arithmetic of durable polling, kept pure so it
// can be unit-tested and so the workflow body stays about the flow.
import type { PollSettings } from '../contract/job-input';

const MIN_RETRY_AFTER_MS = 1_000;

export type NextPoll = { at: number; intervalMs: number } | { expired: true };

/**
 * `Retry-After` from the API is the least wait: it can push the next poll later than the
 * schedule, never earlier (an API answering `Retry-After: 1` must not turn a 5 s schedule into
 * a poll every second). A poll is never planned past the status
 * URL's expiry: the last one is moved to just before it, and once that has happened there is
 * nothing left to wait for.
 */
export function planNextPoll(args: {
  now: number;
  settings: PollSettings;
  currentIntervalMs: number;
  retryAfterMs?: number | undefined;
  statusUrlExpiresAt?: number | undefined;
}): NextPoll {
  const { now, settings, currentIntervalMs, retryAfterMs, statusUrlExpiresAt } = args;
  const intervalMs = Math.min(settings.maxInterval, Math.max(settings.interval, currentIntervalMs));
  const delay = retryAfterMs !== undefined ? Math.max(retryAfterMs, intervalMs, MIN_RETRY_AFTER_MS) : intervalMs;
  const nextIntervalMs = Math.min(settings.maxInterval, Math.round(intervalMs * settings.backoff));
  let at = now + delay;
  if (statusUrlExpiresAt !== undefined && at >= statusUrlExpiresAt) {
    const lastChance = statusUrlExpiresAt - 1_000;
    if (lastChance <= now) return { expired: true };
    at = lastChance;
  }
  return { at, intervalMs: nextIntervalMs };
}
