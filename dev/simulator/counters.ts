// Global counters answer "how often did the client hit us"; per-job copies let tests that share
// one simulator assert on their own job without being disturbed by their neighbours.
export interface Counters {
  jobsCreated: number;
  idempotentReplays: number;
  startRequests: number;
  statusReads: number;
  downloads: number;
  /** Downloads that asked for a byte range (a resume). */
  rangedDownloads: number;
  resultUrlsIssued: number;
  callbacksSent: number;
  callbackAttempts: number;
  cancels: number;
}

export type JobCounters = Omit<Counters, 'jobsCreated'>;
type JobCounterName = keyof JobCounters;

export function zeroJobCounters(): JobCounters {
  return { idempotentReplays: 0, startRequests: 0, statusReads: 0, downloads: 0, rangedDownloads: 0, resultUrlsIssued: 0, callbacksSent: 0, callbackAttempts: 0, cancels: 0 };
}

export class CounterBook {
  private totals: Counters = { jobsCreated: 0, ...zeroJobCounters() };

  jobCreated(): void {
    this.totals.jobsCreated += 1;
  }

  bump(job: { counters: JobCounters }, name: JobCounterName): void {
    this.totals[name] += 1;
    job.counters[name] += 1;
  }

  snapshot(): Counters {
    return { ...this.totals };
  }

  reset(): void {
    this.totals = { jobsCreated: 0, ...zeroJobCounters() };
  }
}
