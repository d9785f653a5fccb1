// What every fault family and hostile-input class gets, and what it hands back.
import type { Cluster } from './cluster';
import type { JobBook } from './jobs';

export interface RunContext {
  cluster: Cluster;
  book: JobBook;
  /** The CI form: every family and class, small counts. */
  short: boolean;
  log(line: string): void;
}

/** One injected fault, counted only when the real signals showed it happened. */
export interface FaultReport {
  family: string;
  injected: number;
  notes: string[];
}

/** One hostile request or input and whether it was answered the right way. */
export interface HostileCase {
  family: string;
  name: string;
  refused: boolean;
  detail: string;
}
