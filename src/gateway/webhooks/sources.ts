// Webhook sources (GitHub style) as data: one YAML/JSON file, named by POLLBACK_WEBHOOK_SOURCES,
// validated at start with errors naming the file and the field. Secrets are referenced by
// environment variable name and resolved here, once; the file never holds one. Each source is
// a built-in style of the one callback mechanism: correlation by remote job id, an HMAC-SHA256
// signature, and states read the way a profile's `callback` section reads them.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { callbackSchema, type CallbackSpec } from '../../contract/profile/callback';
import { extractorSchema } from '../../contract/profile/schema';
import { describeIssues } from '../../contract/validation';
import { parseYamlOrJson } from '../../yaml-or-json';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. GITHUB_WEBHOOK_SECRET');
const values = z.array(z.string().min(1)).default([]);

const sourceSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes (it is the URL segment)'),
  /** Environment variable holding the HMAC-SHA256 secret shared with the sender. */
  secretEnv: envName,
  signatureHeader: z.string().min(1).default('X-Hub-Signature-256'),
  signaturePrefix: z.string().default('sha256='),
  /** Where the remote job id is: matched against the PollbackRemoteJobId search attribute. */
  correlation: extractorSchema,
  /** Only jobs of this profile are matched, when given. */
  profile: z.string().min(1).optional(),
  outcome: z.strictObject({
    state: extractorSchema,
    success: values,
    failure: values,
    /** States that mean "still working": each one restarts the job's callback wait. */
    heartbeat: values,
    /** The error message of a failure, if the payload has one. */
    error: extractorSchema.optional(),
  }),
});

const fileSchema = z.strictObject({ sources: z.array(sourceSchema).min(1) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.sources.forEach((source, i) => {
    if (seen.has(source.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `"${source.name}" is defined twice` });
    seen.add(source.name);
  });
});

export interface WebhookSource {
  name: string;
  /** The HMAC secret, read from the environment. */
  secret: string;
  profile?: string;
  /** The source as a callback description: correlated, signed, its states mapped; other states ignored. */
  callback: CallbackSpec;
}

function asCallback(source: z.output<typeof sourceSchema>): CallbackSpec {
  const { outcome } = source;
  return callbackSchema.parse({
    auth: { correlate: source.correlation, signature: { scheme: 'hmac-sha256', secretEnv: source.secretEnv, header: source.signatureHeader, prefix: source.signaturePrefix } },
    state: outcome.state,
    states: {
      ...(outcome.success.length ? { succeeded: outcome.success } : {}),
      ...(outcome.failure.length ? { failed: outcome.failure } : {}),
      ...(outcome.heartbeat.length ? { running: outcome.heartbeat } : {}),
    },
    otherStates: 'ignore',
    ...(outcome.error ? { error: outcome.error } : {}),
  });
}

export class WebhookSourcesError extends Error {
  override name = 'WebhookSourcesError';
}

const MIN_SECRET_BYTES = 16;

export function parseWebhookSources(text: string, file: string, env: Readonly<Record<string, string | undefined>>): Map<string, WebhookSource> {
  const raw = parseYamlOrJson(text, file, (message) => new WebhookSourcesError(message));
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new WebhookSourcesError(`${file}: ${describeIssues(parsed.error)}`);
  const sources = new Map<string, WebhookSource>();
  parsed.data.sources.forEach((source, i) => {
    const secret = env[source.secretEnv];
    if (!secret) throw new WebhookSourcesError(`${file}: sources.${i}.secretEnv: environment variable ${source.secretEnv} is not set`);
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new WebhookSourcesError(`${file}: sources.${i}.secretEnv: ${source.secretEnv} is shorter than ${MIN_SECRET_BYTES} bytes`);
    if (!source.outcome.success.length && !source.outcome.failure.length) {
      throw new WebhookSourcesError(`${file}: sources.${i}.outcome: at least one of success or failure: otherwise no webhook could finish a job`);
    }
    sources.set(source.name, { name: source.name, secret, ...(source.profile !== undefined ? { profile: source.profile } : {}), callback: asCallback(source) });
  });
  return sources;
}

export async function loadWebhookSources(file: string, env: Readonly<Record<string, string | undefined>>): Promise<Map<string, WebhookSource>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new WebhookSourcesError(`${file}: cannot be read: ${(err as Error).message}`);
  }
  return parseWebhookSources(text, file, env);
}
