// The fault plan travels with each job-creating request, not in server-wide settings, so tests
// sharing one simulator cannot disturb each other.
import { z } from 'zod';
import { HttpProblem } from './problem';

const scenarioSchema = z.strictObject({
  // No default here: each API style has its own (task-token jobs default to their waitTime).
  durationMs: z.int().nonnegative().optional(),
  outcome: z.enum(['succeeded', 'failed', 'cancelled']).default('succeeded'),
  errorMessage: z.string().optional(),
  // The API's own error code of a failed job (each style has its default).
  errorCode: z.string().regex(/^[\w.-]{1,64}$/).optional(),
  neverFinish: z.boolean().default(false),
  // The first N start requests of a job fail after the job was created (the response is lost),
  // so a client's retry must reuse its idempotency key to avoid a second job.
  startErrors: z.int().nonnegative().default(0),
  startErrorCode: z.union([z.literal([500, 502, 503, 429]), z.literal('reset')]).default(503),
  // Completed only on the Nth status read, whatever the time: deterministic long poll runs.
  completeAfterReads: z.int().positive().optional(),
  statusErrors: z.int().nonnegative().default(0),
  statusErrorCode: z.literal([500, 502, 503, 429]).default(503),
  retryAfterSeconds: z.int().nonnegative().default(1),
  statusUrlTtlSeconds: z.number().positive().default(1800),
  resultUrlTtlSeconds: z.number().positive().default(300),
  resultSize: z.int().nonnegative().default(1024),
  // Goes into a Content-Disposition header, so nothing that could break out of the quotes.
  resultName: z.string().regex(/^[\w. -]{1,200}$/, 'use letters, digits, spaces, ".", "-" or "_" (at most 200)').default('report.csv'),
  truncateOnce: z.boolean().default(false),
  // The first N result URLs handed out are already expired (as after a slow client or clock skew).
  expiredResultUrls: z.int().nonnegative().default(0),
  // The announced checksum does not match the bytes (a corrupted object).
  wrongChecksum: z.boolean().default(false),
  // garbled: the final callback uses a state word the API never documented; unsigned: sent
  // without its signature (the signed-event style).
  callback: z.enum(['normal', 'drop', 'duplicate', 'early', 'garbled', 'unsigned']).default('normal'),
  // "Still working" callbacks (with progress) sent while the job runs, before the final one.
  progressCallbacks: z.int().min(0).max(20).default(0),
  callbackDelayMs: z.int().nonnegative().default(0),
  // Every API answer about the job (start, status, result, cancel) is held this long: a slow API.
  latencyMs: z.int().min(0).max(30_000).default(0),
  // The result is served no faster than this: a slow link, so a test can act while a transfer is under way.
  resultBytesPerSecond: z.int().positive().optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;

/** One line per issue, each prefixed with the dotted path of the offending field. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues.map((issue) => `${[root, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');
}

function decode(raw: unknown, where: string): Record<string, unknown> | undefined {
  if (raw === undefined || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new HttpProblem(400, 'invalid scenario', `scenario (${where}) is not valid JSON`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpProblem(400, 'invalid scenario', `scenario (${where}) must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export interface ScenarioSources {
  query?: unknown;
  header?: unknown;
  body?: unknown;
}

/** Merges the scenario from query, header and body (later sources win per field) and validates it. */
export function readScenario(sources: ScenarioSources): Scenario {
  const merged = {
    ...decode(sources.query, 'query parameter'),
    ...decode(sources.header, 'x-sim-scenario header'),
    ...decode(sources.body, 'body field'),
  };
  const parsed = scenarioSchema.safeParse(merged);
  if (!parsed.success) throw new HttpProblem(400, 'invalid scenario', describeIssues(parsed.error, 'scenario'));
  return parsed.data;
}
