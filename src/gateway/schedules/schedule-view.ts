// Recurring jobs on Temporal Schedules: the request a caller writes, and what the API says
// about a schedule, read back from Temporal. The schedule's own spec as written (cron strings,
// interval) is kept in its memo, since Temporal describes cron expressions as calendars.
import type { ScheduleDescription, ScheduleOverlapPolicy, ScheduleSummary } from '@temporalio/client';
import { scheduleSpecSchema, type OverlapPolicy, type ScheduleSummaryView, type ScheduleView } from '../../contract/job-api';
import { webUiScheduleUrl } from '../../temporal/web-ui';
import type { JobLinks } from '../jobs/job-view';

export { createScheduleSchema, overlapPolicies, scheduleIdSchema, scheduleSchema, scheduleSpecSchema, scheduleSummarySchema } from '../../contract/job-api';
export type { OverlapPolicy, ScheduleSpecInput, ScheduleSummaryView, ScheduleView } from '../../contract/job-api';

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

export const SPEC_MEMO_KEY = 'pollbackScheduleSpec';

export const scheduleWebUiLink = (links: JobLinks, scheduleId: string): string => webUiScheduleUrl(links.webUiUrl, links.namespace, scheduleId);

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
