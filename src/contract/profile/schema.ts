// The schema of an API profile: how Pollback talks to one asynchronous API, as data. A user
// adds an API with one YAML/JSON file of this shape and no code. Pure (zod only), so the
// workflow can validate inline profiles in its sandbox.
import { z } from 'zod';
import { callbackSchema } from './callback';
import { extractorSchema, statesSchema } from './extractor';

export { extractorSchema, statesSchema, type Extractor } from './extractor';

/** A string with `{{namespace.path}}` placeholders, rendered inside activities only. */
const template = z.string();
const templateMap = z.record(z.string(), template);

const hostPattern = z
  .string()
  .regex(/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i, 'expected a host name, "*.domain" or host:port');

const requestSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: template,
  query: templateMap.optional(),
  headers: templateMap.optional(),
  body: z.unknown().optional(),
});

/**
 * What the API allows, enforced by Temporal across all workers: the API's calls (start, status,
 * download, cancel) run on a task queue of the profile's own, served with these limits.
 */
export const limitsSchema = z
  .strictObject({
    concurrency: z.int().min(1).max(1000).optional().describe('At most this many requests in flight to the API, across all workers (split evenly between POLLBACK_WORKER_PROCESSES).'),
    perSecond: z.number().min(0.1).max(10000).optional().describe('At most this many requests per second to the API, across all workers (the task queue\'s server-side rate limit).'),
  })
  .refine((limits) => limits.concurrency !== undefined || limits.perSecond !== undefined, { message: 'set concurrency, perSecond or both' });
export type Limits = z.infer<typeof limitsSchema>;

export const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  description: z.string().optional(),
  allowedHosts: z.array(hostPattern).min(1).describe('Every outbound URL (start, status, result, cancel) must point at one of these hosts.'),
  vars: z.record(z.string(), z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), default: z.string().optional() })).default({}).describe('Non-secret settings, read from the worker\'s environment with a default.'),
  secrets: z.record(z.string(), z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) })).default({}).describe('Secrets by environment variable name; resolved only inside activities.'),
  start: requestSchema.extend({
    idempotencyHeader: z.string().default('Idempotency-Key').describe('Header carrying Pollback\'s stable idempotency key, so a retried start never makes a second job.'),
    remoteJobId: extractorSchema.optional(),
    statusUrl: extractorSchema.optional(),
    statusUrlExpiresInSeconds: extractorSchema.optional(),
    /**
     * Parts of the start request sent only when a callback is expected (callback and hybrid
     * mode): merged into the query, headers and body, so one profile serves all three modes.
     */
    callbackOnly: z
      .strictObject({ query: templateMap.optional(), headers: templateMap.optional(), body: z.record(z.string(), z.unknown()).optional() })
      .optional(),
  }),
  status: z
    .strictObject({
      method: z.enum(['GET', 'POST']).default('GET'),
      url: template.optional().describe('Defaults to the status URL found at start; may template `{{remote.id}}`.'),
      headers: templateMap.optional(),
      state: extractorSchema,
      states: statesSchema,
      resultUrl: extractorSchema.optional(),
      resultUrlExpiresInSeconds: extractorSchema.optional(),
      error: extractorSchema.optional(),
      errorCode: extractorSchema.optional().describe('The API\'s own error code of a failed job (e.g. "QuotaExceeded"), carried in the failure.'),
      progress: extractorSchema.optional().describe('How far the remote job is (a number, see progressMax), shown in the Web UI.'),
      progressMax: z.number().positive().default(100).describe('What the progress value counts up to: 100 (percent, the default) or e.g. 1 (a fraction).'),
      expiredStatusCodes: z.array(z.number().int().min(400).max(499)).default([403, 410]).describe('Status codes meaning "this status URL has expired" rather than a transient fault.'),
    })
    .optional(),
  callback: callbackSchema.optional(),
  result: z
    .strictObject({
      headers: templateMap.optional().describe('Headers for downloading the result (pre-signed URLs usually need none).'),
      checksumHeader: z.string().optional().describe('Response header carrying the result\'s sha256 (hex), checked after download.'),
    })
    .optional(),
  cancel: requestSchema.optional(),
  limits: limitsSchema.optional(),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileRequest = z.infer<typeof requestSchema>;
