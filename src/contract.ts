// The public contract of Pollback on Temporal. Outside users (the CLI, other services, the
// gateway) depend on these names, so they live in one place and never change casually.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { z } from 'zod';
import type { callbackRefusedSignalSchema, callbackSignalSchema, pollProgressSchema } from './signal-payloads';

export const DEFAULT_TASK_QUEUE = 'pollback';
export const WORKFLOW_TYPE = 'asyncJob';
export const CALLBACK_SIGNAL = 'callback';
/** An authenticated callback the gateway could not read: carries only the reason, never the body. */
export const CALLBACK_REFUSED_SIGNAL = 'callbackRefused';
export const STATUS_QUERY = 'status';

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

/** The remote job's state, normalised from whatever vocabulary the API uses. */
export type RemoteState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * Payload of the `callback` signal. The gateway verifies the HMAC task token before it
 * signals, so the token itself never enters history; `runId` (the chain's first run id, a
 * claim of the token) lets the workflow ignore a callback meant for an earlier job that
 * reused the same workflow id. Senders with Temporal access may omit it.
 */
export type CallbackSignal = z.output<typeof callbackSignalSchema>;

/** Payload of the `callbackRefused` signal: why a callback that authenticated was not accepted. */
export type CallbackRefusedSignal = z.output<typeof callbackRefusedSignalSchema>;

/** Payload of the `pollProgress` signal the polling activity sends. */
export type PollProgress = z.output<typeof pollProgressSchema>;

/** The remote job's progress: a percentage (0–100). */
export type Progress = number;

/** Answer of the `status` query. */
export interface JobStatus {
  phase: Phase;
  profile: string;
  mode: 'callback' | 'poll' | 'hybrid';
  /** When the job started (its first run: unchanged by continue-as-new). */
  startedAt: string;
  /** The job in a person's words (its title, or profile and mode); the same in every run. */
  summary: string;
  remoteJobId?: string;
  remoteStatus?: string;
  remoteState?: RemoteState;
  /** The remote job's own progress, percent, from its last status read or callback. */
  remoteProgress?: Progress;
  pollCount: number;
  nextPollAt?: string;
  callbackDeadline?: string;
  deadline: string;
  lastError?: string;
  /** Callbacks that authenticated but could not be accepted, and why the last one was refused. */
  refusedCallbacks?: { count: number; lastAt: string; lastReason: string };
  runsSoFar: number;
  /** While downloading: bytes so far, and the total when the server announced it. */
  download?: { bytes: number; total?: number };
  file?: JobFile;
}

/** A downloaded result: results cross history as file references, never as bytes. */
export interface JobFile {
  path: string;
  fileName: string;
  size: number;
  sha256: string;
  contentType?: string;
}

/** One notification target's outcome; a failed notification never fails the job. */
export interface NotificationReport {
  target: string;
  event: 'succeeded' | 'failed' | 'cancelled';
  sent: boolean;
  error?: string;
}

/** The `asyncJob` workflow's result (a failed or cancelled job ends with a typed failure instead). */
export interface JobResult {
  workflowId: string;
  title?: string;
  profile: string;
  remoteJobId?: string;
  status: 'succeeded';
  /** Which path saw the terminal state first. */
  via: 'callback' | 'poll';
  /** The callback's output, if the remote system sent one. */
  output?: unknown;
  /** Set when the download was turned off: where the result can be fetched. */
  resultUrl?: string;
  file?: JobFile;
  notifications: NotificationReport[];
  polls: number;
  runs: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Milliseconds spent waiting for the remote job, downloading and notifying. */
  timings: { remoteMs: number; downloadMs?: number; notifyMs?: number };
}
