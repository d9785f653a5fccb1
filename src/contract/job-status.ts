// What a job reports: its live status (the `status` query) and its result (the workflow's
// return value). One schema per shape; the workflow takes its types from here (type-only: zod
// stays out of the workflow bundle), the HTTP API its response schemas (src/contract/job-api.ts).
import { z } from 'zod';
import { PHASES } from './names';

export const remoteStateSchema = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

/** A downloaded result: results cross history as file references, never as bytes. */
export const jobFileSchema = z.object({
  path: z.string(),
  fileName: z.string(),
  size: z.number(),
  sha256: z.string(),
  contentType: z.string().optional(),
});

export const jobStatusSchema = z.object({
  phase: z.enum(PHASES),
  profile: z.string(),
  mode: z.enum(['callback', 'poll', 'hybrid']),
  startedAt: z.string().describe("the job's start (its first run), unchanged by continue-as-new"),
  summary: z.string().describe('the job in a person\'s words (its title, or profile and mode); the same in every run'),
  remoteJobId: z.string().optional(),
  remoteStatus: z.string().optional(),
  remoteState: remoteStateSchema.optional(),
  remoteProgress: z.number().optional().describe("the remote job's own progress, percent, from its last status read or callback"),
  pollCount: z.number(),
  nextPollAt: z.string().optional(),
  callbackDeadline: z.string().optional(),
  deadline: z.string(),
  lastError: z.string().optional(),
  refusedCallbacks: z.object({ count: z.number(), lastAt: z.string(), lastReason: z.string() }).optional().describe('callbacks that authenticated but were refused, and why the last one was'),
  runsSoFar: z.number(),
  download: z.object({ bytes: z.number(), total: z.number().optional() }).optional().describe('while downloading: bytes so far, and the total when the server announced it'),
  file: jobFileSchema.optional(),
});

/** One notification target's outcome; a failed notification never fails the job. */
export const notificationReportSchema = z.object({
  target: z.string(),
  event: z.enum(['succeeded', 'failed', 'cancelled']),
  sent: z.boolean(),
  error: z.string().optional(),
});

/** A succeeded job's result (a failed or cancelled job ends with a typed failure instead). */
export const jobResultSchema = z.object({
  workflowId: z.string(),
  title: z.string().optional(),
  profile: z.string(),
  remoteJobId: z.string().optional(),
  status: z.literal('succeeded'),
  via: z.enum(['callback', 'poll']).describe('which path saw the terminal state first'),
  output: z.unknown().optional().describe("the callback's output, if the remote system sent one"),
  resultUrl: z.string().optional().describe('set when the download was turned off: where the result can be fetched'),
  file: jobFileSchema.optional(),
  notifications: z.array(notificationReportSchema),
  polls: z.number(),
  runs: z.number(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  timings: z.object({ remoteMs: z.number(), downloadMs: z.number().optional(), notifyMs: z.number().optional() }).describe('milliseconds spent waiting for the remote job, downloading and notifying'),
});

/** The remote job's state, normalised from whatever vocabulary the API uses. */
export type RemoteState = z.output<typeof remoteStateSchema>;
export type JobFile = z.output<typeof jobFileSchema>;
/** Answer of the `status` query. */
export type JobStatus = z.output<typeof jobStatusSchema>;
export type NotificationReport = z.output<typeof notificationReportSchema>;
/** The `asyncJob` workflow's result. */
export type JobResult = z.output<typeof jobResultSchema>;
