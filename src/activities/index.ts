// Activities bound to their dependencies, so tests and the worker build them the same way.
import { rm } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { cancelRemoteJob } from './cancel-remote-job';
import type { ActivityDeps } from './context';
import { downloadResult, partialPath } from './download-result';
import { notify, type NotifyArgs } from './notify';
import { pollUntilDone } from './poll-until-done';
import { prepareJob, type PreparedJob } from './prepare-job';
import { readRemoteStatus } from './read-remote-status';
import { startRemoteJob } from './start-remote-job';
import type { CancelRemoteJobArgs, DownloadResultArgs, PollUntilDoneArgs, ReadRemoteStatusArgs, StartRemoteJobArgs } from './types';

export type { ActivityDeps } from './context';

export function createActivities(deps: ActivityDeps) {
  return {
    startRemoteJob: (args: StartRemoteJobArgs) => startRemoteJob(deps, args),
    readRemoteStatus: (args: ReadRemoteStatusArgs) => readRemoteStatus(deps, args),
    pollUntilDone: (args: PollUntilDoneArgs) => pollUntilDone(deps, args),
    downloadResult: (args: DownloadResultArgs) => downloadResult(deps, args),
    notify: (args: NotifyArgs) => notify(deps, args),
    cancelRemoteJob: (args: CancelRemoteJobArgs) => cancelRemoteJob(deps, args),
    prepareJob: (raw: unknown): Promise<PreparedJob> => Promise.resolve(prepareJob(deps, raw)),
    /** A cancelled job leaves no half-written file behind. */
    discardPartialDownload: async (): Promise<void> => {
      const execution = Context.current().info.workflowExecution;
      if (execution) await rm(partialPath(deps, execution.workflowId), { force: true });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
