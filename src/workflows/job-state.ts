// Everything a running job knows about itself, and the one place that keeps what the Web UI
// shows in step with it: the phase search attribute, the current details, the status query.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RemoteJobRef } from '../activities/types';
import { searchAttributes, type JobFile, type JobStatus, type NotificationReport, type Phase, type RemoteState } from '../contract';
import { formatDuration } from '../durations';
import type { JobInput } from './input';

/** State carried across continue-as-new. */
export interface CarriedState {
  startedAt: number;
  deadline: number;
  remote: RemoteJobRef;
  pollCount: number;
  pollIntervalMs: number;
  nextPollAt?: number;
  /** Callback mode: when the wait for a callback (or the next heartbeat) ends. */
  callbackDeadline?: number;
  lastError?: string;
  runs: number;
}

export type Via = 'callback' | 'poll';
export type Outcome =
  | { state: 'succeeded'; via: Via; output?: unknown; resultUrl?: string }
  | { state: 'failed'; via: Via; error: string; cause?: string }
  | { state: 'cancelled'; via: Via; message: string };

export class JobState {
  readonly profileName: string;
  readonly title: string;
  readonly carried: CarriedState;
  phase: Phase;
  outcome?: Outcome;
  remoteStatus?: { raw: string; state: RemoteState };
  download?: { bytes: number; total?: number };
  file?: JobFile;
  notifications: NotificationReport[] = [];

  constructor(readonly input: JobInput, carried: CarriedState | undefined) {
    this.profileName = typeof input.profile === 'string' ? input.profile : input.profile.name;
    this.title = input.title ?? `${this.profileName} job ${workflowInfo().workflowId}`;
    const now = Date.now();
    this.carried = carried ?? {
      startedAt: now,
      deadline: now + input.completion.timeout,
      remote: {},
      pollCount: 0,
      pollIntervalMs: input.completion.mode === 'callback' ? 0 : input.completion.poll.interval,
      runs: 1,
    };
    this.phase = carried ? this.waitingPhase() : 'starting';
    if (!carried) upsertSearchAttributes([{ key: searchAttributes.profile, value: this.profileName }, { key: searchAttributes.phase, value: this.phase }]);
  }

  waitingPhase(): Phase {
    return this.input.completion.mode === 'poll' ? 'polling' : 'waiting-callback';
  }

  setPhase(next: Phase, details?: string): void {
    if (next !== this.phase) {
      this.phase = next;
      upsertSearchAttributes([{ key: searchAttributes.phase, value: next }]);
    }
    setCurrentDetails(`**${this.title}** — ${next}${details ? `: ${details}` : ''}`);
  }

  setRemoteJobId(id: string): void {
    this.carried.remote = { ...this.carried.remote, id };
    upsertSearchAttributes([{ key: searchAttributes.remoteJobId, value: id }]);
  }

  elapsed(): string {
    return formatDuration(Date.now() - this.carried.startedAt);
  }

  status(): JobStatus {
    const { carried, outcome } = this;
    return {
      phase: this.phase,
      profile: this.profileName,
      mode: this.input.completion.mode,
      ...(carried.remote.id !== undefined ? { remoteJobId: carried.remote.id } : {}),
      ...(this.remoteStatus ? { remoteStatus: this.remoteStatus.raw, remoteState: this.remoteStatus.state } : {}),
      pollCount: carried.pollCount,
      ...(carried.nextPollAt !== undefined && !outcome ? { nextPollAt: new Date(carried.nextPollAt).toISOString() } : {}),
      ...(carried.callbackDeadline !== undefined && !outcome ? { callbackDeadline: new Date(carried.callbackDeadline).toISOString() } : {}),
      deadline: new Date(carried.deadline).toISOString(),
      ...(carried.lastError !== undefined ? { lastError: carried.lastError } : {}),
      runsSoFar: carried.runs,
      ...(this.download ? { download: this.download } : {}),
      ...(this.file ? { file: this.file } : {}),
    };
  }
}
