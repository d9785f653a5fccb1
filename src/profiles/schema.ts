// The schema of an API profile: how Pollback talks to one asynchronous API, as data. A user
// adds an API with one YAML/JSON file of this shape and no code. Pure (zod only), so the
// workflow can validate inline profiles in its sandbox.
import { z } from 'zod';

/** A string with `{{namespace.path}}` placeholders, rendered inside activities only. */
const template = z.string();
const templateMap = z.record(z.string(), template);

/** Where to read a value in a response: a dotted path into the JSON body, or a header name. */
export const extractorSchema = z.union([
  z.strictObject({ body: z.string().min(1).describe('dotted path into the JSON body, e.g. "data.statusUrl"') }),
  z.strictObject({ header: z.string().min(1).describe('response header name, e.g. "Location"') }),
]);
export type Extractor = z.infer<typeof extractorSchema>;

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

const stateNames = z.array(z.string().min(1)).min(1);

export const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  description: z.string().optional(),
  /** Every outbound URL (start, status, result, cancel) must point at one of these hosts. */
  allowedHosts: z.array(hostPattern).min(1),
  /** Non-secret settings, read from the worker's environment with a default. */
  vars: z.record(z.string(), z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), default: z.string().optional() })).default({}),
  /** Secrets by environment variable name; resolved only inside activities. */
  secrets: z.record(z.string(), z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) })).default({}),
  start: requestSchema.extend({
    /** Header carrying Pollback's stable idempotency key, so a retried start never makes a second job. */
    idempotencyHeader: z.string().default('Idempotency-Key'),
    remoteJobId: extractorSchema.optional(),
    statusUrl: extractorSchema.optional(),
    statusUrlExpiresInSeconds: extractorSchema.optional(),
  }),
  status: z
    .strictObject({
      method: z.enum(['GET', 'POST']).default('GET'),
      /** Defaults to the status URL found at start; may template `{{remote.id}}`. */
      url: template.optional(),
      headers: templateMap.optional(),
      state: extractorSchema,
      states: z.strictObject({ running: stateNames, succeeded: stateNames, failed: stateNames, cancelled: stateNames }),
      resultUrl: extractorSchema.optional(),
      resultUrlExpiresInSeconds: extractorSchema.optional(),
      error: extractorSchema.optional(),
      /** Status codes meaning "this status URL has expired" rather than a transient fault. */
      expiredStatusCodes: z.array(z.number().int().min(400).max(499)).default([403, 410]),
    })
    .optional(),
  callback: z
    .strictObject({
      /** Where a successful callback's output carries the result URL and its sha256, if it does. */
      resultUrl: extractorSchema.optional(),
      sha256: extractorSchema.optional(),
    })
    .optional(),
  result: z
    .strictObject({
      /** Headers for downloading the result (pre-signed URLs usually need none). */
      headers: templateMap.optional(),
      /** Response header carrying the result's sha256 (hex), checked after download. */
      checksumHeader: z.string().optional(),
    })
    .optional(),
  cancel: requestSchema.optional(),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileRequest = z.infer<typeof requestSchema>;
