// Shapes exchanged between the workflow and its activities. Only references and small facts
// cross into history: never secrets, tokens or payload bytes.
import type { RemoteState } from '../contract/job-status';
import type { Profile } from '../contract/profile/schema';
import type { PollSettings } from '../contract/job-input';

/** A profile by name (resolved on the worker) or inline (validated by the workflow). */
export type ProfileRef = string | Profile;

export interface RemoteJobRef {
  id?: string;
  statusUrl?: string;
  /** Epoch ms after which the status URL no longer works. */
  statusUrlExpiresAt?: number;
}

export interface StartRemoteJobArgs {
  profile: ProfileRef;
  params: Record<string, unknown>;
  /** Stable for the job: the remote API deduplicates a retried start with it. */
  idempotencyKey: string;
  /** Present when the remote system is to call back: the token's claims, minted in the activity. */
  callback?: { runId: string; expiresAt: number };
  /** The completion needs a status URL (poll or hybrid). */
  needsStatus: boolean;
}

export interface StartRemoteJobResult {
  remote: RemoteJobRef;
  retryAfterMs?: number;
}

export interface ReadRemoteStatusArgs {
  profile: ProfileRef;
  params: Record<string, unknown>;
  remote: RemoteJobRef;
}

export interface RemoteStatus {
  state: RemoteState;
  /** The API's own word for the state, e.g. "processing". */
  rawStatus: string;
  message?: string;
  /** The API's own error code of a failed job. */
  code?: string;
  /** The remote job's progress, percent. */
  progress?: number;
  resultUrl?: string;
  resultUrlExpiresAt?: number;
  retryAfterMs?: number;
}

export interface PollUntilDoneArgs extends ReadRemoteStatusArgs {
  settings: PollSettings;
  /** The job's polls so far, and its next poll as the workflow planned it (epoch ms, interval). */
  polls: number;
  nextPollAt: number;
  intervalMs: number;
}

/** What the polling activity heartbeats: what the Web UI's pending activity shows, and where a retry resumes. */
export interface PollHeartbeat {
  /** Status reads that answered, for the whole job. */
  polls: number;
  /** The API's own word for the state at the last read, e.g. "processing". */
  lastStatus?: string;
  lastState?: RemoteState;
  /** The remote job's progress, percent, at the last read that gave one. */
  progress?: number;
  nextPollAt: string;
  intervalMs: number;
  /** When this activity started polling (ISO). */
  since: string;
}

/** The status read that saw a terminal state, and how many polls it took. */
export interface PollUntilDoneResult {
  polls: number;
  status: RemoteStatus;
}

export interface DownloadResultArgs {
  profile: ProfileRef;
  params: Record<string, unknown>;
  remote: RemoteJobRef;
  /** From the status read that saw success; absent after a callback. */
  resultUrl?: string | undefined;
  /** A successful callback's output: may carry the result URL and checksum (per the profile). */
  callbackOutput?: unknown;
  /** The result's sha256 as a callback announced it (API-style callbacks; checked after download). */
  sha256?: string | undefined;
  /** Overrides the name the server suggests; sanitised either way. */
  fileName?: string | undefined;
  maxBytes: number;
  /** Where the result goes instead of the local folder: `s3://bucket/prefix/{name}`. */
  to?: string | undefined;
}

/** A reference to the downloaded file: results cross history as references, never bytes. */
export type { JobFile as DownloadedFile } from '../contract/job-status';

export interface CancelRemoteJobArgs {
  profile: ProfileRef;
  params: Record<string, unknown>;
  remote: RemoteJobRef;
}
