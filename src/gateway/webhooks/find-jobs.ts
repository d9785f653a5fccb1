// Finds the running jobs a webhook is about, by the remote job id the workflow recorded in
// its PollbackRemoteJobId search attribute.
import { WORKFLOW_TYPE, searchAttributes } from '../../contract/names';
import { bounded, type TemporalAccess } from '../temporal-call';

/** More than this many running jobs for one remote id is a misconfiguration, not a fan-out. */
const MAX_MATCHES = 10;

/** A value as a visibility-query string literal. */
export function queryString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function runningJobsFor(temporal: TemporalAccess, remoteJobId: string, profile?: string): Promise<string[]> {
  const clauses = [
    `WorkflowType = ${queryString(WORKFLOW_TYPE)}`,
    'ExecutionStatus = "Running"',
    `${searchAttributes.remoteJobId.name} = ${queryString(remoteJobId)}`,
    ...(profile !== undefined ? [`${searchAttributes.profile.name} = ${queryString(profile)}`] : []),
  ];
  return bounded(temporal, async () => {
    const ids: string[] = [];
    for await (const execution of temporal.client.workflow.list({ query: clauses.join(' AND '), pageSize: MAX_MATCHES })) {
      ids.push(execution.workflowId);
      if (ids.length >= MAX_MATCHES) break;
    }
    return ids;
  });
}

/** The most recent finished job with this remote id, if any: a late or duplicate callback is acknowledged with its outcome. */
export async function closedJobFor(temporal: TemporalAccess, remoteJobId: string, profile?: string): Promise<{ jobId: string; jobStatus: string } | undefined> {
  const clauses = [
    `WorkflowType = ${queryString(WORKFLOW_TYPE)}`,
    'ExecutionStatus != "Running"',
    `${searchAttributes.remoteJobId.name} = ${queryString(remoteJobId)}`,
    ...(profile !== undefined ? [`${searchAttributes.profile.name} = ${queryString(profile)}`] : []),
  ];
  return bounded(temporal, async () => {
    for await (const execution of temporal.client.workflow.list({ query: clauses.join(' AND '), pageSize: 1 })) return { jobId: execution.workflowId, jobStatus: execution.status.name };
    return undefined;
  });
}
