// Everything a running job knows about itself, and the one place that keeps what the Web UI
// shows in step with it: the phase search attribute, the current details, the status query.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RemoteJobRef } from '../activities/types';
import { searchAttributes, type Phase } from '../contract/names';
import type { JobFile, JobStatus, NotificationReport, RemoteState } from '../contract/job-status';
import type { DownloadProgress, PollProgress } from '../contract/signals';
import { formatDuration } from '../contract/durations';
import type { JobInput } from '../contract/job-input';

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
  /** Callbacks that authenticated but could not be accepted (kept across runs: a timeout reports them). */
  refused?: { count: number; lastAt: number; lastReason: string };
  /** The remote job's own progress, percent. */
  remoteProgress?: number;
  runs: number;
}

export type Via = 'callback' | 'poll';
export type Outcome =
  | { state: 'succeeded'; via: Via; output?: unknown; resultUrl?: string; sha256?: string }
  | { state: 'failed'; via: Via; error: string; cause?: string; code?: string }
  | { state: 'cancelled'; via: Via; message: string; code?: string };

export class JobState {
  readonly profileName: string;
  readonly title: string;
  /** The job in a person's words, as the gateway's static summary says it; the same in every run. */
  readonly summary: string;
  readonly carried: CarriedState;
  phase: Phase;
  outcome?: Outcome;
  remoteStatus?: { raw: string; state: RemoteState };
  download: DownloadProgress | undefined;
  file?: JobFile;
  notifications: NotificationReport[] = [];
  /** Frequent polling runs in one activity since then (epoch ms); unset on workflow timers. */
  pollingSince?: number;
  private details = '';
  /** Search attributes held back to go out with the next phase change, as one upsert (lean history). */
  private pendingAttributes: SearchAttributeUpdatePair[] = [];
  private readonly leanHistory: boolean;

  /**
   * `leanHistory` (jobs since the prepare-in-activity patch): the remote job id goes out with the
   * next phase change, which always follows within the same workflow task, instead of as an
   * upsert of its own. Every upsert is a history event and a visibility write.
   */
  constructor(readonly input: JobInput, carried: CarriedState | undefined, opts: { leanHistory: boolean }) {
    this.leanHistory = opts.leanHistory;
    this.profileName = typeof input.profile === 'string' ? input.profile : input.profile.name;
    this.title = input.title ?? `${this.profileName} job ${workflowInfo().workflowId}`;
    this.summary = `${input.title ?? this.profileName} (${input.completion.mode})`;
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
    // The gateway sets both when it starts a job: a job started elsewhere (the CLI) sets them here.
    const atStart = workflowInfo().typedSearchAttributes;
    const setAtStart = atStart.get(searchAttributes.profile) === this.profileName && atStart.get(searchAttributes.phase) === this.phase;
    if (!carried && !setAtStart) upsertSearchAttributes([{ key: searchAttributes.profile, value: this.profileName }, { key: searchAttributes.phase, value: this.phase }]);
  }

  waitingPhase(): Phase {
    return this.input.completion.mode === 'poll' ? 'polling' : 'waiting-callback';
  }

  setPhase(next: Phase, details?: string): void {
    if (next !== this.phase || this.pendingAttributes.length) {
      const changes: SearchAttributeUpdatePair[] = [...this.pendingAttributes, ...(next !== this.phase ? [{ key: searchAttributes.phase, value: next }] : [])];
      this.pendingAttributes = [];
      this.phase = next;
      upsertSearchAttributes(changes);
    }
    this.details = details ?? '';
    this.showDetails();
  }

  /**
   * The Web UI's current details: what the job is doing, then what a person watching needs and
   * would otherwise find only in the Queries tab (the remote's progress, refused callbacks), and
   * the job's own start and summary, which a continued run's static summary no longer shows.
   */
  showDetails(): void {
    const { carried } = this;
    const lines = [`**${this.title}** — ${this.phase}${this.details ? `: ${this.details}` : ''}`];
    if (carried.remoteProgress !== undefined && !this.isFinal()) lines.push(`Remote progress: ${formatProgress(carried.remoteProgress)}`);
    if (carried.refused) {
      lines.push(`⚠ ${carried.refused.count} callback(s) arrived and were refused; the last at ${new Date(carried.refused.lastAt).toISOString()}: ${carried.refused.lastReason}`);
    }
    lines.push(`${this.summary} · started ${new Date(carried.startedAt).toISOString()}${carried.runs > 1 ? ` · run ${carried.runs}` : ''}`);
    setCurrentDetails(lines.join('\n\n'));
  }

