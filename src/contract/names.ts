// The public contract of Pollback on Temporal. Outside users (the CLI, other services, the
// gateway) depend on these names, so they live in one place and never change casually.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'pollback';
export const WORKFLOW_TYPE = 'asyncJob';
export const CALLBACK_SIGNAL = 'callback';
/** An authenticated callback the gateway could not read: carries only the reason, never the body. */
export const CALLBACK_REFUSED_SIGNAL = 'callbackRefused';
export const STATUS_QUERY = 'status';
/** Sent by Pollback's own activities to their job (progress for the `status` query). */
export const DOWNLOAD_PROGRESS_SIGNAL = 'downloadProgress';
export const POLL_PROGRESS_SIGNAL = 'pollProgress';

export const searchAttributes = {
  phase: defineSearchAttributeKey('PollbackPhase', SearchAttributeType.KEYWORD),
  profile: defineSearchAttributeKey('PollbackProfile', SearchAttributeType.KEYWORD),
  remoteJobId: defineSearchAttributeKey('PollbackRemoteJobId', SearchAttributeType.KEYWORD),
} as const;

/** `--search-attribute` values for `temporal server start-dev` and `operator search-attribute create`. */
export const searchAttributeRegistrations: readonly string[] = Object.values(searchAttributes).map(
  (key) => `${key.name}=Keyword`,
);

/** Where a job is in its life; also the value of the PollbackPhase search attribute. */
export const PHASES = ['starting', 'waiting-callback', 'polling', 'downloading', 'notifying', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * What a job is indexed under from the moment it starts: its API and the phase `starting`. A
 * job started with them (by the gateway) needs no upsert of its own for them; one started
 * without them (the CLI) sets them in its first workflow task.
 */
export const startSearchAttributes = (profile: string) => [
  { key: searchAttributes.profile, value: profile },
  { key: searchAttributes.phase, value: 'starting' satisfies Phase },
];
