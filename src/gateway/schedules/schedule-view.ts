// Recurring jobs on Temporal Schedules: the request a caller writes, and what the API says
// about a schedule, read back from Temporal. The schedule's own spec as written (cron strings,
// interval) is kept in its memo, since Temporal describes cron expressions as calendars.
import type { ScheduleDescription, ScheduleOverlapPolicy, ScheduleSummary } from '@temporalio/client';
import { z } from 'zod';
import { durationSchema } from '../../durations';
import { jobInputSchema } from '../../workflows/input';
import { webUiLink, type JobLinks } from '../jobs/job-view';

export const overlapPolicies = ['skip', 'bufferOne', 'bufferAll', 'cancelOther', 'terminateOther', 'allowAll'] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];

const TEMPORAL_OVERLAP: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: 'SKIP',
  bufferOne: 'BUFFER_ONE',
  bufferAll: 'BUFFER_ALL',
  cancelOther: 'CANCEL_OTHER',
  terminateOther: 'TERMINATE_OTHER',
  allowAll: 'ALLOW_ALL',
};
export const temporalOverlap = (policy: OverlapPolicy): ScheduleOverlapPolicy => TEMPORAL_OVERLAP[policy];
const overlapOf = (policy: ScheduleOverlapPolicy): OverlapPolicy =>
  (Object.entries(TEMPORAL_OVERLAP).find(([, v]) => v === policy)?.[0] as OverlapPolicy | undefined) ?? 'skip';

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

export const SPEC_MEMO_KEY = 'pollbackScheduleSpec';

export const scheduleWebUiLink = (links: JobLinks, scheduleId: string): string =>
  webUiLink(links, scheduleId).replace(/\/workflows\/([^/]*)$/, '/schedules/$1');

export function scheduleViewOf(links: JobLinks, d: ScheduleDescription): ScheduleView {
  const spec = scheduleSpecSchema.safeParse(d.memo?.[SPEC_MEMO_KEY]);
  return {
    scheduleId: d.scheduleId,
    ...(spec.success ? { spec: spec.data } : {}),
    overlap: overlapOf(d.policies.overlap),
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    ...(d.action.args?.[0] !== undefined ? { job: d.action.args[0] } : {}),
    nextRunTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.map((a) => ({ jobId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt.toISOString(), startedAt: a.takenAt.toISOString() })),
    runningJobs: d.info.runningActions.map((a) => a.workflow.workflowId),
    runsSoFar: d.info.numActionsTaken,
    skippedForOverlap: d.info.numActionsSkippedOverlap,
    webUiUrl: scheduleWebUiLink(links, d.scheduleId),
  };
}

export function scheduleSummaryOf(links: JobLinks, s: ScheduleSummary): ScheduleSummaryView {
  return {
    scheduleId: s.scheduleId,
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    nextRunTimes: s.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: s.info.recentActions.map((a) => ({ jobId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt.toISOString(), startedAt: a.takenAt.toISOString() })),
    webUiUrl: scheduleWebUiLink(links, s.scheduleId),
  };
}
