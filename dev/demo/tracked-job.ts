// One demo job as the terminal sees it: its scenario, its id and links, and the last view the
// job API gave of it.
import type { JobView } from '../../src/gateway/jobs/job-view';
import type { DemoScenario } from './scenarios';

export interface TrackedJob {
  scenario: DemoScenario;
  jobId: string;
  webUiUrl: string;
  view?: JobView;
}

export const isFinished = (job: TrackedJob): boolean => job.view !== undefined && job.view.state !== 'running';

const UNITS = ['B', 'KiB', 'MiB', 'GiB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit] ?? 'B'}`;
}
