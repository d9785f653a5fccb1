// History events of a job counted by what they are, so two workflows doing the same work can be
// compared event by event: "ActivityTaskScheduled downloadResult", "WorkflowExecutionSignaled
// callback", "UpsertWorkflowSearchAttributes PollbackPhase", "WorkflowTaskCompleted"…
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

export type EventCounts = Record<string, number>;

/** `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` (or its enum number) as the Web UI writes it: `ActivityTaskScheduled`. */
export function eventTypeName(type: HistoryEvent['eventType']): string {
  const raw = typeof type === 'number' ? EventType[type] : String(type ?? 'EVENT_TYPE_UNSPECIFIED');
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _sep: string, letter: string) => letter.toUpperCase());
}

const ACTIVITY_OUTCOMES = [
  'activityTaskStartedEventAttributes',
  'activityTaskCompletedEventAttributes',
  'activityTaskFailedEventAttributes',
  'activityTaskTimedOutEventAttributes',
  'activityTaskCancelRequestedEventAttributes',
  'activityTaskCanceledEventAttributes',
] as const;

/** Each event's label: its type, then the activity, signal or search attributes it is about. */
export function eventLabels(events: readonly HistoryEvent[]): string[] {
  const activityNames = new Map<string, string>();
  return events.map((event) => {
    const type = eventTypeName(event.eventType);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? '?';
      activityNames.set(String(event.eventId), name);
      return `${type} ${name}`;
    }
    for (const key of ACTIVITY_OUTCOMES) {
      const attrs = event[key];
      if (attrs) return `${type} ${activityNames.get(String(attrs.scheduledEventId)) ?? '?'}`;
    }
    if (event.workflowExecutionSignaledEventAttributes) return `${type} ${event.workflowExecutionSignaledEventAttributes.signalName ?? '?'}`;
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) return `${type} ${Object.keys(upsert.searchAttributes?.indexedFields ?? {}).sort().join('+')}`;
    return type;
  });
}

export function countEvents(events: readonly HistoryEvent[]): EventCounts {
  const counts: EventCounts = {};
  for (const label of eventLabels(events)) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

/** The mean count of each label over several jobs (a label a job lacks counts 0 for it). */
export function meanCounts(samples: readonly EventCounts[]): EventCounts {
  const labels = new Set(samples.flatMap((s) => Object.keys(s)));
  return Object.fromEntries([...labels].sort().map((label) => [label, samples.reduce((sum, s) => sum + (s[label] ?? 0), 0) / Math.max(1, samples.length)]));
}

export interface CountDifference {
  label: string;
  ours: number;
  theirs: number;
  /** ours − theirs */
  extra: number;
}

/** Where two breakdowns differ, the largest surplus of `ours` first. */
export function compareCounts(ours: EventCounts, theirs: EventCounts): CountDifference[] {
  const labels = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
  return [...labels]
    .map((label) => ({ label, ours: ours[label] ?? 0, theirs: theirs[label] ?? 0, extra: (ours[label] ?? 0) - (theirs[label] ?? 0) }))
    .filter((d) => d.extra !== 0)
    .sort((a, b) => b.extra - a.extra || a.label.localeCompare(b.label));
}
