// Durations in input and profiles are human strings ("30s", "5m", "1h") or milliseconds.
// Pure code without dependencies: the workflow formats durations with it; the schema that reads
// them is in duration-schema.ts, kept out of the workflow bundle.

/** Units `ms` understands, longest first so the pattern reads them whole. */
const UNITS = ['milliseconds', 'millisecond', 'msecs', 'msec', 'ms', 'seconds', 'second', 'secs', 'sec', 's', 'minutes', 'minute', 'mins', 'min', 'm', 'hours', 'hour', 'hrs', 'hr', 'h', 'days', 'day', 'd', 'weeks', 'week', 'w', 'years', 'year', 'yrs', 'yr', 'y'];

// JSON Schema patterns have no flags: case-insensitivity is spelled out per letter, so the
// OpenAPI document states exactly what `ms` accepts (it ignores case).
const anyCase = (word: string): string => [...word].map((c) => `[${c}${c.toUpperCase()}]`).join('');

/** A positive number with an optional unit, as `ms` reads it: "30s", "1.5h", "2 days", "500". */
export const DURATION_PATTERN = `^(?:\\d+(?:\\.\\d+)?|\\.\\d+) *(?:${UNITS.map(anyCase).join('|')})?$`;

/** Longer than any job should wait; also keeps timers far from the engine's numeric limits. */
export const MAX_DURATION_MS = 100 * 365.25 * 24 * 3_600_000;

/** A job's overall timeout when its input names none (the input schema's default, and the workflow's until it has read the input). */
export const DEFAULT_JOB_TIMEOUT_MS = 3_600_000;

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
