// Reading facts out of a workflow's history, for assertions about what really happened.
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const EventType = temporal.api.enums.v1.EventType;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export async function historyEvents(handle: WorkflowHandle, runId?: string): Promise<HistoryEvent[]> {
  const history = await (runId ? handle.client.getHandle(handle.workflowId, runId) : handle).fetchHistory();
  return history.events ?? [];
}

export function count(events: readonly HistoryEvent[], type: temporal.api.enums.v1.EventType): number {
  return events.filter((e) => e.eventType === type).length;
}

/** The activities of that type the workflow scheduled (each retry is the same scheduled activity). */
export function scheduledActivities(events: readonly HistoryEvent[], name: string): HistoryEvent[] {
  return events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === name);
}

/** Run ids of the job's continue-as-new chain, first to last. */
export async function runChain(handle: WorkflowHandle): Promise<string[]> {
  const chain: string[] = [];
  let runId: string | undefined = (await handle.client.getHandle(handle.workflowId).describe()).runId;
  // Walk back from the latest run through continuedExecutionRunId links.
  while (runId) {
    chain.unshift(runId);
    const events = await historyEvents(handle, runId);
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId || undefined;
  }
  return chain;
}

/** The ids of the patches a run took (the SDK's `core_patch` markers), in order. */
export function patchIds(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const id = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return id ? [(JSON.parse(Buffer.from(id).toString()) as { id: string }).id] : [];
  });
}
