// Durations in input and profiles are human strings ("30s", "5m", "1h") or milliseconds.
// Pure code: used by the workflow (sandbox-safe) and by activities.
import ms from 'ms';
import { z } from 'zod';

export const durationSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const millis = typeof value === 'number' ? value : ms(value as ms.StringValue);
    if (typeof millis !== 'number' || !Number.isFinite(millis) || millis <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a positive duration such as "30s", "5m" or milliseconds, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return Math.round(millis);
  });

/** "1m 30s" style, for messages and UI summaries. */
export function formatDuration(millis: number): string {
  if (millis < 1000) return `${Math.max(0, Math.round(millis))}ms`;
  const seconds = Math.round(millis / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes}m ${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
}