  private isFinal(): boolean {
    return this.phase === 'succeeded' || this.phase === 'failed' || this.phase === 'cancelled';
  }

  startPollingInActivity(since: number): void {
    this.pollingSince = since;
    this.setPhase(this.waitingPhase(), this.pollingDetails());
  }

  /** What the polling activity last told (it does so sparingly): the status query and the current details follow. */
  recordPollProgress(progress: PollProgress): void {
    if (this.outcome || this.pollingSince === undefined || progress.polls < this.carried.pollCount) return;
    this.carried.pollCount = progress.polls;
    this.carried.nextPollAt = progress.nextPollAt;
    this.remoteStatus = { raw: progress.rawStatus, state: progress.state };
    if (progress.progress !== undefined) this.carried.remoteProgress = progress.progress;
    this.setPhase(this.waitingPhase(), this.pollingDetails());
  }

  private pollingDetails(): string {
    const { carried, input } = this;
    const { completion } = input;
    const every = completion.mode === 'callback' ? '' : ` every ${formatDuration(completion.poll.interval)}`;
    const parts = [`${completion.mode === 'hybrid' ? 'safety polls' : 'polls'}${every} in one activity since ${new Date(this.pollingSince ?? 0).toISOString()}`];
    if (this.remoteStatus) parts.push(`${carried.pollCount} so far, the last saw "${this.remoteStatus.raw}"`);
    if (carried.nextPollAt !== undefined) parts.push(`next at ${new Date(carried.nextPollAt).toISOString()}`);
    return parts.join('; ');
  }

  setRemoteProgress(progress: number | undefined): void {
    if (progress === undefined || progress === this.carried.remoteProgress) return;
    this.carried.remoteProgress = progress;
    this.showDetails();
  }

  recordRefusedCallback(reason: string): void {
    const count = (this.carried.refused?.count ?? 0) + 1;
    this.carried.refused = { count, lastAt: Date.now(), lastReason: reason };
    this.showDetails();
  }

  /** For a timeout: what became of the callbacks that did arrive. */
  refusalNote(): string | undefined {
    const refused = this.carried.refused;
    if (!refused) return undefined;
    return `${refused.count} callback${refused.count === 1 ? '' : 's'} arrived and ${refused.count === 1 ? 'was' : 'were'} refused: ${refused.lastReason}`;
  }

  setRemoteJobId(id: string): void {
    this.carried.remote = { ...this.carried.remote, id };
    if (this.leanHistory) this.pendingAttributes.push({ key: searchAttributes.remoteJobId, value: id });
    else upsertSearchAttributes([{ key: searchAttributes.remoteJobId, value: id }]);
  }

  status(): JobStatus {
    const { carried, outcome } = this;
    return {
      phase: this.phase,
      profile: this.profileName,
      mode: this.input.completion.mode,
      startedAt: new Date(carried.startedAt).toISOString(),
      summary: this.summary,
      remoteJobId: carried.remote.id,
      ...(this.remoteStatus ? { remoteStatus: this.remoteStatus.raw, remoteState: this.remoteStatus.state } : {}),
      remoteProgress: carried.remoteProgress,
      pollCount: carried.pollCount,
      ...(carried.nextPollAt !== undefined && !outcome ? { nextPollAt: new Date(carried.nextPollAt).toISOString() } : {}),
      ...(carried.callbackDeadline !== undefined && !outcome ? { callbackDeadline: new Date(carried.callbackDeadline).toISOString() } : {}),
      deadline: new Date(carried.deadline).toISOString(),
      lastError: carried.lastError,
      ...(carried.refused ? { refusedCallbacks: { count: carried.refused.count, lastAt: new Date(carried.refused.lastAt).toISOString(), lastReason: carried.refused.lastReason } } : {}),
      runsSoFar: carried.runs,
      ...(this.download ? { download: this.download } : {}),
      ...(this.file ? { file: this.file } : {}),
    };
  }
}

/** Progress as people read it: whole percent. */
export function formatProgress(percent: number): string {
  return `${Math.round(percent)}%`;
}
