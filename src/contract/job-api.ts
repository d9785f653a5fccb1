// The HTTP API's contract: the request and response shapes of the job API, as zod schemas.
// The gateway validates and documents (OpenAPI) with them; the typed client (src/client, and
// the @pollback/client package built from it) takes its types from here, and nothing else of
// the server's. Pure: zod and the job input schema only.
import { z } from 'zod';
import { jobResultSchema as workflowResultSchema, jobStatusSchema as jobStatusQuerySchema } from './job-status';
import { durationSchema } from './duration-schema';
import { jobInputSchema } from './job-input';

export { jobInputSchema };
export type { JobInputJson } from './job-input';
export type { JobResult, JobStatus } from './job-status';
export type { Phase } from './names';

// ---------------------------------------------------------------------------------------------
// Jobs

export const jobStates = ['running', 'succeeded', 'failed', 'cancelled', 'terminated', 'timed-out'] as const;
export type JobState = (typeof jobStates)[number];

const linksSchema = z.object({ self: z.string(), result: z.string().optional(), webUi: z.string() });

/**
 * The job's status as the API shows it: the `status` query's answer (src/contract/job-status.ts),
 * read leniently, since jobs started by an older Pollback lack some fields and may name a phase
 * this one does not.
 */
export const jobStatusSchema = jobStatusQuerySchema.extend({
  phase: z.string(),
  startedAt: z.string().optional().describe("the job's start (its first run), unchanged by continue-as-new"),
  summary: z.string().optional(),
});

/** A succeeded job's result: the workflow's (src/contract/job-status.ts), read leniently for older jobs. */
export const jobResultSchema = workflowResultSchema.extend({
  notifications: workflowResultSchema.shape.notifications.optional(),
  timings: workflowResultSchema.shape.timings.optional(),
});

export const jobErrorSchema = z.object({
  type: z.string().describe('a stable error type (src/contract/errors.ts), or Cancelled / Terminated / TimedOut'),
  message: z.string(),
  details: z.unknown().optional(),
});
export type JobError = z.infer<typeof jobErrorSchema>;

export const jobSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  state: z.enum(jobStates),
  phase: z.string().optional(),
  profile: z.string().optional(),
  summary: z.string().optional(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  status: jobStatusSchema.optional().describe('while running: the live status from the workflow'),
  result: jobResultSchema.optional().describe('when succeeded'),
  error: jobErrorSchema.optional().describe('when failed, cancelled, terminated or timed out'),
  links: linksSchema,
});
export type JobView = z.infer<typeof jobSchema>;

export const jobSummarySchema = jobSchema.pick({ jobId: true, runId: true, state: true, phase: true, profile: true, startedAt: true, closedAt: true, links: true }).extend({
  remoteJobId: z.string().optional(),
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

export const startedJobSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  created: z.boolean().describe('false when the Idempotency-Key named an existing job, which is returned'),
  statusUrl: z.string(),
  webUiUrl: z.string(),
});
export type StartedJobResponse = z.infer<typeof startedJobSchema>;

export const cancelJobResponseSchema = z.object({ jobId: z.string(), cancelRequested: z.boolean(), state: z.enum(jobStates) });
export type CancelJobResponse = z.infer<typeof cancelJobResponseSchema>;

// A signal is durable and needs no worker, so the gateway answers once the callback is in the
// job's history, without waiting for the job to read it: it says what it knows (delivered), not
// what the job will make of it. A delivered callback that comes after the job's first terminal
// state, names an earlier job under the same id, or reaches a job that does not wait for
// callbacks changes nothing, which the job's status and history show.
const delivered = z.boolean().describe("true: the callback is in the job's history, for the job to act on (the first terminal state stands; later ones change nothing). false: the job had already finished (jobStatus says how) or the profile ignores this state");
const acceptedAlias = z.boolean().meta({ deprecated: true }).describe('the same value as `delivered`, under its name before 0.2; read `delivered`');

