// Links into the Temporal Web UI, built in one place: the job API's views, notifications and
// schedules all point people at the same pages.
const page = (webUiUrl: string, namespace: string, kind: 'workflows' | 'schedules', id: string): string =>
  `${webUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(id)}`;

/** A job's page (the workflow's latest run). */
export const webUiJobUrl = (webUiUrl: string, namespace: string, jobId: string): string => page(webUiUrl, namespace, 'workflows', jobId);

/** A schedule's page. */
export const webUiScheduleUrl = (webUiUrl: string, namespace: string, scheduleId: string): string => page(webUiUrl, namespace, 'schedules', scheduleId);
