// Activities bound to their dependencies, so tests and the worker build them the same way.
import type { ActivityDeps } from './context';
import { readRemoteStatus } from './read-remote-status';
import { startRemoteJob } from './start-remote-job';
import type { ReadRemoteStatusArgs, StartRemoteJobArgs } from './types';

export type { ActivityDeps } from './context';

export function createActivities(deps: ActivityDeps) {
  return {
    startRemoteJob: (args: StartRemoteJobArgs) => startRemoteJob(deps, args),
    readRemoteStatus: (args: ReadRemoteStatusArgs) => readRemoteStatus(deps, args),
  };
}

export type Activities = ReturnType<typeof createActivities>;