/** The answer to a callback: delivered to the job, or the job had already finished (its recorded outcome). */
export const callbackAckSchema = z.object({
  delivered,
  accepted: acceptedAlias,
  jobId: z.string(),
  jobStatus: z.string().optional().describe("set when the job had already finished: its recorded status"),
});
export type CallbackAck = z.infer<typeof callbackAckSchema>;

/** The answer to a callback on a profile's endpoint (when the profile sets no answer of its own). */
export const profileCallbackAckSchema = z.object({
  delivered: delivered.describe('true when the callback reached at least one job (see `delivered` of a callback answer)'),
  accepted: acceptedAlias,
  jobIds: z.array(z.string()),
  jobStatus: z.string().optional().describe("a finished job's recorded status"),
});

// ---------------------------------------------------------------------------------------------
// Recurring jobs (Temporal Schedules)

export const overlapPolicies = ['skip', 'bufferOne', 'bufferAll', 'cancelOther', 'terminateOther', 'allowAll'] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];

/** When a schedule starts its job: cron expressions and/or an interval, in a time zone. */
export const scheduleSpecSchema = z
  .strictObject({
    cron: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(10)]).optional().describe('e.g. "0 2 * * *" (every night at 02:00) or "@daily"'),
    interval: z.string().min(1).optional().describe('e.g. "24h", "90m"'),
    timezone: z.string().min(1).max(100).optional().describe('IANA time zone for cron, e.g. "Europe/Berlin" (default UTC)'),
    jitter: z.string().min(1).optional().describe('start up to this much later, at random, e.g. "5m": many schedules do not hit an API at the same second'),
  })
  .refine((spec) => spec.cron !== undefined || spec.interval !== undefined, { message: 'give cron, interval or both' })
  .refine((spec) => spec.interval === undefined || durationSchema.safeParse(spec.interval).success, { message: 'interval: a duration such as "24h"', path: ['interval'] })
  .refine((spec) => spec.jitter === undefined || durationSchema.safeParse(spec.jitter).success, { message: 'jitter: a duration such as "5m"', path: ['jitter'] });
export type ScheduleSpecInput = z.infer<typeof scheduleSpecSchema>;

export const scheduleIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" and "-", at most 100');

export const createScheduleSchema = z.strictObject({
  id: scheduleIdSchema.describe('the schedule id; each run is the job `<id>-<scheduled time>`'),
  spec: scheduleSpecSchema,
  overlap: z.enum(overlapPolicies).default('skip').describe('a run due while the previous one still runs: skip it (default), buffer one or all, cancel or terminate the old one, or allow both'),
  paused: z.boolean().default(false),
  note: z.string().max(500).optional(),
  /** The job every run starts: the same input as POST /v1/jobs. */
  job: jobInputSchema,
});

export const scheduleSchema = z.object({
  scheduleId: z.string(),
  spec: scheduleSpecSchema.optional().describe('as written when the schedule was created'),
  overlap: z.enum(overlapPolicies),
  paused: z.boolean(),
  note: z.string().optional(),
  job: z.unknown().optional().describe('the job input each run starts with'),
  nextRunTimes: z.array(z.string()),
  recentRuns: z.array(z.object({ jobId: z.string(), scheduledAt: z.string(), startedAt: z.string() })),
  runningJobs: z.array(z.string()),
  runsSoFar: z.number(),
  skippedForOverlap: z.number(),
  webUiUrl: z.string(),
});
export type ScheduleView = z.infer<typeof scheduleSchema>;

export const scheduleSummarySchema = z.object({
  scheduleId: z.string(),
  paused: z.boolean(),
  note: z.string().optional(),
  nextRunTimes: z.array(z.string()),
  recentRuns: z.array(z.object({ jobId: z.string(), scheduledAt: z.string(), startedAt: z.string() })),
  webUiUrl: z.string(),
});
export type ScheduleSummaryView = z.infer<typeof scheduleSummarySchema>;

/** What a caller writes to create a schedule (defaults may be omitted). */
export type CreateScheduleRequest = z.input<typeof createScheduleSchema>;
export interface CreatedScheduleResponse {
  scheduleId: string;
  url: string;
  webUiUrl: string;
}
