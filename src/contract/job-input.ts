// Job input, validated where it enters: the gateway, and the job's first step (a local activity). Plain JSON so that
// `temporal workflow start --input '…'` works; each completion mode carries only the settings
// that mean something for it, so an impossible combination cannot be written down.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { durationSchema } from './duration-schema';
import { DEFAULT_JOB_TIMEOUT_MS } from './durations';
import { ErrorType } from './errors';
import { profileSchema } from './profile/schema';
import { describeIssues } from './validation';

const pollSchema = z.strictObject({
  interval: durationSchema.default(5_000),
  backoff: z.number().min(1).max(10).default(1.5),
  maxInterval: durationSchema.default(300_000),
});

const common = {
  timeout: durationSchema.default(DEFAULT_JOB_TIMEOUT_MS),
};

export const completionSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('callback'),
    ...common,
    /** Wait this long for a callback; each heartbeat callback restarts the wait. Defaults to the overall timeout. */
    heartbeatTimeout: durationSchema.optional(),
  }),
  z.strictObject({ mode: z.literal('poll'), ...common, poll: pollSchema.default({ interval: 5_000, backoff: 1.5, maxInterval: 300_000 }) }),
  z.strictObject({
    mode: z.literal('hybrid'),
    ...common,
    /** The safety poll: slow by default, since the callback is expected to win. */
    poll: pollSchema.default({ interval: 60_000, backoff: 1, maxInterval: 300_000 }),
  }),
]);

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. SLACK_BOT_TOKEN');
const events = z.array(z.enum(['succeeded', 'failed', 'cancelled'])).min(1).default(['succeeded', 'failed', 'cancelled']);

/** Who hears about the outcome. Credentials are named by environment variable, never given. */
export const notifyTargetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), channel: z.string().min(1).max(200), tokenEnv: envName.default('SLACK_BOT_TOKEN'), on: events }),
  z.strictObject({ type: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }), secretEnv: envName, on: events }),
  // The SMTP server and sender are the worker's settings (POLLBACK_SMTP_URL, POLLBACK_EMAIL_FROM), never input's.
  z.strictObject({ type: z.literal('email'), to: z.array(z.email()).min(1).max(50), on: events }),
]);
export type NotifyTarget = z.output<typeof notifyTargetSchema>;

const GIB = 1024 ** 3;

export const jobInputSchema = z.strictObject({
  /** A profile name known to the worker, or a whole profile inline. */
  profile: z.union([
    z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a profile name: lower-case letters, digits and dashes'),
    // Limits are served by workers that load the profile (its own task queue); an inline profile has none.
    profileSchema.refine((p) => p.limits === undefined, { path: ['limits'], message: 'an inline profile cannot set limits: put the profile in the workers\' profiles folder (POLLBACK_PROFILES_DIR)' }),
  ]),
  /** Values for the profile's `{{params.*}}` placeholders (report id, dataset, …). */
  params: z.record(z.string(), z.unknown()).default({}),
  /** A person's words for this job, shown in the Web UI and in notifications. */
  title: z.string().max(200).optional(),
  completion: completionSchema,
  /** Where the result goes: `false` leaves it at the remote side; otherwise streamed to `downloads/<job>/<name>`. */
  download: z
    .union([z.literal(false), z.strictObject({
        fileName: z.string().min(1).max(150).optional(),
        maxBytes: z.number().int().positive().default(GIB),
        /** Object storage instead of the local folder: `s3://bucket/prefix/{name}` ({name}: the file name, {jobId}: the job). */
        to: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^\s]*$/, 's3://bucket/key, e.g. "s3://reports/nightly/{name}"').max(1000).optional(),
      })])
    .default({ maxBytes: GIB }),
  notify: z.array(notifyTargetSchema).max(20).default([]),
  /** Polls on timers (an interval of a minute or more) per run before continue-as-new; keeps history bounded whatever the number of polls. */
  pollsPerRun: z.number().int().min(10).max(1000).default(100),
});

/** What callers write (defaults may be omitted). */
export type JobInputJson = z.input<typeof jobInputSchema>;
/** What the workflow works with after validation (durations in ms, defaults filled). */
export type JobInput = z.output<typeof jobInputSchema>;
export type Completion = JobInput['completion'];
export type PollSettings = z.output<typeof pollSchema>;

const invalid = (message: string): ApplicationFailure => ApplicationFailure.create({ type: ErrorType.InvalidInput, nonRetryable: true, message: `invalid job input: ${message}` });

/**
 * The workflow's first step. Any input, of any shape, ends here as the input or an InvalidInput
 * failure naming the field: anything else thrown in a workflow fails the workflow task, which
 * Temporal retries forever, so the job would hang RUNNING. The schema itself never throws
 * (property-tested); the catch keeps a future refinement from bringing the hang back.
 */
export function parseJobInput(raw: unknown): JobInput {
  let parsed: ReturnType<typeof jobInputSchema.safeParse>;
  try {
    parsed = jobInputSchema.safeParse(raw);
  } catch (err) {
    throw invalid(`(input): cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!parsed.success) throw invalid(describeIssues(parsed.error));
  return parsed.data;
}
