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

