// The schema of durations as input and profiles write them: "30s", "5m", "1h" or milliseconds.
import ms from 'ms';
import { z } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS } from './durations';

const described = 'a positive duration such as "30s", "5m", "1.5h" or milliseconds';

/**
 * Never throws, whatever it is given: `ms` itself throws on an empty string, and a throw out of
 * a schema would fail the workflow task (retried forever) or the gateway's request (a 500).
 */
export const durationSchema = z
  .union([z.number(), z.string().regex(new RegExp(DURATION_PATTERN), `expected ${described}`)])
  .transform((value, ctx) => {
    const millis = typeof value === 'number' ? value : ms(value as ms.StringValue);
    if (typeof millis !== 'number' || !Number.isFinite(millis) || millis <= 0 || millis > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: `expected ${described}, at most 100 years, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return Math.round(millis);
  })
  .meta({ description: `${described} (at most 100 years)` });
